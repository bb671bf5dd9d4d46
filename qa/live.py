"""Serve the live build of an index folder, switching to a new build when `ingest` swaps one in.

`LiveEngine.engine` returns the engine to answer with. At most every `check_every` seconds it
looks where `index/current` points (one readlink); when that changed, the new build is loaded and
verified in a background thread while the current engine keeps answering, then swapped in with
one assignment. A request holds the engine it started with, so it finishes on one build. A build
that fails to load is logged with its fix and skipped; the previous engine keeps serving.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Callable

from . import manifest as mf
from .engine import Engine, Settings
from .errors import QuoteQAError
from .store import load_store

log = logging.getLogger("quoteqa.live")


def current_target(index_dir: Path) -> str:
    """Where `current` points now ("" for a flat folder or no link)."""
    try:
        return os.readlink(index_dir / mf.CURRENT)
    except OSError:
        return ""


class LiveEngine:
    def __init__(self, engine: Engine, index_dir: Path, *, check_every: float = 0.5,
                 on_switch: Callable[[Engine], None] | None = None):
        self.index_dir = Path(index_dir)
        self.check_every = check_every
        self.on_switch = on_switch
        self.last_error: str | None = None
        self._engine = engine
        self._target = current_target(self.index_dir)
        self._failed: set[str] = set()
        self._loading = False
        self._lock = threading.Lock()
        self._next_check = time.monotonic() + check_every

    @property
    def engine(self) -> Engine:
        now = time.monotonic()
        if now >= self._next_check:
            self._next_check = now + self.check_every
            self._maybe_reload()
        return self._engine

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
        if target in ("", self._target):
            return False
        with self._lock:
            self._loading = True
        return self._reload(target)

    def _reload(self, target: str) -> bool:
        old = self._engine
        try:
            store = load_store(self.index_dir / target, model_sha256=old.embedder.sha256, dim=old.embedder.dim)
            fresh = Engine(store, old.embedder, old.settings)
        except (QuoteQAError, OSError, ValueError) as exc:
            self._failed.add(target)
            self.last_error = f"new index build {target} was not loaded: {exc}"
            log.error("%s; still serving build %s", self.last_error, old.manifest.digest)
            return False
        finally:
            with self._lock:
                self._loading = False
        self._engine, self._target, self.last_error = fresh, target, None
        log.info("switched to index build %s (%s)", fresh.manifest.digest, target)
        if self.on_switch:
            self.on_switch(fresh)
        return True


def load_live(index_dir: str | Path = "index", *, settings: Settings = Settings(), check_every: float = 0.5) -> LiveEngine:
    from .engine import load

    return LiveEngine(load(index_dir, settings=settings), Path(index_dir), check_every=check_every)
