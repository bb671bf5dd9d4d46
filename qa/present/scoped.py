"""What a scoped answer says of its scope (`Answer.scope`: the articles the question was asked of):
which articles were searched, and, when they do not answer, that it was those articles (not all of
them) that do not, with the offer to search every article instead.

Words and the scope chip's HTML (`templates/scope.html`); the chat's "Search all articles" button
is in `templates/turn.html`, and the page (`chatpage/`) keeps the scope and wires the buttons. Titles come from the build's articles when the caller has them (`articles`:
id -> Article), else the scope is counted.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from ..answer import Answer
from .templating import render

NAMED = 3  # titles named before "and N more"
SEARCH_ALL = "To search all the indexed articles, ask again without the scope."


def _titles(scope: Sequence[str], articles: Mapping | None) -> list[str]:
    return [articles[a].title for a in scope if a in articles] if articles else []


def scope_names(scope: Sequence[str], articles: Mapping | None = None) -> str:
    """The scope in words: its titles (the first few), or how many articles it holds.

    >>> scope_names(["a"]), scope_names(["a", "b"])
    ('the article this question was asked of', 'the 2 articles this question was asked of')
    """
    titles = _titles(scope, articles)
    if not titles:
        return (f"the {len(scope):,} articles" if len(scope) > 1 else "the article") + " this question was asked of"
    named = ", ".join(f"“{t}”" for t in titles[:NAMED])
    return named + (f" and {len(titles) - NAMED:,} more" if len(titles) > NAMED else "")


def scope_line(answer: Answer, articles: Mapping | None = None) -> str:
    """For an answer with quotes from a scope: "Searched only “Foot drop”." ("" without a scope).

    >>> from qa.answer import Answer
    >>> scope_line(Answer(question="q", query="q", status="answered", message=None, quotes=(), sources=(),
    ...                   passages=(), disclaimer="d", scope=("a", "b")))
    'Searched only the 2 articles this question was asked of.'
    """
    if not answer.scope or answer.status != "answered":
        return ""
    return f"Searched only {scope_names(answer.scope, articles)}."


def scoped_abstention(answer: Answer, articles: Mapping | None = None) -> str:
    """A scoped question its scope does not answer: which articles do not ("" otherwise).

    >>> from qa.answer import Answer
    >>> scoped_abstention(Answer(question="q", query="q", status="abstained", message="m", quotes=(), sources=(),
    ...                          passages=(), disclaimer="d", scope=("a",)))
    'The article this question was asked of does not answer it, so no passage is quoted.'
    """
    if not answer.scope or answer.status != "abstained":
        return ""
    titles = _titles(answer.scope, articles)
    one = len(titles or answer.scope) == 1
    names = scope_names(answer.scope, articles)
    return f"{names[:1].upper()}{names[1:]} {'does' if one else 'do'} not answer it, so no passage is quoted." \
        if not titles else f"{names} {'does' if one else 'do'} not answer this question, so no passage is quoted."


def message(answer: Answer, articles: Mapping | None = None) -> str | None:
    """The answer's message as shown: a scoped abstention says which articles do not answer."""
    return scoped_abstention(answer, articles) or answer.message


def scope_chip_html(scope: Sequence[str], articles: Mapping | None = None) -> str:
    """The chip by the question box that says what the next questions are asked of, with its
    remove button; "" without a scope."""
    names = scope_names(scope, articles) if scope else ""
    return str(render("scope.html", names=names))
