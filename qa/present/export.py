"""A conversation as one Markdown document: every question, every quote with its citation, the
index build it came from, a timestamp, and the disclaimer at the end (as after every answer)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Sequence

from ..answer import Answer
from .markdown import escape_md, render_markdown


def conversation_markdown(answers: Sequence[Answer], *, disclaimer: str, index_digest: str,
                          built_at: str, articles: Sequence[str], now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    lines = [
        "# QuoteQA conversation",
        "",
        f"- Exported: {now.strftime('%Y-%m-%d %H:%M:%S %Z').strip()}",
        f"- Index build: `{index_digest}` (built {escape_md(built_at)})",
        "- Indexed articles: " + "; ".join(escape_md(a) for a in articles),
        "",
    ]
    for n, answer in enumerate(answers, 1):
        lines += [f"## {n}. {escape_md(answer.question) or '(empty question)'}", "", render_markdown(answer), ""]
    lines += ["---", "", f"*{escape_md(disclaimer)}*", ""]
    return "\n".join(lines)
