"""An article on its way into the corpus: front matter and body blocks, before it is Markdown.

Every importer (plain text, web page, Markdown) produces a `Draft`; `markdown_out` writes it.
Block text is the article's own words, whitespace collapsed; `markers` are the reference labels
the importer recognised, with their position in that text (as `parse.strip_markers` reports them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass(frozen=True)
class DraftBlock:
    kind: str  # "heading", "paragraph" or "item"
    text: str
    level: int = 0  # heading level (2 = "##") or list-item depth (0 = top level)
    markers: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class Draft:
    meta: Mapping[str, Any]  # front matter in the order it is written; `title` first
    blocks: tuple[DraftBlock, ...]
    did: tuple[str, ...] = field(default_factory=tuple)  # what the importer did, for the maintainer
    unsure: tuple[str, ...] = field(default_factory=tuple)  # what it left as text because it could not be sure
    # a PDF's pages: where each starts in the blocks' texts joined by blank lines (the extracted text)
    page_starts: tuple[int, ...] = ()


def collapse(text: str) -> str:
    return " ".join(text.split())
