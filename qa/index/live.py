"""Serve the live build of an index folder, switching to a new build when `ingest` swaps one in.

`LiveIndex.current` returns what was loaded from the live build (the engine, for the app). At
most every `check_every` seconds it looks where `index/current` points (one readlink); when that
changed, the new build is loaded and verified by the caller's `load` in a background thread while
the current value keeps serving, then swapped in with one assignment. A request holds the value it
started with, so it finishes on one build. A build that fails to load is logged with its fix and
skipped; the previous value keeps serving.

Generic over what is loaded: this module knows the folder layout, not the model or the engine.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Callable, Generic, TypeVar

from ..errors import QuoteQAError
from . import layout as mf

log = logging.getLogger("quoteqa.live")
T = TypeVar("T")


def current_target(index_dir: Path) -> str:
    """Where `current` points now ("" for a flat folder or no link)."""
    try:
        return os.readlink(index_dir / mf.CURRENT)
    except OSError:
        return ""


class LiveIndex(Generic[T]):
    def __init__(self, value: T, index_dir: Path, load: Callable[[Path], T], *, check_every: float = 0.5,
                 on_switch: Callable[[T], None] | None = None):
        self.index_dir = Path(index_dir)
        self.check_every = check_every
        self.on_switch = on_switch
        self.last_error: str | None = None
        self.reloads = {"switched": 0, "failed": 0}  # builds loaded and refused since start (for /metrics)
        self._load = load
        self._value = value
        self._target = current_target(self.index_dir)
        self._failed: set[str] = set()  # guarded by _lock, like _loading
        self._loading = False
        self._lock = threading.Lock()
        self._next_check = time.monotonic() + check_every

    @property
    def loading(self) -> bool:
        """Whether a new build is being loaded (the old one still answers meanwhile)."""
        with self._lock:
            return self._loading

    @property
    def current(self) -> T:
        now = time.monotonic()
        if now >= self._next_check:
            self._next_check = now + self.check_every
            self._maybe_reload()
        return self._value

    def _maybe_reload(self) -> None:
        target = current_target(self.index_dir)
        with self._lock:
            if self._loading or target in ("", self._target) or target in self._failed:
                return
            self._loading = True
        threading.Thread(target=self._reload, args=(target,), name="quoteqa-reload", daemon=True).start()

    def reload_now(self) -> bool:
        """Load the build `current` points at, in this thread. True if a new build was swapped in."""
        target = current_target(self.index_dir)
        with self._lock:
            if self._loading or target in ("", self._target):
                return False
            self._loading = True
        return self._reload(target)

    def _reload(self, target: str) -> bool:
        try:
            fresh = self._load(self.index_dir / target)
        except Exception as exc:  # whatever it is, the old build keeps answering and /readyz says ready again
            if not isinstance(exc, (QuoteQAError, OSError, ValueError, ImportError)):
                log.exception("unexpected error loading index build %s", target)
            with self._lock:
                self._failed.add(target)
                self._loading = False
                self.reloads["failed"] += 1
            self.last_error = f"new index build {target} was not loaded: {exc}"
            log.error("%s; still serving build %s", self.last_error, self._target)
            return False
        with self._lock:
            self._value, self._target, self.last_error = fresh, target, None
            self._loading = False
            self.reloads["switched"] += 1
        log.info("switched to index build %s", target)
        if self.on_switch:
            self.on_switch(fresh)
        return True
