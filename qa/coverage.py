"""What the indexed articles cover, as an abstention lists it: the articles nearest the question
first, a few of them, then how many more there are. (Their section headings are not listed: a
long list of headings reads as noise; the page offers questions instead.)"""

from __future__ import annotations

from typing import Iterable, Sequence

from .disclaimer import describe_article
from .index import Article


class Coverage:
    def __init__(self, articles: Iterable[Article]):
        # id -> its line, for the articles that may be quoted (a retracted one covers nothing)
        self._lines = {a.id: describe_article(a) for a in articles if not a.retracted}

    def nearest(self, articles: Iterable[str]) -> tuple[str, ...]:
        """The ids of `articles` (of the sentences nearest a question, nearest first) that may be
        quoted, each once."""
        return tuple(a for a in dict.fromkeys(articles) if a in self._lines)

    def lines(self, nearest: Sequence[str], limit: int, scope: Sequence[str] = ()) -> tuple[str, ...]:
        """At most `limit` articles (of the `scope` only, when there is one), the `nearest` (ids)
        first, then "… and N more articles"."""
        listed = [a for a in scope if a in self._lines] if scope else list(self._lines)
        order = list(dict.fromkeys([a for a in nearest if a in self._lines] + listed))[:limit]
        more = len(listed) - limit
        return tuple(self._lines[a] for a in order) + \
            ((f"… and {more:,} more article{'s' if more > 1 else ''}",) if more > 0 else ())
