"""The page of the original PDF each sentence of an imported PDF stands on.

The importer keeps, beside the PDF, the text it extracted (`original:`, which every sentence is
checked against at each build) and where each page starts in that text (`pages:`, a JSON file with
`page_starts`). A sentence's page is the page its first character falls on, found by looking the
sentence up in the extracted text in reading order (docs/pdf-import.md).
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import replace
from pathlib import Path

from .chunk import ChunkedArticle
from .parse import CorpusError

_SPACE = re.compile(r"\s+")


def page_starts(path: Path, source: Path) -> tuple[int, ...]:
    """The `page_starts` of a pages file (ascending offsets, the first 0); CorpusError if unreadable."""
    try:
        starts = json.loads(path.read_text(encoding="utf-8"))["page_starts"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CorpusError(source, f"its `pages` file {path} cannot be read ({exc}); import the PDF again") from exc
    if not starts or not all(isinstance(s, int) for s in starts) or list(starts) != sorted(starts):
        raise CorpusError(source, f"its `pages` file {path} has no ascending list of page starts; import the PDF again")
    return tuple(starts)


def _collapsed(text: str) -> tuple[str, list[int]]:
    """`text` with each run of whitespace as one space, and each kept character's offset in `text`."""
    out, where, last_space = [], [], False
    for i, ch in enumerate(text):
        space = ch.isspace()
        if space and last_space:
            continue
        out.append(" " if space else ch)
        where.append(i)
        last_space = space
    return "".join(out), where


def with_pages(chunked: ChunkedArticle, original: str, starts: tuple[int, ...]) -> ChunkedArticle:
    """Each sentence with the page (1-based) its first character stands on in `original`: looked
    up in reading order, whitespace aside; a sentence not found keeps no page."""
    flat, where = _collapsed(original)
    cursor, paged = 0, []
    for sentences in chunked.sentences:
        group = []
        for s in sentences:
            needle = _SPACE.sub(" ", s.text).strip()
            at = flat.find(needle, cursor)
            at = flat.find(needle) if at < 0 else at  # a sentence read out of order (a table, a caption)
            page = bisect.bisect_right(starts, where[at]) if at >= 0 else None
            cursor = at + len(needle) if at >= 0 else cursor
            group.append(replace(s, page=page))
        paged.append(tuple(group))
    return replace(chunked, sentences=tuple(paged))
