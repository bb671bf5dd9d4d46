"""One citation label per article for a whole conversation.

The engine numbers each answer's sources on their own (the first article an answer quotes is its
[1]). Read as a conversation that makes [1] mean one article in the first answer and another in
the second. `numbered` gives every answer the conversation's numbers instead: the first article
cited anywhere is [1] in every answer that cites it, the next new one [2], and so on. The chat,
the source viewer, "Copy answer" and the export all show the answers it returns.

Pure: answers in, answers out; an answer's quotes keep their order, its sources are listed by number.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from ..answer import Answer


def article_labels(answers: Sequence[Answer]) -> dict[str, int]:
    """article id -> its number in the conversation, in the order articles are first cited.

    Within an answer, articles come in the order its quotes cite them."""
    labels: dict[str, int] = {}
    for answer in answers:
        for quote in answer.quotes:
            labels.setdefault(quote.article_id, len(labels) + 1)
        for source in answer.sources:  # a source without a shown quote still gets a number
            labels.setdefault(source.article_id, len(labels) + 1)
    return labels


def numbered(answers: Sequence[Answer]) -> tuple[Answer, ...]:
    """The answers with their [n] numbers replaced by the conversation's (see the module doc)."""
    labels = article_labels(answers)
    out = []
    for answer in answers:
        quotes = tuple(replace(q, number=labels[q.article_id]) for q in answer.quotes)
        sources = tuple(sorted((replace(s, number=labels[s.article_id]) for s in answer.sources),
                               key=lambda s: s.number))
        figures = {field: tuple(replace(f, items=tuple(replace(i, number=labels[i.article]) for i in f.items))
                                for f in getattr(answer, field)) for field in ("differences", "agreement")}
        out.append(replace(answer, quotes=quotes, sources=sources, **figures))
    return tuple(out)
