"""Appends one JSON line to the feedback file: the whole line or nothing.

A full disk (or a file size limit) can make a write stop part-way; a half line would spoil the
file for every later reader. The line goes out in one `os.write` on an O_APPEND descriptor, and a
short or failed write is cut back to where the file ended. Several replicas may append to one
file: each append holds an exclusive `flock` on it, so a cut-back never removes another process's
line. Raises OSError when the line could not be saved, so the caller can tell the user. Does not
rotate or read the file.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from pathlib import Path
from typing import Any, Mapping

_lock = threading.Lock()  # one writer per process (flock below orders the processes)


def append_line(path: Path, record: Mapping[str, Any]) -> None:
    """Append `record` as one JSON line to `path` (creating its folder), atomically."""
    data = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with _lock:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # other processes too (replicas): released when fd closes
            end = os.fstat(fd).st_size
            try:
                written = os.write(fd, data)
            except OSError:
                _cut_back(fd, end)
                raise
            if written != len(data):
                _cut_back(fd, end)
                raise OSError(f"only {written} of {len(data)} bytes of the feedback line could be written to {path}")
            os.fsync(fd)
        finally:
            os.close(fd)


def _cut_back(fd: int, size: int) -> None:
    try:
        os.ftruncate(fd, size)
    except OSError:  # a device such as /dev/full cannot be truncated; nothing was kept there anyway
        pass
