"""Fill the institution-editable disclaimer template with the indexed articles.

The template (corpus/disclaimer.md, copied into the index) may use `$article_count` and
`$articles`; anything else is left as written.
"""

from __future__ import annotations

from string import Template
from typing import Iterable

from .records import Article


def describe_article(article: Article) -> str:
    by = article.publisher or article.author
    dated = f", updated {article.last_updated}" if article.last_updated else ""
    return f"“{article.title}” ({by}{dated})" if by else f"“{article.title}”{dated}"


def render_disclaimer(template: str, articles: Iterable[Article]) -> str:
    articles = list(articles)
    text = Template(template.strip()).safe_substitute(
        article_count=str(len(articles)),
        articles="; ".join(describe_article(a) for a in articles),
    )
    return " ".join(text.split())
