"""Fill the institution-editable disclaimer template with the indexed articles.

The template (corpus/disclaimer.md, copied into the index) may use `$article_count` and
`$articles`; anything else is left as written.
"""

from __future__ import annotations

from string import Template
from typing import Iterable

from .index.records import Article


def describe_article(article: Article) -> str:
    by = article.publisher or article.author
    dated = f", updated {article.last_updated}" if article.last_updated else ""
    return f"“{article.title}” ({by}{dated})" if by else f"“{article.title}”{dated}"


NAMED_ARTICLES = 8  # a library of thousands is summarised, not listed


def render_disclaimer(template: str, articles: Iterable[Article], *, named: int = NAMED_ARTICLES) -> str:
    """
    >>> a = Article("a", "T", "P", None, None, "2025", None, None, {}, None, "a.md", "")
    >>> render_disclaimer("From $article_count: $articles.", [a, a, a], named=2)
    'From 3: “T” (P, updated 2025); “T” (P, updated 2025); and 1 more.'
    """
    articles = list(articles)
    listed = [describe_article(a) for a in articles[:named]]
    if len(articles) > named:
        listed.append(f"and {len(articles) - named:,} more")
    text = Template(template.strip()).safe_substitute(article_count=f"{len(articles):,}", articles="; ".join(listed))
    return " ".join(text.split())
