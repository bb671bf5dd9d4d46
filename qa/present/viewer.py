"""The source viewer: one cited article of one answer, with every section that answer quoted from
it, the quoted sentences in <mark>, and what is known about the article (who, when, review
status, license, DOI, a link to the original).

Reads the engine's public views of the index (`articles`, `section_chunks`); all text is escaped.
Does not decide which answer or number is shown: the page passes them in.
"""

from __future__ import annotations

import html
from dataclasses import replace
from typing import Sequence

from ..answer import Answer, Quote
from ..index import Article
from .sections import SectionView, section_body

VIEWER_HINT = "<p class='qqa-meta'>Select a citation such as [1] in any answer to read the section it quotes.</p>"


def _e(text: str | None) -> str:
    return html.escape(text or "", quote=True)


def article_facts(a: Article) -> str:
    facts = [x for x in (a.publisher, a.author, a.author_affiliation) if x]
    facts += [f"{label} {value}" for label, value in (
        ("published", a.published), ("last updated", a.last_updated),
        ("review status:", a.review_status or "not stated"), ("license:", a.license), ("DOI", a.doi)) if value]
    if not (a.published or a.last_updated):
        facts.append("no date given")
    out = f"<p class='qqa-meta'>{_e(' · '.join(facts))}</p>"
    if a.url and a.url.startswith(("https://", "http://")):
        out += (f"<p><a href='{_e(a.url)}' target='_blank' rel='noopener noreferrer'>Open the original "
                f"article</a></p>")
    return out


def _sections(engine, quotes: Sequence[Quote]) -> list[SectionView]:
    article = engine.articles[quotes[0].article_id]
    in_order = sorted(quotes, key=lambda q: q.start)
    views = []
    for section in dict.fromkeys(q.section for q in in_order):
        marks = tuple((q.start, q.end) for q in in_order if q.section == section)
        views.append(SectionView(article, section, engine.section_chunks(article.id, section), marks))
    return views


def _references(quotes: Sequence[Quote]) -> str:
    refs = dict.fromkeys(r for q in quotes for r in q.references)
    if not refs:
        return ""
    items = "".join(f"<li><span class='qqa-ref'>ref. {_e(r.label)}</span> {_e(r.entry) if r.entry else 'not listed in the article’s reference list'}</li>"
                    for r in refs)
    return f"<p class='qqa-refs-title'>The article cites for the quoted sentences:</p><ul class='qqa-refs'>{items}</ul>"


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


def source_html(engine, answer: Answer, turn: int, number: int) -> str:
    """HTML for source `number` of `answer` (the `turn`-th answer, 0-based), numbered as the page
    shows it (`labels.numbered`), marked where the quotes stand in the engine's build of the article."""
    quotes = [q for q in answer.quotes if q.number == number]
    if not quotes or quotes[0].article_id not in engine.articles:
        return "<p class='qqa-meta' role='status'>That source is no longer in the index; ask again.</p>"
    article = engine.articles[quotes[0].article_id]
    parts = ["<button type='button' class='qqa-close'>Close</button>",
             f"<p class='qqa-meta'>Source [{number}], as cited in answer {turn + 1}</p>",
             f"<h2 id='qqa-source-title' tabindex='-1'>{_e(article.title)}</h2>", article_facts(article)]
    quotes, lost = as_now(engine, quotes)
    if lost:
        which = ("the passages it quoted from here are" if not quotes else
                 f"{len(lost)} of the {len(lost) + len(quotes)} passages it quoted from here "
                 f"{'is' if len(lost) == 1 else 'are'}")
        parts.append(f"<p class='qqa-meta qqa-changed' role='status'>The article has changed since answer {turn + 1} "
                     f"(the index was rebuilt): {which} no longer in it"
                     f"{'' if not quotes else '; the others are marked where they now stand'}. "
                     "Ask again to quote its current version.</p>")
    for view in (_sections(engine, quotes) if quotes else ()):
        parts.append(f"<h3 class='qqa-path'>Section: {_e(' › '.join(view.section) or 'opening paragraphs')}</h3>")
        parts.append(section_body(view))
    parts.append(_references(quotes))
    parts.append(f"<p><a href='#qqa-turn-{turn}' class='qqa-back'>Back to answer {turn + 1}</a></p>")
    return "<div class='qqa-source'>" + "\n".join(parts) + "</div>"
