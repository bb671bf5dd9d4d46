"""Render an answer as Markdown (chat, exports) and as plain text (terminal).

Everything that came from a user (the question, the resolved query) or from an article is
escaped, so HTML or Markdown in it shows as text and never becomes markup. Quotes appear as
block quotes with their [n] marker; consecutive quotes continuing the same lead-in share it.
"""

from __future__ import annotations

import html
import re
from typing import Sequence

from .answer import Quote, Source

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def escape_md(text: str) -> str:
    """Make text inert in Markdown and HTML.

    >>> escape_md("<img src=x> *a*")
    '&lt;img src=x&gt; \\\\*a\\\\*'
    """
    return _MD_SPECIAL.sub(r"\\\1", html.escape(" ".join(text.split()), quote=False))


def source_line(src: Source) -> str:
    by = " · ".join(x for x in (src.publisher, src.author) if x)
    parts = [f"*{escape_md(src.title)}*"]
    if by:
        parts.append(escape_md(by))
    parts.append("Section: " + escape_md(" › ".join(src.section) if src.section else "opening paragraphs"))
    if src.last_updated:
        parts.append(f"Last updated {escape_md(src.last_updated)}")
    if src.review_status:
        parts.append(f"Review status: {escape_md(src.review_status)}")
    line = " — ".join(parts)
    for ref in src.references:
        entry = escape_md(ref.entry) if ref.entry else "not listed in the article's reference list"
        line += f"<br>  Article reference {escape_md(ref.label)}: {entry}"
    return f"{src.number}. {line}"


def _quote_blocks(quotes: Sequence[Quote]) -> list[str]:
    blocks, last_lead = [], None
    for q in quotes:
        body = f"“{escape_md(q.text)}” **\\[{q.number}\\]**"
        if q.lead_in and q.lead_in == last_lead:
            blocks[-1] += f"\n>\n> • {body}"
        elif q.lead_in:
            blocks.append(f"> {escape_md(q.lead_in)}\n>\n> • {body}")
        else:
            blocks.append(f"> {body}")
        last_lead = q.lead_in
    return blocks


def render_markdown(*, question: str, query: str, followup: bool, quotes: Sequence[Quote],
                    sources: Sequence[Source], message: str | None, disclaimer: str) -> str:
    parts = []
    if followup:
        parts.append(f"*Searched for:* {escape_md(query)}")
    if message:
        parts.append(message)
    parts.extend(_quote_blocks(quotes))
    if sources:
        parts.append("**Sources**\n\n" + "\n".join(source_line(s) for s in sources))
    parts.append(f"---\n*{escape_md(disclaimer)}*")
    return "\n\n".join(parts)


def render_text(*, query: str, followup: bool, quotes: Sequence[Quote], sources: Sequence[Source],
                message: str | None, disclaimer: str) -> str:
    lines = []
    if followup:
        lines += [f"Searched for: {query}", ""]
    if message:
        lines += [message, ""]
    for q in quotes:
        if q.lead_in:
            lines.append(f"  {q.lead_in}")
        lines += [f"  “{q.text}” [{q.number}]", ""]
    if sources:
        lines.append("Sources")
        for s in sources:
            meta = " | ".join(x for x in (s.publisher, s.author, " > ".join(s.section) or None,
                                          s.last_updated and f"updated {s.last_updated}", s.review_status) if x)
            lines.append(f"  [{s.number}] {s.title} | {meta}")
            for ref in s.references:
                lines.append(f"      reference {ref.label}: {ref.entry or 'not listed in the article'}")
        lines.append("")
    lines += ["—", disclaimer]
    return "\n".join(lines)
