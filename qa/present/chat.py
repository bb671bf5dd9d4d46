"""The chat page's conversation as HTML: each answer quote first, its `[n]` citations as buttons,
partial lists and gaps said out loud, sources and the disclaimer compact at the foot of the answer.

Every piece of text from a user or an article is HTML-escaped here, so a question holding markup
shows as text. The buttons carry `data-action` attributes that the page's script turns into
events (`cite`, `rate`, `reason`, `copy`, `ask`); this module only writes the markup and knows
nothing of Gradio, the network or the feedback file.
"""

from __future__ import annotations

import html
from typing import Collection, Mapping, Sequence

from ..answer import Answer, Quote, Source
from .labels import numbered
from .markdown import caution_text, gap_sentence, has_gap, reading, render_text, unknown_sentence, withheld_sentence
from .suggest import in_scope


def _e(text: str | None) -> str:
    return html.escape(text or "", quote=True)


def disclaimer_parts(disclaimer: str) -> tuple[str, str]:
    """(first sentence, the rest): the first shows under every answer, the rest folds away.

    >>> disclaimer_parts("For professionals only. Not advice. Check it.")
    ('For professionals only.', 'Not advice. Check it.')
    """
    head, sep, rest = disclaimer.partition(". ")
    return (head + "." if sep else head), rest.strip()


def cite_button(turn: int, source: Source | None, number: int) -> str:
    title = source.title if source else "source"
    return (f"<button type='button' class='qqa-cite' data-action='cite' data-turn='{turn}' data-n='{number}' "
            f"aria-label='Source {number}: {_e(title)}'>[{number}]</button>")


def _list_note(group: Sequence[Quote]) -> str:
    """'2 of 6 items quoted — show all', expanding in place to the whole list (quoted items marked)."""
    first = group[0]
    if not first.list_total or not first.list_items:
        return ""
    shown = {q.list_index for q in group if q.list_index}
    if len(shown) >= first.list_total:
        return f"<p class='qqa-listnote'>All {first.list_total} items of this list are quoted.</p>"
    items = "".join(f"<li>{'<mark>' + _e(t) + '</mark>' if k in shown else _e(t)}</li>"
                    for k, t in enumerate(first.list_items, 1))
    return (f"<details class='qqa-listnote'><summary>{len(shown)} of {first.list_total} items quoted"
            f" — show all</summary><ol>{items}</ol></details>")


def _groups(quotes: Sequence[Quote]) -> list[list[Quote]]:
    """Consecutive quotes continuing the same lead-in in the same article share one block."""
    groups: list[list[Quote]] = []
    for q in quotes:
        last = groups[-1][0] if groups else None
        if last and q.lead_in and (q.lead_in, q.article_id) == (last.lead_in, last.article_id):
            groups[-1].append(q)
        else:
            groups.append([q])
    return groups


def _caution_html(quote: Quote) -> str:
    """A visible marker on the quote itself, with its reason (not only in a tooltip)."""
    text = caution_text(quote)
    return f" <span class='qqa-caution'><span aria-hidden='true'>⚠ </span>{_e(text)}</span>" if text else ""


def quotes_html(answer: Answer, turn: int) -> str:
    sources = {s.number: s for s in answer.sources}
    blocks = []
    for group in _groups(answer.quotes):
        cited = [f"“{_e(q.text)}” {cite_button(turn, sources.get(q.number), q.number)}{_caution_html(q)}" for q in group]
        if group[0].lead_in:
            items = "".join(f"<li>{c}</li>" for c in cited)
            blocks.append(f"<blockquote class='qqa-quote'><p class='qqa-lead'>{_e(group[0].lead_in)}</p>"
                          f"<ul>{items}</ul>{_list_note(group)}</blockquote>")
        else:
            blocks.append(f"<blockquote class='qqa-quote'><p>{cited[0]}</p></blockquote>")
    return "".join(blocks)


def source_item(source: Source, turn: int) -> str:
    """One source in an answer's list: who, when, status, license, DOI, link to the original."""
    by = " · ".join(x for x in (source.publisher, source.author) if x)
    dated = source.published or source.last_updated
    facts = [by, source.published and f"published {source.published}",
             source.last_updated and f"last updated {source.last_updated}", not dated and "no date given",
             f"review status: {source.review_status or 'not stated'}",
             source.license and f"license: {source.license}", source.doi and f"DOI {source.doi}"]
    text = " — ".join(_e(x) for x in facts if x)
    link = ""
    if source.url and source.url.startswith(("https://", "http://")):
        link = f" — <a href='{_e(source.url)}' target='_blank' rel='noopener noreferrer'>original article</a>"
    return (f"<li>{cite_button(turn, source, source.number)} <cite>{_e(source.title)}</cite>"
            f"{' — ' + text if text else ''}{link}</li>")


def _ask_buttons(questions: Sequence[str]) -> str:
    return "".join(f"<li><button type='button' class='qqa-example' data-action='ask' data-text='{_e(x)}'>"
                   f"{_e(x)}</button></li>" for x in questions)


def _message_html(answer: Answer, questions: Mapping[str, Sequence[str]]) -> str:
    if not answer.message:
        return ""
    out = f"<p class='qqa-message'><strong>{_e(answer.message)}</strong>"
    out += f" {_e(unknown_sentence(answer.unknown))}</p>" if answer.unknown else "</p>"
    offered = in_scope(answer.nearest, questions) if answer.abstained else ()
    if offered:
        out += f"<div class='qqa-offer'><p>Questions the nearest articles answer:</p><ul>{_ask_buttons(offered)}</ul></div>"
    if answer.coverage:
        out += "<p>They cover:</p><ul>" + "".join(f"<li>{_e(c)}</li>" for c in answer.coverage) + "</ul>"
    return out


