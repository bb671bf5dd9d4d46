"""The source viewer: one cited article of one answer, with every section that answer quoted from
it, the quoted sentences in <mark>, and what is known about the article (who, when, review
status, license, DOI, a link to the original).

Reads the engine's public views of the index (`articles`, `section_chunks`); the HTML comes from
templates (`templates/viewer.html`) that escape all text. Does not decide which answer or number is
shown: the page passes them in.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Sequence

from ..answer import Answer, Quote
from .facts import article_facts, facts_html, url_of
from .sections import SectionView, section_body
from .templating import render

VIEWER_HINT = "<p class='qqa-meta'>Select a citation such as [1] in any answer to read the section it quotes.</p>"
GONE = "<p class='qqa-meta' role='status'>That source is no longer in the index; ask again.</p>"


def _sections(engine, quotes: Sequence[Quote]) -> list[SectionView]:
    article = engine.articles[quotes[0].article_id]
    in_order = sorted(quotes, key=lambda q: q.start)
    views = []
    for section in dict.fromkeys(q.section for q in in_order):
        marks = tuple((q.start, q.end) for q in in_order if q.section == section)
        views.append(SectionView(article, section, engine.section_chunks(article.id, section), marks))
    return views


def as_now(engine, quotes: Sequence[Quote]) -> tuple[list[Quote], list[Quote]]:
    """The quotes (all from one article) placed in the article as the engine's build has it: those
    whose text is still at their offsets, those found elsewhere in it (with the offsets and section
    they have now), and, second, those no longer in it. An answer given before a rebuild keeps
    the offsets of its own build; marking them in another build's text would mark other words."""
    article = engine.articles[quotes[0].article_id]
    placed, lost = [], []
    for q in quotes:
        at = q.start if article.text[q.start:q.end] == q.text else article.text.find(q.text)
        chunk = next((c for path in engine.article_sections(article.id) for c in engine.section_chunks(article.id, path)
                      if c.start <= at < c.end), None) if at >= 0 else None
        if chunk is None:
            lost.append(q)
        else:
            placed.append(replace(q, start=at, end=at + len(q.text), section=chunk.section))
    return placed, lost


def _changed(turn: int, placed: Sequence[Quote], lost: Sequence[Quote]) -> str:
    """What no longer stands in the article of an answer given before a rebuild ("" when all does)."""
    if not lost:
        return ""
    which = ("the passages it quoted from here are" if not placed else
             f"{len(lost)} of the {len(lost) + len(placed)} passages it quoted from here "
             f"{'is' if len(lost) == 1 else 'are'}")
    return (f"The article has changed since answer {turn + 1} (the index was rebuilt): {which} no longer in it"
            f"{'' if not placed else '; the others are marked where they now stand'}. "
            "Ask again to quote its current version.")


def _pdf_link(article, quotes: Sequence[Quote], pdf_url) -> dict | None:
    """The original PDF of an imported article, opened at the first quoted page, and the pages quoted."""
    url = pdf_url(article.original_pdf) if pdf_url and article.original_pdf else None
    pages = sorted({q.page for q in quotes if q.page})
    if not url:
        return None
    return {"url": f"{url}#page={pages[0]}" if pages else url, "pages": ", ".join(map(str, pages))}


def source_html(engine, answer: Answer, turn: int, number: int, pdf_url: Callable[[str], str | None] = None) -> str:
    """HTML for source `number` of `answer` (the `turn`-th answer, 0-based), numbered as the page
    shows it (`labels.numbered`), marked where the quotes stand in the engine's build of the article.
    `pdf_url(path)`: where the page serves an imported PDF (`Article.original_pdf`), if it does."""
    quotes = [q for q in answer.quotes + answer.figure_quotes() if q.number == number]
    if not quotes or quotes[0].article_id not in engine.articles:
        return GONE
    article = engine.articles[quotes[0].article_id]
    placed, lost = as_now(engine, quotes)
    sections = [(" › ".join(view.section) or "opening paragraphs", section_body(view))
                for view in (_sections(engine, placed) if placed else ())]
    facts = article_facts(article)
    return str(render("viewer.html", number=number, turn=turn, title=article.title, article_id=article.id,
                      facts=facts_html(facts, None),
                      url=url_of(facts), changed=_changed(turn, placed, lost), sections=sections,
                      pdf=_pdf_link(article, quotes, pdf_url),
                      references=list(dict.fromkeys(r for q in placed for r in q.references))))
