"""The library's articles for the page: find them by the words of their titles (and publisher
and tags), list a page of them, and show one whole article in the source viewer, with its facts
and "Ask about this article". For a library of thousands the page never lists them all: the header
says how many there are, and the finder shows the first matches.
"""

from __future__ import annotations

import datetime
import re
from typing import Iterable, Mapping, Sequence

from ..index import Article
from .facts import article_facts, fact_phrases, facts_html, url_of
from .sections import SectionView, section_body
from .templating import render

SHOWN = 20  # articles a search lists; more are narrowed by typing more words
_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


class ArticleFinder:
    """The articles of one build, findable by the words of their title, publisher and tags: each
    article's words and the title order are worked out once, not on every keystroke.

    >>> a = {i: Article(i, t, p, None, None, None, None, None, {}, None, i, "") for i, t, p in
    ...      [("1", "Foot drop", "NHS"), ("2", "Dropsy", None), ("3", "Asthma", "NIH")]}
    >>> f = ArticleFinder(a)
    >>> [x.title for x in f.find("drop")[0]], f.find("nih ast")[1], f.find("")[1]
    (['Dropsy', 'Foot drop'], 1, 3)
    """

    def __init__(self, articles: Mapping[str, Article]):
        self._articles = sorted(articles.values(), key=lambda a: a.title.casefold())
        self._words = [_words(" ".join([a.title, a.publisher or "", *a.tags])) for a in self._articles]

    def find(self, query: str, limit: int = SHOWN) -> tuple[list[Article], int]:
        """The articles holding every word of `query` (each as the start of one of theirs), by
        title: at most `limit`, and how many match in all."""
        asked = _words(query)
        found = [a for a, words in zip(self._articles, self._words)
                 if all(any(w.startswith(q) for w in words) for q in asked)]
        return found[:limit], len(found)


def found_html(shown: Sequence[Article], total: int, query: str, library: int, today: datetime.date) -> str:
    """The finder's result: the articles shown, each a button that opens it, and what is not shown."""
    items = [{"id": a.id, "title": a.title, "said": _said(a, today),
              "about": " — ".join(fact_phrases(article_facts(a))[:2])} for a in shown]
    return str(render("found.html", items=items, total=total, query=query.strip(), library=library,
                      more=total - len(shown)))


def _said(article: Article, today: datetime.date) -> str:
    """What the library keeper must see beside an article: retracted, or its review overdue."""
    if article.retracted:
        return "retracted: never quoted"
    return f"review was due {article.review_by}" if article.review_overdue(today) else ""


def article_html(build, article_id: str) -> str:
    """The whole article in the source viewer: its facts, "Ask about this article", every section."""
    if article_id not in build.articles:
        return "<p class='qqa-meta' role='status'>That article is no longer in the index.</p>"
    article = build.articles[article_id]
    facts = article_facts(article)
    sections = [(" › ".join(path) or "opening paragraphs",
                 section_body(SectionView(article, path, build.section_chunks(article_id, path), ())))
                for path in build.article_sections(article_id)]
    return str(render("article.html", title=article.title, article_id=article.id, facts=facts_html(facts, None),
                      url=url_of(facts), sections=sections))


def flagged(articles: Iterable[Article], today: datetime.date) -> list[tuple[Article, str]]:
    """The articles the keeper must look at (retracted, review overdue), with what to say of each."""
    return [(a, said) for a in articles for said in [_said(a, today)] if said]
