"""Give memory the server has freed back to the operating system.

A long-running server answering from many threads leaves glibc's malloc arenas holding pages that
Python and NumPy have already freed: resident memory (RSS) then only climbs, although nothing is
leaked. glibc's `malloc_trim(0)` returns those free pages; a daemon thread calls it once a
minute, which costs a few milliseconds. On a C library without `malloc_trim` (musl, macOS) this
does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import threading
from typing import Callable

log = logging.getLogger(__name__)
TRIM_EVERY_SECONDS = 60.0


def malloc_trim() -> Callable[[], int] | None:
    """glibc's `malloc_trim(0)` as a function returning 1 when memory was released, or None
    when the C library has no such call."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        trim = libc.malloc_trim
    except (OSError, AttributeError, TypeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return lambda: int(trim(0))


def start_trimming(every: float = TRIM_EVERY_SECONDS) -> threading.Event | None:
    """Trim every `every` seconds in a daemon thread; returns the event that stops it (None when
    the C library cannot trim)."""
    trim = malloc_trim()
    if trim is None:
        log.info("malloc_trim is not available: freed memory stays with the process")
        return None
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(every):
            trim()

    threading.Thread(target=run, name="quoteqa-malloc-trim", daemon=True).start()
    return stop
