"""Render an `Answer` as Markdown (chat, exports, the JSON API's `markdown`) and as plain text
(terminal).

Everything that came from a user (the question, the resolved query) or from an article is
escaped, so HTML or Markdown in it shows as text and never becomes markup. Quotes appear as
block quotes with their [n] marker; consecutive quotes continuing the same lead-in share it.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from ..answer import Answer, Quote, Source
from . import scoped
from .cautions import caution_text
from .compared import figure_lines, figures_markdown
from .escape import escape_md
from .facts import source_markdown, source_text


def gap_sentence(missing: Sequence[str], unmentioned: str = "", by: Sequence[str] = ()) -> str:
    """What the question asked for and no quote gives, said plainly before the quotes; `by`: the
    titles of the follow-up's topic articles when only they are known not to mention it.

    >>> gap_sentence(("dose", "duration"))
    'The articles give no dose or duration; the nearest passages are:'
    >>> gap_sentence((), "red flags")
    'No indexed article mentions “red flags”; the nearest passages are:'
    >>> gap_sentence(("number",), "relapse rate")
    'The articles give no number and do not mention “relapse rate”; the nearest passages are:'
    >>> gap_sentence((), "side effects", ["Orthoses"])
    'The article this conversation is about (“Orthoses”) does not mention “side effects”; its nearest passages are:'
    """
    if tuple(missing) == ("references",):  # "Evidence for that?" on quotes that cite nothing
        return "The quoted passages cite no references."
    if unmentioned and by:
        titles = "; ".join(f"“{t}”" for t in by)
        said = (f"The article this conversation is about ({titles}) does not mention “{unmentioned}”; its"
                if len(by) == 1 else
                f"The articles this conversation is about ({titles}) do not mention “{unmentioned}”; their")
        return f"{f'The articles give no {_either(list(missing))}. ' if missing else ''}{said} nearest passages are:"
    if not missing:
        return f"No indexed article mentions “{unmentioned}”; the nearest passages are:"
    gap = f"The articles give no {_either(list(missing))}"
    return f"{gap}{f' and do not mention “{unmentioned}”' if unmentioned else ''}; the nearest passages are:"


def has_gap(answer: Answer) -> bool:
    """Whether an answer with quotes says first what they do not give (`gap_sentence`)."""
    return bool(answer.quotes and (answer.missing or answer.unmentioned))


def _either(items: Sequence[str]) -> str:
    return ", ".join(items[:-1]) + " or " + items[-1] if len(items) > 1 else "".join(items)


def unknown_sentence(unknown: Sequence[str]) -> str:
    """Which names of the question no indexed article uses.

    >>> unknown_sentence(("Gaucher",)), unknown_sentence(("Kluver", "Bucy"))
    ('No indexed article mentions “Gaucher”.', 'No indexed article mentions “Kluver” or “Bucy”.')
    """
    return f"No indexed article mentions {_either([f'“{w}”' for w in unknown])}."


def source_line(src: Source) -> str:
    """One numbered source in Markdown: its facts (`facts.source_markdown`), the sections quoted,
    and the article's own references the quoted sentences cite."""
    sections = src.sections or (src.section,)
    quoted = (("Sections: " if len(sections) > 1 else "Section: ")
              + "; ".join(escape_md(" › ".join(s) if s else "opening paragraphs") for s in sections))
    line = source_markdown(src, [quoted])
    for ref in src.references:
        entry = escape_md(ref.entry) if ref.entry else "not listed in the article's reference list"
        line += f"<br>  Article reference {escape_md(ref.label)}: {entry}"
    return line


def page_label(quote: Quote) -> str:
    """", p. 3" after a quote's number when it comes from a page of an imported PDF, else ""."""
    return f", p. {quote.page}" if quote.page else ""


def withheld_sentence(titles: Sequence[str]) -> str:
    """
    >>> withheld_sentence(["A"]), withheld_sentence(["A", "B"])[:30]
    ('“A” is marked retracted, so it is not quoted.', '“A” and “B” are marked retract')
    """
    if not titles:
        return ""
    named = " and ".join(f"“{t}”" for t in titles)
    return f"{named} {'is' if len(titles) == 1 else 'are'} marked retracted, so {'it is' if len(titles) == 1 else 'they are'} not quoted."


def _quote_blocks(quotes: Sequence[Quote]) -> list[str]:
    blocks, last_lead = [], None
    for q in quotes:
        body = f"“{escape_md(q.text)}” **\\[{q.number}{page_label(q)}\\]**"
        if caution_text(q):
            body += f" *({escape_md(caution_text(q))})*"
        if q.lead_in and q.lead_in == last_lead:
            blocks[-1] += f"\n>\n> • {body}"
        elif q.lead_in:
            blocks.append(f"> {escape_md(q.lead_in)}\n>\n> • {body}")
        else:
            blocks.append(f"> {body}")
        last_lead = q.lead_in
    return blocks


