"""Why a quote should be read with caution, from its article's metadata: its review is pending,
its review date has passed, or it is older than `max_age_years` (by its latest date). Data, not
words: `qa.present` says them.

>>> from qa.index import Article
>>> a = Article("a", "T", None, None, None, "2009", "Pending review", None, {}, None, "a.md", "x",
...             review_by="2020-01-31")
>>> [(c.kind, c.date) for c in cautions(a, datetime.date(2026, 12, 1))]
[('review-pending', None), ('review-overdue', '2020-01-31'), ('old', '2009')]
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from .index import Article

# review statuses that say no review has concluded (the corpus's own words vary: "Pending human
# review", "Under review", "Not reviewed", "Draft")
PENDING = re.compile(r"\b(pending|under review|not (yet )?reviewed|unreviewed|awaiting review|draft)\b", re.I)
YEAR = re.compile(r"\b(19|20)\d{2}\b")


@dataclass(frozen=True)
class Caution:
    kind: str  # "review-pending", "review-overdue" or "old"
    date: str | None = None  # the review date passed, or the article's latest date as it gives it
    years: int | None = None  # for "old": the age beyond which articles are marked


def cautions(article: Article, today: datetime.date, max_age_years: int = 10) -> tuple[Caution, ...]:
    found = []
    if article.review_status and PENDING.search(article.review_status):
        found.append(Caution("review-pending"))
    if article.review_overdue(today):
        found.append(Caution("review-overdue", article.review_by))
    latest = max(((int(m.group(0)), text) for text in (article.last_updated, article.published) if text
                  for m in [YEAR.search(text)] if m), default=None)
    if latest is not None and today.year - latest[0] > max_age_years:
        found.append(Caution("old", latest[1], max_age_years))
    return tuple(found)