def _feedback_html(turn: int, rating: str | None, noted: bool, copy_text: str) -> str:
    buttons = "".join(
        f"<button type='button' class='qqa-fb' data-action='rate' data-turn='{turn}' data-rating='{value}' "
        f"aria-pressed='{'true' if rating == value else 'false'}'>{label}</button>"
        for value, label in (("up", "Helpful"), ("down", "Not helpful")))
    reason = ""
    if rating and noted:
        reason = "<span class='qqa-reason' role='status'>Thank you: your reason was recorded.</span>"
    elif rating:
        reason = (f"<span class='qqa-reason'><label for='qqa-reason-{turn}'>Why? (optional)</label>"
                  f"<input id='qqa-reason-{turn}' type='text' maxlength='200' autocomplete='off'>"
                  f"<button type='button' data-action='reason' data-turn='{turn}'>Send reason</button></span>")
    copy = (f"<button type='button' class='qqa-copy' data-action='copy' data-turn='{turn}'>Copy answer</button>"
            f"<textarea class='qqa-copytext' hidden aria-hidden='true' tabindex='-1'>{_e(copy_text)}</textarea>")
    return f"<div class='qqa-actions' role='group' aria-label='Feedback on answer {turn + 1}'>{buttons}{reason}{copy}</div>"


def answer_html(answer: Answer, turn: int, rating: str | None = None, noted: bool = False,
                questions: Mapping[str, Sequence[str]] | None = None) -> str:
    """One question and its answer: quotes first, then gaps, sources and the disclaimer, folded.
    A refusal offers questions of the nearest articles (`questions`: article id -> its questions)."""
    parts = [f"<h2 class='qqa-q' id='qqa-q-{turn}'><span class='qqa-sr'>Question {turn + 1}: </span>"
             f"{_e(answer.question) or '(empty question)'}</h2>"]
    if reading(answer):
        parts.append(f"<p class='qqa-searched'>{_e(reading(answer))}</p>")
    parts.append(_message_html(answer, questions or {}))
    if has_gap(answer):
        parts.append(f"<p class='qqa-gap'>{_e(gap_sentence(answer.missing, answer.unmentioned, answer.unmentioned_by))}</p>")
    if answer.withheld:
        parts.append(f"<p class='qqa-withheld'>{_e(withheld_sentence(answer.withheld))}</p>")
    parts.append(quotes_html(answer, turn))
    if answer.sources:
        items = "".join(source_item(s, turn) for s in answer.sources)
        parts.append(f"<details class='qqa-sources'><summary>Sources ({len(answer.sources)})</summary>"
                     f"<ol>{items}</ol></details>")
    head, rest = disclaimer_parts(answer.disclaimer)
    parts.append(f"<details class='qqa-disclaimer'><summary>{_e(head)}</summary><p>{_e(rest)}</p></details>")
    parts.append(_feedback_html(turn, rating, noted, render_text(answer, with_question=True)))
    return (f"<article class='qqa-turn' id='qqa-turn-{turn}' aria-labelledby='qqa-q-{turn}'>"
            + "".join(parts) + "</article>")


def covers_line(titles: Sequence[str], shown: int = 3) -> str:
    """What the indexed articles are, in one line for the empty page: their titles, or the first few.

    >>> covers_line(["Foot drop", "Gait"])
    'The 2 indexed articles: “Foot drop”; “Gait”.'
    >>> covers_line(["A", "B", "C", "D", "E"])
    'The 5 indexed articles include “A”; “B”; “C” and 2 more (listed under “About this index”).'
    """
    named = "; ".join(f"“{t}”" for t in titles[:shown])
    if len(titles) <= shown:
        return f"The {'only indexed article' if len(titles) == 1 else f'{len(titles)} indexed articles'}: {named}."
    return f"The {len(titles):,} indexed articles include {named} and {len(titles) - shown:,} more (listed under “About this index”)."


def conversation_html(answers: Sequence[Answer], ratings: Mapping[int, str] | None = None,
                      examples: Sequence[str] = (), noted: Collection[int] = (), repeated: bool = False,
                      titles: Sequence[str] = (), questions: Mapping[str, Sequence[str]] | None = None) -> str:
    """The whole conversation; an empty one offers example questions instead. `repeated`: the last
    question was just asked again, and the page says where its answer is rather than nothing;
    `titles`: the indexed articles', which the empty page names; `questions`: each article's
    questions (`suggest.article_questions`), which a refusal offers. Citation
    numbers are the conversation's (`labels.numbered`): an article keeps its [n] in every answer."""
    ratings = ratings or {}
    if not answers:
        buttons = _ask_buttons(examples)
        covers = f"<p class='qqa-covers'>{_e(covers_line(titles))}</p>" if titles else ""
        return ("<div class='qqa-log qqa-empty'><p>Ask a clinical question. Answers are quotes from the indexed "
                f"articles only.</p>{covers}{'<p>For example:</p><ul>' + buttons + '</ul>' if buttons else ''}</div>")
    turns = "".join(answer_html(a, t, ratings.get(t), t in noted, questions) for t, a in enumerate(numbered(answers)))
    if repeated:
        turns += (f"<p class='qqa-repeat' role='status'>You just asked this: its answer is answer {len(answers)}, "
                  "above.</p>")
    return f"<div class='qqa-log'>{turns}</div>"
