"""Questions to offer a clinician, made from what an article's author wrote: its example questions,
a title or heading that is already a question, or a heading that names a topic.

- Under an answer, a follow-up for a section next to the quoted one: "What about braces and
  orthotics?" (asked as a follow-up, it keeps the conversation's topic).
- Under a refusal, questions that stand alone and that the nearest articles do answer.

A heading that names a part of a document rather than a topic ("Introduction", "In Conclusion",
"References") is never offered. Pure: titles, headings and examples in, question strings out.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

# headings that name a part of a document, not a subject (compared lower-case, numbering removed)
_PARTS = frozenset((
    "abstract", "acknowledgements", "acknowledgments", "appendix", "author", "authors", "background",
    "bottom line", "the bottom line", "case report", "competing interests", "conclusion", "conclusions",
    "conflicts of interest", "contents", "table of contents", "disclaimer", "discussion", "faq", "faqs",
    "final thoughts", "frequently asked questions", "funding", "further reading", "in conclusion",
    "in summary", "introduction", "key points", "key takeaways", "takeaways", "materials and methods",
    "methods", "notes", "overview", "references", "related articles", "results", "results and discussion",
    "sources", "summary", "supplementary material",
))
_NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[IVX]+\.|[A-Z]\.)\s+")


def topic_heading(heading: str) -> str | None:
    """The heading without its numbering, or None when it names a part of a document.

    >>> topic_heading("2.1 Braces and Orthotics"), topic_heading("In Conclusion"), topic_heading("Methods")
    ('Braces and Orthotics', None, None)
    """
    text = _NUMBERING.sub("", heading).strip().rstrip(":").strip()
    if not text or " ".join(text.lower().split()) in _PARTS:
        return None
    return text


def _lowered(text: str) -> str:
    """Title case to running text; acronyms and names with inner capitals stay ("FES", "mRNA").

    >>> _lowered("Functional Electrical Stimulation (FES)"), _lowered("Foot Drop Exercises at Home")
    ('functional electrical stimulation (FES)', 'foot drop exercises at home')
    """
    def one(word: str) -> str:
        letters = [c for c in word if c.isalpha()]
        inner = any(c.isupper() for c in word.lstrip("(\"'“")[1:])
        return word if len(letters) > 1 and inner else word.lower()
    return " ".join(one(w) for w in text.split())


def follow_up(heading: str) -> str | None:
    """A follow-up question for a section: its heading as written when it is a question.

    >>> follow_up("Braces and Orthotics"), follow_up("What is the outlook?"), follow_up("In Conclusion")
    ('What about braces and orthotics?', 'What is the outlook?', None)
    """
    topic = topic_heading(heading)
    if topic is None:
        return None
    return topic if topic.endswith("?") else f"What about {_lowered(topic)}?"


def standalone(title: str, heading: str, max_title_words: int = 6) -> str | None:
    """A question that names its subject, for a section of an article whose title is a short
    subject ("Hairy Cell Leukemia"); a heading that is a question is used as written.

    >>> standalone("Hairy Cell Leukemia", "Treatment")
    'What about the treatment of Hairy Cell Leukemia?'
    >>> standalone("Hairy Cell Leukemia", "What is hairy cell leukemia?"), standalone("Hairy Cell Leukemia", "Overview")
    ('What is hairy cell leukemia?', None)
    >>> standalone("What causes foot drop and how can it be treated?", "Braces") is None
    True
    """
    topic = topic_heading(heading)
    if topic is None:
        return None
    if topic.endswith("?"):
        return topic
    if title.rstrip().endswith("?") or len(title.split()) > max_title_words:
        return None  # a question or a paper's long title is not a subject to name
    return f"What about the {_lowered(topic)} of {title.strip()}?"


def article_questions(title: str, examples: Sequence[str], headings: Iterable[str]) -> tuple[str, ...]:
    """Questions an article answers, best first: its own examples, its title when that is a
    question, then questions from its section headings.

    >>> article_questions("Hairy Cell Leukemia", (), ["Overview", "Symptoms", "Treatment"])
    ('What about the symptoms of Hairy Cell Leukemia?', 'What about the treatment of Hairy Cell Leukemia?')
    """
    found = list(examples) + ([title] if title.rstrip().endswith("?") else [])
    found += [q for h in headings if (q := standalone(title, h))]
    return tuple(dict.fromkeys(found))


def in_scope(nearest: Sequence[str], questions: dict[str, Sequence[str]], limit: int = 4) -> tuple[str, ...]:
    """Up to `limit` questions from the nearest articles (ids, nearest first), taking one from each
    article in turn so that several articles are offered.

    >>> in_scope(["b", "a"], {"a": ["A1", "A2"], "b": ["B1"]})
    ('B1', 'A1', 'A2')
    """
    lists = [list(questions.get(a, ())) for a in dict.fromkeys(nearest)]
    out: list[str] = []
    for depth in range(max((len(x) for x in lists), default=0)):
        out += [x[depth] for x in lists if depth < len(x) and x[depth] not in out]
    return tuple(out[:limit])


def questions_by_article(engine) -> dict[str, tuple[str, ...]]:
    """Every indexed article's questions (`article_questions`), from the engine's views of its index."""
    return {a.id: article_questions(a.title, a.examples, [s[-1] for s in engine.article_sections(a.id) if s])
            for a in engine.articles.values() if not a.retracted}
