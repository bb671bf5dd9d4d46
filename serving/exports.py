"""Conversation exports on disk: one private folder per browser session, one random folder per export.

Every export is a new file (`O_EXCL`, mode 0600) with the name the user downloads it by (the
conversation and the time), in a folder named with 64 random bits, inside a folder for its
session (mode 0700, named by a hash of the session id so that an id never becomes a path); the
root is a fresh `mkdtemp` folder, listed nowhere. A session's folder is deleted when the session
ends, and any export older than `max_age_s` on the next export or sweep. Does not render the
conversation (see `qa.present`) and does not serve files (Gradio does, from its own cache, which
its `delete_cache` setting cleans).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import tempfile
import threading
import time
from pathlib import Path


class ExportFiles:
    def __init__(self, root: Path | None = None, *, max_age_s: float = 600.0):
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="quoteqa-export-"))
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.max_age_s = max_age_s
        self._lock = threading.Lock()

    def folder(self, session: str) -> Path:
        return self.root / hashlib.sha256(session.encode("utf-8")).hexdigest()[:32]

    def write(self, session: str, text: str, *, name: str = "quoteqa-conversation.md") -> Path:
        """Write `text` as a new export of `session` called `name` (a file name, no folders); returns its path."""
        if Path(name).name != name or name in ("", ".", ".."):
            raise ValueError(f"an export's name is a file name, not a path: {name!r}")
        self.sweep()
        folder = self.folder(session) / secrets.token_hex(8)
        path = folder / name
        with self._lock:  # a sweep must not remove the folders between these calls
            folder.mkdir(mode=0o700, parents=True)
            self.folder(session).chmod(0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        return path

    def end_session(self, session: str) -> None:
        """Delete every export of `session` (called when its browser tab goes away)."""
        with self._lock:
            shutil.rmtree(self.folder(session), ignore_errors=True)

    def sweep(self, now: float | None = None) -> int:
        """Delete exports older than `max_age_s` and folders left empty; returns how many files went."""
        cutoff = (time.time() if now is None else now) - self.max_age_s
        removed = 0
        with self._lock:
            for f in [p for p in self.root.rglob("*") if p.is_file()]:
                if f.stat().st_mtime < cutoff:
                    f.unlink(missing_ok=True)
                    removed += 1
            # folders left empty, deepest first (an export's own folder, then its session's)
            for folder in sorted((p for p in self.root.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
                if not any(folder.iterdir()):
                    folder.rmdir()
        return removed

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
