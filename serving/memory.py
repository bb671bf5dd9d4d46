"""Give memory the server has freed back to the operating system, and drop what Gradio's queue
keeps of sessions that are done.

A long-running server answering from many threads leaves glibc's malloc arenas holding pages that
Python and NumPy have already freed: resident memory (RSS) then only climbs, although nothing is
leaked. glibc's `malloc_trim(0)` returns those free pages; a daemon thread calls it once a
minute, which costs a few milliseconds. On a C library without `malloc_trim` (musl, macOS) this
does nothing.

Gradio's queue keeps, per session, the set of its unfinished event ids, and leaves the empty set
behind once they have all finished (gradio-app/gradio#13154): some 300 bytes for every session
it has ever seen, and each `/ask` call is a session of its own. `prune_queue` drops those sets
once a minute, on the event loop, where the queue itself changes them.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
import threading
from typing import Any, Callable

log = logging.getLogger("quoteqa.serving.memory")
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


def drop_finished_sessions(pending: dict[str, Any]) -> int:
    """Remove the sessions whose events have all finished (an empty set of ids); returns how many.
    Run it on the event loop's thread: without an await in between, no event is added meanwhile."""
    done = [session for session, ids in pending.items() if not ids]
    for session in done:
        del pending[session]
    return len(done)


async def prune_queue(queue, every: float = TRIM_EVERY_SECONDS) -> None:
    """Every `every` seconds, drop the finished sessions of a Gradio queue (`demo._queue`)."""
    while True:
        await asyncio.sleep(every)
        drop_finished_sessions(queue.pending_event_ids_session)
