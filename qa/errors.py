"""Errors `qa` raises, each naming what is wrong and the command that fixes it.

Friendly wording for people belongs to the edges (CLI, app); these messages are already written
so that an operator reading a log knows what to do.
"""

from __future__ import annotations

REBUILD = "python -m ingest --force"


class QuoteQAError(Exception):
    """Base class: every error here carries a message that says how to fix it."""


class IndexMissingError(QuoteQAError):
    def __init__(self, index_dir: str):
        super().__init__(
            f"No index found at {index_dir}. Build it with `python -m ingest --index {index_dir}` "
            "(or `make run`, which builds it when it is missing)."
        )


class IndexCorruptError(QuoteQAError):
    def __init__(self, path: str, problem: str):
        self.path = path
        super().__init__(
            f"The index file {path} is unusable: {problem}. Rebuild the index with `{REBUILD}`."
        )


class IndexStaleError(QuoteQAError):
    def __init__(self, changes: list[str]):
        self.changes = changes
        listed = "; ".join(changes[:5]) + (" ..." if len(changes) > 5 else "")
        super().__init__(
            f"The index is out of date with the corpus ({listed}). "
            "Rebuild it with `python -m ingest`."
        )


class ModelError(QuoteQAError):
    pass
