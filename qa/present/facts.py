"""An article's facts and an answer's source line, as plain text, Markdown and HTML: the one
formatter every view uses (the chat's source list, the source viewer, Markdown, plain text, the
export). Which facts there are and the words of each come from `qa.facts`; this module only joins
them, escapes them and links the original article.

A source line reads: title — publisher · author — dates — review status — license — DOI, then
what a view adds (the quoted sections), then the link to the original article.
"""

from __future__ import annotations

import html
from typing import Sequence

from markupsafe import Markup

from ..answer import Source
from ..facts import Fact, article_facts, phrase, source_facts, who
from .escape import escape_md
from .templating import render

__all__ = ["article_facts", "facts_html", "fact_phrases", "facts_text", "source_facts", "source_html_line",
           "source_markdown", "source_text", "url_of"]

GROUPS = " — "  # between facts, and between a line's title, facts and additions
PEOPLE = " · "  # between the publisher, the author and the author's affiliation


def fact_phrases(found: Sequence[Fact]) -> list[str]:
    """The facts in words, who published it as one phrase, the link left out.

    >>> fact_phrases((("publisher", "P"), ("author", "A"), ("last updated", "2025"), ("URL", "https://x")))
    ['P · A', 'last updated 2025']
    """
    people = PEOPLE.join(who(tuple(found)))
    rest = [phrase(f) for f in found if f[0] not in ("publisher", "author", "affiliation", "URL")]
    return ([people] if people else []) + rest


def url_of(found: Sequence[Fact]) -> str | None:
    return dict(found).get("URL")


def facts_text(found: Sequence[Fact]) -> str:
    """
    >>> facts_text((("author", "A"), ("date", "no date given"), ("review status", "not stated")))
    'A — no date given — review status: not stated'
    """
    return GROUPS.join(fact_phrases(found))


def facts_html(found: Sequence[Fact], link: str | None = "original article") -> Markup:
    """The facts as one escaped line of HTML, ending in a link to the original article (its text
    `link`) when there is one; `link=None` leaves the link to the caller."""
    return render("facts.html", phrases=fact_phrases(found), url=url_of(found), link=link)


def source_text(source: Source, additions: Sequence[str] = ()) -> str:
    """'[n] Title — facts — additions — URL', for text that is read as it is (terminal, export)."""
    url = url_of(source_facts(source))
    return GROUPS.join([f"[{source.number}] {source.title}", *fact_phrases(source_facts(source)), *additions,
                        *([url] if url else [])])


def source_markdown(source: Source, additions: Sequence[str] = ()) -> str:
    """'n. *Title* — facts — additions — [original article](<url>)'; `additions` are Markdown already.
    A URL that could end the link early (a space, an angle bracket) is left out."""
    url = url_of(source_facts(source))
    link = [f"[original article](<{html.escape(url)}>)"] if url and not any(c in url for c in "<> \\\n") else []
    parts = [f"*{escape_md(source.title)}*", *(escape_md(x) for x in fact_phrases(source_facts(source))), *additions, *link]
    return f"{source.number}. " + GROUPS.join(parts)


def source_html_line(source: Source) -> Markup:
    """The facts of a source in an answer's source list (the title and its button are the list's)."""
    return facts_html(source_facts(source))
