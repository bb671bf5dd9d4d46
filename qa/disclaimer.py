"""Fill the institution-editable disclaimer template with a description of the indexed articles.

The template (corpus/disclaimer.md, copied into the index) may use:
- `$article_count`: how many articles are indexed ("2", "2,000");
- `$article_noun`: "article" or "articles", to agree with the count;
- `$dates`: the articles' dates as they are ("dated 2018-02-02 to 2025-10-31", "dated 2025-10-31;
  1 undated", "undated");
- `$articles`: the articles by name when there are at most `NAMED_ARTICLES`, otherwise the count
  and the date span: a disclaimer must read the same way for 2 articles or 2,000, and a list that
  stops after a few arbitrary names says nothing about the rest.
Anything else is left as written.
"""

from __future__ import annotations

import re
from string import Template
from typing import Iterable

from .facts import article_facts, latest_date, phrase
from .index.records import Article


def describe_article(article: Article) -> str:
    """An article in one short phrase: its title, who published it and its latest date, worded as
    every view words those facts (`qa.facts`).

    >>> a = Article("a", "T", "P", None, None, "2025-10-31", None, None, {}, None, "a.md", "")
    >>> describe_article(a)
    '“T” (P, last updated 2025-10-31)'
    """
    found = article_facts(article)
    by = [value for label, value in found if label in ("publisher", "author")][:1]
    dated = latest_date(found)
    said = ", ".join(by + ([phrase(dated)] if dated else []))
    return f"“{article.title}” ({said})" if said else f"“{article.title}”"


EMPTY_PARENS = re.compile(r"\s*\(\s*\)")
NAMED_ARTICLES = 3  # up to here the articles are named; past it they are counted


def date_span(articles: Iterable[Article]) -> str:
    """The articles' dates as they are: the span of those dated, and how many are not.

    >>> a = Article("a", "T", "P", None, None, "2025-10-31", None, None, {}, None, "a.md", "")
    >>> b = Article("b", "U", None, None, None, None, None, None, {}, None, "b.md", "", published="2018-02-02")
    >>> u = Article("c", "V", None, None, None, None, None, None, {}, None, "c.md", "")
    >>> date_span([a]), date_span([a, b]), date_span([a, u]), date_span([u, u])
    ('dated 2025-10-31', 'dated 2018-02-02 to 2025-10-31', 'dated 2025-10-31; 1 undated', 'undated')
    """
    articles = list(articles)
    found = [d for a in articles if (d := a.last_updated or a.published)]
    undated = len(articles) - len(found)
    if not found:
        return "undated" if articles else ""
    dates = sorted(set(found))
    span = f"dated {dates[0]}" if len(dates) == 1 else f"dated {dates[0]} to {dates[-1]}"
    return f"{span}; {undated:,} undated" if undated else span


def render_disclaimer(template: str, articles: Iterable[Article], *, named: int = NAMED_ARTICLES) -> str:
    """
    >>> a = Article("a", "T", "P", None, None, "2025", None, None, {}, None, "a.md", "")
    >>> t = "From $article_count $article_noun: $articles."
    >>> render_disclaimer(t, [a, a]), render_disclaimer(t, [a] * 2000)
    ('From 2 articles: “T” (P, last updated 2025); “T” (P, last updated 2025).', 'From 2,000 articles: 2,000 articles, dated 2025.')
    """
    articles = list(articles)
    count, dates = f"{len(articles):,}", date_span(articles)
    noun = "article" if len(articles) == 1 else "articles"
    if len(articles) <= named:
        listed = "; ".join(describe_article(a) for a in articles)
    else:
        listed = f"{count} {noun}" + (f", {dates}" if dates else "")
    text = Template(template.strip()).safe_substitute(
        article_count=count, article_noun=noun, dates=dates, articles=listed)
    return " ".join(EMPTY_PARENS.sub("", text).split())  # "($dates)" with no dates leaves nothing behind
