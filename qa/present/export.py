"""A conversation as one clean document (Markdown that reads as plain text: no escape characters):
every question, every quote with its citation, the sources listed once, the disclaimer once, and
a footer with the index build and the export time.

Citation numbers are per article across the whole export (an article keeps one number in every
answer), so the source list at the end holds each article once. Does not write files.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Sequence

from ..answer import Answer, Source
from .markdown import preamble_lines


def _source_line(number: int, s: Source) -> str:
    facts = [" · ".join(x for x in (s.publisher, s.author) if x), s.published and f"published {s.published}",
             s.last_updated and f"last updated {s.last_updated}", s.review_status and f"review status: {s.review_status}",
             s.license and f"license: {s.license}", s.doi and f"DOI {s.doi}", s.url]
    return f"[{number}] {s.title}" + "".join(f" — {x}" for x in facts if x)


def _answer_lines(answer: Answer, renumber: dict[int, int]) -> list[str]:
    lines = preamble_lines(answer, bullet="- ")
    lead = None
    for q in answer.quotes:
        if q.lead_in and q.lead_in != lead:
            lines += [f"> {q.lead_in}"]
        where = f" (item {q.list_index} of {q.list_total})" if q.list_total else ""
        lines += [f"> “{q.text}” [{renumber[q.number]}]{where}", ""]
        lead = q.lead_in
    return lines


def conversation_markdown(answers: Sequence[Answer], *, disclaimer: str, index_digest: str,
                          built_at: str, articles: Sequence[str], now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    numbers: dict[str, int] = {}  # article id -> its number in this export
    sources: dict[str, Source] = {}
    lines = ["# QuoteQA conversation", ""]
    for n, answer in enumerate(answers, 1):
        renumber = {}
        for s in answer.sources:
            numbers.setdefault(s.article_id, len(numbers) + 1)
            sources.setdefault(s.article_id, s)
            renumber[s.number] = numbers[s.article_id]
        lines += [f"## {n}. {' '.join(answer.question.split()) or '(empty question)'}", ""]
        lines += _answer_lines(answer, renumber)
    if sources:
        lines += ["## Sources", "", *[_source_line(numbers[a], s) for a, s in sources.items()], ""]
    lines += ["---", "", disclaimer, "", "---", "",
              f"Exported {now.strftime('%Y-%m-%d %H:%M:%S %Z').strip()} from QuoteQA · index build {index_digest}"
              f" (built {built_at}) · indexed articles: " + "; ".join(articles), ""]
    return "\n".join(lines)
