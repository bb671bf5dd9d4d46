"""A conversation as one clean document (Markdown that reads as plain text: no escape characters):
every question, every quote with its citation, the sources listed once, the disclaimer once, and
a footer with the index build and the export time.

Citation numbers are the conversation's, as in the chat (`labels.numbered`: an article keeps one
number in every answer), so the source list at the end holds each article once. Does not write files.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Sequence

from ..answer import Answer, Source
from .facts import source_text
from .labels import numbered
from .cautions import caution_text
from .compared import figure_lines
from .markdown import page_label, preamble_lines


def _answer_lines(answer: Answer) -> list[str]:
    lines = preamble_lines(answer, bullet="- ")
    lead = None
    for q in answer.quotes:
        if q.lead_in and q.lead_in != lead:
            lines += [f"> {q.lead_in}"]
        where = f" (item {q.list_index} of {q.list_total})" if q.list_total else ""
        caution = f" ({caution_text(q)})" if caution_text(q) else ""
        lines += [f"> “{q.text}” [{q.number}{page_label(q)}]{where}{caution}", ""]
        lead = q.lead_in
    return lines + figure_lines(answer, bullet="- ", quoted="")


def conversation_markdown(answers: Sequence[Answer], *, disclaimer: str, index_digest: str,
                          built_at: str, articles: Sequence[str], now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    sources: dict[str, Source] = {}  # article id -> its source, first seen
    lines = ["# QuoteQA conversation", ""]
    for n, answer in enumerate(numbered(answers), 1):
        sources.update({s.article_id: s for s in answer.sources if s.article_id not in sources})
        lines += [f"## {n}. {' '.join(answer.question.split()) or '(empty question)'}", ""]
        lines += _answer_lines(answer)
    if sources:
        in_order = sorted(sources.values(), key=lambda s: s.number)
        lines += ["## Sources", "", *[source_text(s) for s in in_order], ""]
    lines += ["---", "", disclaimer, "", "---", "",
              f"Exported {now.strftime('%Y-%m-%d %H:%M:%S %Z').strip()} from QuoteQA · index build {index_digest}"
              f" (built {built_at}) · indexed articles: " + "; ".join(articles), ""]
    return "\n".join(lines)


def export_name(answers: Sequence[Answer], now: datetime | None = None) -> str:
    """The file name an export downloads as: the conversation's first question and the time.

    >>> export_name([], datetime(2026, 11, 30, 21, 5))
    'quoteqa-conversation-2026-11-30-2105.md'
    """
    now = now or datetime.now(timezone.utc)
    words = re.findall(r"[a-z0-9]+", answers[0].question.lower()) if answers else []
    slug = "-".join(words[:8])[:60].strip("-") or "conversation"
    return f"quoteqa-{slug}-{now.strftime('%Y-%m-%d-%H%M')}.md"
