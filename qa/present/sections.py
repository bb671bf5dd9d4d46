"""Show where a quote came from: the whole section of its article, the quoted sentences marked,
and which other sections sit next to it (for suggested follow-up questions).

Reads the engine's public views of the index (`articles`, `section_chunks`, `article_sections`);
renders HTML through a template (`templates/section.html`) that escapes every piece of article text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from markupsafe import Markup

from ..answer import Quote
from ..index import Article, Chunk
from .templating import render


@dataclass(frozen=True)
class SectionView:
    article: Article
    section: tuple[str, ...]
    chunks: tuple[Chunk, ...]
    highlights: tuple[tuple[int, int], ...]  # article offsets of the quoted text


def section_view(engine, quotes: Sequence[Quote]) -> SectionView:
    """The section of the first quote, with every given quote from that section marked."""
    first = quotes[0]
    article = engine.articles[first.article_id]
    chunks = engine.section_chunks(article.id, first.section)
    marks = tuple((q.start, q.end) for q in quotes if q.article_id == first.article_id and q.section == first.section)
    return SectionView(article, first.section, chunks, marks)


def _segments(text: str, offset: int, highlights: Sequence[tuple[int, int]]) -> list[tuple[str, bool]]:
    """`text` (which starts at article offset `offset`) cut into (piece, highlighted) in order.

    >>> _segments("abcdef", 10, [(12, 14)])
    [('ab', False), ('cd', True), ('ef', False)]
    """
    out, cursor = [], 0
    for start, end in sorted(highlights):
        s, e = max(start - offset, cursor), min(end - offset, len(text))
        if s >= e:
            continue
        out += [(text[cursor:s], False), (text[s:e], True)]
        cursor = e
    out.append((text[cursor:], False))
    return [(piece, on) for piece, on in out if piece]


def section_body(view: SectionView) -> Markup:
    """The section's paragraphs and list items as HTML (for the viewer's template), quoted spans in
    <mark>; consecutive list items make one list."""
    blocks: list[tuple[str, list]] = []
    for c in view.chunks:
        kind = "item" if c.kind == "item" else "paragraph"
        if not blocks or kind != "item" or blocks[-1][0] != "item":
            blocks.append((kind, []))
        blocks[-1][1].append(_segments(c.text, c.start, view.highlights))
    return render("section.html", blocks=blocks)


SUGGESTIONS = 3  # follow-up suggestions offered under an answer


def neighbouring_sections(engine, quotes: Sequence[Quote], limit: int = SUGGESTIONS) -> list[tuple[str, str]]:
    """(article id, heading) of sections next to the quoted ones, nearest first, not already quoted."""
    quoted = {(q.article_id, q.section) for q in quotes}
    found: list[tuple[str, str]] = []
    for q in quotes:
        sections = [s for s in engine.article_sections(q.article_id) if s]
        if q.section not in sections:
            continue
        i = sections.index(q.section)
        for j in (i + 1, i - 1, i + 2):
            if 0 <= j < len(sections) and (q.article_id, sections[j]) not in quoted:
                item = (q.article_id, sections[j][-1])
                if item not in found:
                    found.append(item)
    return found[:limit]
