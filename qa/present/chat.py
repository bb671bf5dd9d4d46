"""The chat page's conversation as HTML: each answer quote first, its `[n]` citations as buttons,
partial lists and gaps said out loud, sources and the disclaimer compact at the foot of the answer.

The markup is in templates (`templates/conversation.html`, `turn.html`, `quotes.html`,
`feedback.html`) that escape every piece of text from a user or an article, so a question holding
markup shows as text; this module gathers what they show. The buttons carry `data-action`
attributes that the page's script turns into events (`cite`, `rate`, `reason`, `copy`, `ask`, and
`everywhere`: a scoped question its scope did not answer, asked again of all the articles);
this module only writes the markup and knows nothing of Gradio, the network or the feedback file.
"""

from __future__ import annotations

from typing import Any, Collection, Mapping, Sequence

from markupsafe import Markup

from ..answer import Answer, Quote
from .facts import source_html_line
from .labels import numbered
from .cautions import caution_text
from .compared import figures_html
from .markdown import gap_sentence, has_gap, reading, render_text, unknown_sentence, withheld_sentence
from .scoped import message, scope_line
from .suggest import in_scope
from .templating import render


def disclaimer_parts(disclaimer: str) -> tuple[str, str]:
    """(first sentence, the rest): the first shows under every answer, the rest folds away.

    >>> disclaimer_parts("For professionals only. Not advice. Check it.")
    ('For professionals only.', 'Not advice. Check it.')
    """
    head, sep, rest = disclaimer.partition(". ")
    return (head + "." if sep else head), rest.strip()


def _list_note(group: Sequence[Quote]) -> dict[str, Any] | None:
    """How much of a list the quotes give ("2 of 6 items quoted"), and the whole list, quoted items marked."""
    first = group[0]
    if not first.list_total or not first.list_items:
        return None
    shown = {q.list_index for q in group if q.list_index}
    return {"total": first.list_total, "shown": len(shown),
            "items": [(text, k in shown) for k, text in enumerate(first.list_items, 1)]}


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


def quotes_html(answer: Answer, turn: int) -> Markup:
    """The answer's quotes, each with its citation button and, when there is one, its caution
    marked on the quote itself (not only in a tooltip)."""
    titles = {s.number: s.title for s in answer.sources}
    groups = [{"lead_in": group[0].lead_in, "note": _list_note(group),
               "quotes": [{"text": q.text, "number": q.number, "title": titles.get(q.number, "source"),
                           "caution": caution_text(q), "page": q.page} for q in group]}
              for group in _groups(answer.quotes)]
    return render("quotes.html", groups=groups, turn=turn)


def _feedback_html(turn: int, rating: str | None, noted: bool, copy_text: str) -> Markup:
    return render("feedback.html", turn=turn, rating=rating, noted=noted, copy=copy_text)


def answer_html(answer: Answer, turn: int, rating: str | None = None, noted: bool = False,
                questions: Mapping[str, Sequence[str]] | None = None, articles: Mapping | None = None) -> str:
    """One question and its answer: quotes first, then gaps, sources and the disclaimer, folded.
    A refusal offers questions of the nearest articles (`questions`: article id -> its questions);
    a scoped one, to ask again of every article. `articles` (id -> Article) names a scope."""
    return str(render(
        "turn.html", turn=turn, question=answer.question, reading=reading(answer), message=message(answer, articles),
        scope=scope_line(answer, articles), everywhere=bool(answer.scope) and answer.status == "abstained",
        unknown=unknown_sentence(answer.unknown) if answer.unknown else "",
        offered=in_scope(answer.nearest, questions or {}) if answer.abstained else (), coverage=answer.coverage,
        gap=gap_sentence(answer.missing, answer.unmentioned, answer.unmentioned_by) if has_gap(answer) else "",
        withheld=withheld_sentence(answer.withheld), quotes=quotes_html(answer, turn),
        figures=figures_html(answer, turn),
        sources=[(s, source_html_line(s)) for s in answer.sources], disclaimer=disclaimer_parts(answer.disclaimer),
        feedback=_feedback_html(turn, rating, noted, render_text(answer, with_question=True, articles=articles))))


def covers_line(titles: Sequence[str], shown: int = 3) -> str:
    """What the indexed articles are, in one line for the empty page: their titles, or the first few.

    >>> covers_line(["Foot drop", "Gait"])
    'The 2 indexed articles: “Foot drop”; “Gait”.'
    >>> covers_line(["A", "B", "C", "D", "E"])
    'The 5 indexed articles include “A”; “B”; “C” and 2 more (find them under “Articles”).'
    """
    named = "; ".join(f"“{t}”" for t in titles[:shown])
    if len(titles) <= shown:
        return f"The {'only indexed article' if len(titles) == 1 else f'{len(titles)} indexed articles'}: {named}."
    return f"The {len(titles):,} indexed articles include {named} and {len(titles) - shown:,} more (find them under “Articles”)."


def conversation_html(answers: Sequence[Answer], ratings: Mapping[int, str] | None = None,
                      examples: Sequence[str] = (), noted: Collection[int] = (), repeated: bool = False,
                      titles: Sequence[str] = (), questions: Mapping[str, Sequence[str]] | None = None,
                      articles: Mapping | None = None) -> str:
    """The whole conversation; an empty one offers example questions instead. `repeated`: the last
    question was just asked again, and the page says where its answer is rather than nothing;
    `titles`: the indexed articles', which the empty page names; `questions`: each article's
    questions (`suggest.article_questions`), which a refusal offers; `articles`: the build's, which
    name a scoped answer's scope. Citation
    numbers are the conversation's (`labels.numbered`): an article keeps its [n] in every answer."""
    ratings = ratings or {}
    turns = Markup("".join(answer_html(a, t, ratings.get(t), t in noted, questions, articles)  # each a template's HTML
                           for t, a in enumerate(numbered(answers))))
    return str(render("conversation.html", turns=turns, repeated=len(answers) if repeated else 0,
                      covers=covers_line(titles) if titles else "", examples=list(examples)))
