"""The thing a question is about, and a follow-up's pronoun read as that thing.

"What brace is used for foot drop?" then "Can it be bought off the shelf?": the second turn's "it"
is the previous question's most specific noun phrase. Without a parser, a noun phrase here is a
run of words between stop words, question words and punctuation ("brace", "foot drop"), and the
most specific run is the one holding the word that the fewest sentences of the articles use
(`weight`: an IDF; a longer run wins a tie), without a trailing participle; no run at all when
two weigh about the same (`margin`: "brace" and "foot drop" do, so that example keeps its carried
words). A pronoun that stands for a noun phrase ("it", "they", "its", "this" with nothing after
it — not "this study") is replaced by that run: "What are its symptoms?" after "What are the
treatments for Gaucher disease?" reads alone as "What are Gaucher disease's symptoms?", which is
what the ranking was built for.

Pure: the caller supplies the stop words and the weight of a word. Does not decide whether a
turn is a follow-up (`followup.py` does) and never reads the articles themselves.
"""

from __future__ import annotations

import re
from typing import Callable

from .index.lexical import words

# A pronoun that can stand for the whole topic; possessives take "of <entity>"-like "'s".
SUBJECT_PRONOUNS = frozenset("it they them".split())
POSSESSIVES = frozenset("its their".split())
DEMONSTRATIVES = frozenset("this that these those".split())  # pronouns only when no noun follows
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\-]*|[^\sA-Za-z0-9]")


def noun_runs(question: str, stop: frozenset[str]) -> list[str]:
    """Runs of content words, split at stop words and punctuation (hyphens and apostrophes stay).

    >>> noun_runs("What brace is used for foot drop?", frozenset({"what", "is", "for"}))
    ['brace', 'used', 'foot drop']
    """
    runs, current = [], []
    for token in _TOKEN.findall(question):
        if token[0].isalnum() and token.lower() not in stop and not _is_pronoun_word(token):
            current.append(token)
        else:
            if current:
                runs.append(" ".join(current))
            current = []
    if current:
        runs.append(" ".join(current))
    return runs


def _is_pronoun_word(token: str) -> bool:
    t = token.lower()
    return t in SUBJECT_PRONOUNS or t in POSSESSIVES or t in DEMONSTRATIVES


def topic_entity(question: str, weight: Callable[[str], float], stop: frozenset[str], margin: float = 1.0) -> str:
    """The run holding the question's most specific word (ties: the longer run, then the later), or
    "" when another run comes within `margin` of it (its best word weighs more than 1/margin of the
    winner's): a question about two things has no one topic to stand for a pronoun.

    >>> idf = {"brace": 3.0, "used": 0.5, "foot": 1.0, "drop": 1.0}.get
    >>> topic_entity("What brace is used for foot drop?", lambda w: idf(w.lower(), 0.0), frozenset({"what", "is", "for"}))
    'brace'
    >>> topic_entity("What brace is used for foot drop?", lambda w: idf(w.lower(), 0.0), frozenset({"what", "is", "for"}), 4.0)
    ''
    >>> topic_entity("¹", lambda w: 1.0, frozenset())
    ''
    """
    runs = [run for run in noun_runs(question, stop) if words(run)]  # "¹" is alphanumeric, yet no word
    if not runs:
        return ""
    scored = sorted(((max(weight(w) for w in words(run)), len(words(run)), i, run) for i, run in enumerate(runs)),
                    reverse=True)
    if margin > 1.0 and len(scored) > 1 and scored[1][0] * margin > scored[0][0]:
        return ""
    return _trim(scored[0][3], weight)


# verbs that open a question's frame before its subject ("What causes X?", "How to diagnose X?")
FRAME_VERBS = frozenset("cause causes caused diagnose diagnosed treat treats treated prevent prevents prevented "
                        "manage manages managed affect affects affected".split())


def _trim(run: str, weight: Callable[[str], float]) -> str:
    """A run without the words a question puts around its subject: participles after it ("CIDP
    foot drop treated" -> "CIDP foot drop"; "How is it treated?" has nothing to do with what "it"
    is), and before it a frame verb ("causes foot drop" of "What causes foot drop?") or a
    lower-case word before a capitalised name ("diagnose Chronic Lymphocytic Leukemia").

    >>> w = {"cidp": 3.0, "tracing": 2.0, "lymphocytic": 3.0}
    >>> _trim("CIDP foot drop treated", lambda x: w.get(x.lower(), 1.0)), _trim("contact tracing", lambda x: w.get(x.lower(), 1.0))
    ('CIDP foot drop', 'contact tracing')
    >>> _trim("diagnose Chronic Lymphocytic Leukemia", lambda x: w.get(x.lower(), 1.0)), _trim("causes foot drop", lambda x: 1.0)
    ('Chronic Lymphocytic Leukemia', 'foot drop')
    """
    parts = run.split()
    heaviest = max(range(len(parts)), key=lambda i: weight(parts[i]))
    while len(parts) > heaviest + 1 and parts[-1].lower().endswith(("ed", "ing")):
        parts.pop()  # never the word that made the run the topic ("contact tracing" stays whole)
    while len(parts) > 1 and (parts[0].lower() in FRAME_VERBS
                              or (heaviest > 0 and parts[0].islower() and parts[1][:1].isupper())):
        parts.pop(0)
        heaviest = max(heaviest - 1, 0)
    return " ".join(parts)


def substitute(question: str, entity: str) -> str | None:
    """`question` with its pronouns replaced by `entity`, or None when it has none to replace.

    >>> substitute("Can it be bought off the shelf?", "brace")
    'Can brace be bought off the shelf?'
    >>> substitute("What are its side effects? Is it's cost high?", "aspirin")
    "What are aspirin's side effects? Is aspirin is cost high?"
    >>> substitute("Is this study randomised?", "aspirin") is None, substitute("Is that permanent?", "x") is None
    (True, True)
    """
    if not entity:
        return None

    def replace(m: re.Match) -> str:
        word, rest = m.group(1).lower(), question[m.end():]
        if word == "it's":
            return f"{entity} is"
        if word in POSSESSIVES:
            return f"{entity}'s"
        if word in DEMONSTRATIVES:
            following = _TOKEN.match(rest.lstrip())
            if following and following.group(0)[0].isalnum():
                return m.group(0)  # "this study", "that it helps", "those who": not the topic itself
        return entity

    pattern = "|".join(sorted(SUBJECT_PRONOUNS | POSSESSIVES | DEMONSTRATIVES | {"it's"}, key=len, reverse=True))
    out = re.sub(rf"(?i)(?<![\w'-])({pattern})(?![\w'-])", replace, question)
    return out if out != question else None