def _message_markdown(answer: Answer, articles: Mapping | None) -> str:
    if answer.status != "abstained":
        return escape_md(answer.message or "")
    text = f"**{escape_md(scoped.message(answer, articles) or '')}**"
    if unknown_sentence(answer.unknown):
        text += f" {escape_md(unknown_sentence(answer.unknown))}"
    if answer.coverage:
        text += "\n\nThey cover:\n\n" + "\n".join(f"- {escape_md(line)}" for line in answer.coverage)
    if answer.scope:  # the scope did not answer: all the articles may
        text += f"\n\n{escape_md(scoped.SEARCH_ALL)}"
    return text


def render_markdown(answer: Answer, articles: Mapping | None = None) -> str:
    """The answer in Markdown; `articles` (the build's, id -> Article) names a scope by its titles."""
    parts = []
    if reading(answer):
        parts.append(f"*{escape_md(reading(answer))}*")
    if scoped.scope_line(answer, articles):
        parts.append(f"*{escape_md(scoped.scope_line(answer, articles))}*")
    if answer.message:
        parts.append(_message_markdown(answer, articles))
    if has_gap(answer):
        parts.append(f"*{escape_md(gap_sentence(answer.missing, answer.unmentioned, answer.unmentioned_by))}*")
    if answer.withheld:
        parts.append(f"*{escape_md(withheld_sentence(answer.withheld))}*")
    parts.extend(_quote_blocks(answer.quotes))
    parts.extend(figures_markdown(answer))
    if answer.sources:
        parts.append("**Sources**\n\n" + "\n".join(source_line(s) for s in answer.sources))
    parts.append(f"---\n*{escape_md(answer.disclaimer)}*")
    return "\n\n".join(parts)


def reading(answer: Answer) -> str | None:
    """How a conversational turn was read, in words: the turn as it was searched ("Read as: “Can
    an ankle-foot orthosis be bought off the shelf?”"), or the turn and the earlier question it
    continues, and the topic's articles. None for a question read on its own."""
    if not (answer.followup or answer.context):
        return None
    after = f"“{answer.after}”" if answer.after else "the previous question"
    text = {"more": f"more quotes on {after}, not those shown before",
            "why": f"what explains the answer to {after}",
            "evidence": f"the references behind the answer to {after}"}.get(answer.intent)
    if text is None:
        text = f"“{answer.reading}”" if answer.reading else \
            f"“{answer.question}”, continuing {after}" if answer.after else f"“{answer.question}”"
    context = f" in the context of {'; '.join(f'“{t}”' for t in answer.context)}" if answer.context else ""
    return f"Read as: {text}{context}"


def preamble_lines(answer: Answer, bullet: str = "  - ", articles: Mapping | None = None) -> list[str]:
    """Plain-text lines before the quotes: how the question was read, its scope, the message, the gap."""
    lines = [line for line in (reading(answer), scoped.scope_line(answer, articles)) if line]
    lines += [""] if lines else []
    if answer.message:
        message, unknown = scoped.message(answer, articles), unknown_sentence(answer.unknown)
        lines += [message + (f" {unknown}" if unknown else ""), ""]
        if answer.coverage:
            lines += ["They cover:", *[f"{bullet}{line}" for line in answer.coverage], ""]
        if answer.scope and answer.status == "abstained":
            lines += [scoped.SEARCH_ALL, ""]
    if has_gap(answer):
        lines += [gap_sentence(answer.missing, answer.unmentioned, answer.unmentioned_by), ""]
    if answer.withheld:
        lines += [withheld_sentence(answer.withheld), ""]
    return lines


def render_text(answer: Answer, *, with_question: bool = False, articles: Mapping | None = None) -> str:
    """The answer as plain text; `with_question` puts the question first, for a copy pasted elsewhere."""
    lines = ([f"Question: {answer.question}", ""] if with_question else []) + preamble_lines(answer, articles=articles)
    for q in answer.quotes:
        if q.lead_in:
            lines.append(f"  {q.lead_in}")
        lines += [f"  “{q.text}” [{q.number}{page_label(q)}]" + (f" ({caution_text(q)})" if caution_text(q) else ""), ""]
    lines += figure_lines(answer)
    if answer.sources:
        lines.append("Sources")
        lines += [line for s in answer.sources for line in _source_text(s)]
        lines.append("")
    lines += ["—", answer.disclaimer]
    return "\n".join(lines)


def _source_text(s: Source) -> list[str]:
    sections = "; ".join(" > ".join(x) for x in (s.sections or (s.section,)) if x)
    return [f"  {source_text(s, [sections] if sections else [])}",
            *[f"      reference {ref.label}: {ref.entry or 'not listed in the article'}" for ref in s.references]]


def answer_json(answer: Answer, articles: Mapping | None = None) -> dict:
    """The answer as the JSON API and `python -m qa --json` give it: its data plus the chat's Markdown
    (a scoped abstention's message says which articles did not answer)."""
    data = answer.to_json()
    data["message"] = scoped.message(answer, articles)
    data["markdown"] = render_markdown(answer, articles)
    return data
