"""Why to read a quote (or a side-by-side figure) with care, in words: its article's `qa.caution`s."""

from __future__ import annotations

from ..answer import FigureItem, Quote


def caution_text(quote: Quote | FigureItem) -> str:
    """Why to read a quote with care, in words ("" when there is no reason).

    >>> from qa.caution import Caution
    >>> q = Quote(number=1, text="t", lead_in=None, article_id="a", article_title="T", section=(), chunk_id="a#0",
    ...           start=0, end=1, score=1.0, references=(), caution=(Caution("review-pending"),
    ...           Caution("review-overdue", "2020-01-31"), Caution("old", "2009", 10)))
    >>> caution_text(q)
    'Caution: review pending; review was due 2020-01-31; dated 2009, over 10 years ago'
    """
    words = {"review-pending": lambda c: "review pending", "review-overdue": lambda c: f"review was due {c.date}",
             "old": lambda c: f"dated {c.date}, over {c.years} years ago"}
    reasons = [words[c.kind](c) for c in quote.caution if c.kind in words]
    return f"Caution: {'; '.join(reasons)}" if reasons else ""
