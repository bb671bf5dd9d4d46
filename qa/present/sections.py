"""Show where a quote came from: the whole section of its article, the quoted sentences marked,
and which other sections sit next to it (for suggested follow-up questions).

Reads the engine's public views of the index (`articles`, `section_chunks`, `article_sections`);
renders HTML with every piece of article text escaped.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Sequence

from ..answer import Quote
from ..index import Article, Chunk


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


def _marked(text: str, offset: int, highlights: Sequence[tuple[int, int]]) -> str:
    """Escape `text` (which starts at article offset `offset`) and wrap highlighted spans in <mark>."""
    out, cursor = [], 0
    for start, end in sorted(highlights):
        s, e = max(start - offset, cursor), min(end - offset, len(text))
        if s >= e:
            continue
        out += [html.escape(text[cursor:s]), "<mark>", html.escape(text[s:e]), "</mark>"]
        cursor = e
    out.append(html.escape(text[cursor:]))
    return "".join(out)


def section_body(view: SectionView) -> str:
    """The section's paragraphs and list items as HTML, quoted spans in <mark>."""
    parts: list[str] = []
    in_list = False
    for c in view.chunks:
        body = _marked(c.text, c.start, view.highlights)
        if c.kind == "item" and not in_list:
            parts.append("<ul>")
            in_list = True
        elif c.kind != "item" and in_list:
            parts.append("</ul>")
            in_list = False
        parts.append(f"<li>{body}</li>" if c.kind == "item" else f"<p>{body}</p>")
    if in_list:
        parts.append("</ul>")
    return "\n".join(parts)


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
