"""What a question asks for that the quotes do not give: a dose, a duration, a number, a
threshold, or a thing it names ("What are the red flags …?") that no article mentions.

A clinician who asks "What dose of X?" and reads quotes that hold no number should be told so
plainly ("The articles give no dose.") rather than left to infer it from what is missing; one who
asks for "red flags" in articles that never use the words should read that before the nearest
passages, not take those passages for a list of red flags.

Pure: the question, the quoted texts and the caller's tokeniser and vocabulary in, the missing
kinds and the unmentioned thing out.
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

# (kind, what the question says when it asks for it); the first kind that matches is reported
ASKS = (
    ("dose", re.compile(r"\b(dose|doses|dosage|dosing|how much|how many (mg|milligrams|units|tablets))\b", re.I)),
    ("duration", re.compile(r"\b(how long|duration|how many (days|weeks|months|years|hours))\b", re.I)),
    ("frequency", re.compile(r"\b(how often|how many times|times a (day|week)|per (day|week))\b", re.I)),
    ("number", re.compile(r"\b(how many|what (percentage|proportion|percent|fraction)|success rate|what rate)\b", re.I)),
    ("threshold", re.compile(r"\b(thresholds?|cut-?offs?|cut-off (point|value)s?|at what (level|value|point))\b", re.I)),
)
NUMBER = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|thirty|hundred|"
                    r"thousand|million|once|twice|half|a third|a quarter|dozen)\b", re.I)


def missing_kinds(question: str, quotes: Sequence[str], *, evidence: bool = False,
                  referenced: bool = True) -> tuple[str, ...]:
    """What the question asks for that no quote gives: a figure ("dose", "duration" …), or for
    "Evidence for that?" (`evidence`) references, when no quote carries one (`referenced`).

    >>> missing_kinds("What dose of amitriptyline is used?", ["Amitriptyline helps neuropathic pain."])
    ('dose',)
    >>> missing_kinds("How long does recovery take?", ["Recovery takes 3 to 6 months."])
    ()
    >>> missing_kinds("What causes foot drop?", ["Nerve injury."])
    ()
    """
    if evidence:
        return () if referenced else ("references",)
    for kind, pattern in ASKS:
        if pattern.search(question):
            return () if any(NUMBER.search(q) for q in quotes) else (kind,)
    return ()


# "What is/are …", "Which …": not "What happens …", whose next word is a verb, not the thing asked for
_ASKS_FOR = re.compile(r"^\s*(?:and\s+|so\s+)?(?:what\s+(?:is|are|was|were)\s+|which\s+(?:(?:is|are|was|were)\s+)?)"
                       r"(?:the\s+|a\s+|an\s+|its\s+|their\s+|his\s+|her\s+)?(?P<rest>.+)$", re.I)


def asked_for(question: str, stems: Callable[[str], Sequence[str]], max_words: int = 4) -> tuple[str, ...]:
    """What a "What are the X …?" or "Which X …?" question asks for: the words after the question
    word up to the first stop word (`stems` gives a word's search stems, none for a stop word), as
    the question writes them. Other questions ask for no named thing here.

    >>> stop = {"for", "of", "in", "about", "is"}
    >>> stems = lambda w: [] if w.lower() in stop else [w.lower()]
    >>> asked_for("What are the red flags for foot drop?", stems), asked_for("Which nerve is injured?", stems)
    (('red', 'flags'), ('nerve',))
    >>> asked_for("What are its side effects?", stems), asked_for("What happens if it is delayed?", stems)
    (('side', 'effects'), ())
    >>> asked_for("What about surgery?", stems), asked_for("How is it treated?", stems)
    ((), ())
    >>> asked_for("Which exactly matching tests?", stems)
    ('matching', 'tests')
    """
    m = _ASKS_FOR.match(question)
    if not m:
        return ()
    found: list[str] = []
    for word in re.findall(r"[A-Za-z0-9][A-Za-z0-9'\-]*", m.group("rest")):
        if word.lower().endswith("ly"):
            continue  # an adverb ("What exactly is …?") never names the thing asked for
        if not stems(word) or len(found) == max_words:
            break
        found.append(word)
    return tuple(found)


def unmentioned(asked: Sequence[str], stems: Callable[[str], Sequence[str]], known: Callable[[str], bool]) -> str:
    """The thing asked for, when no article uses any of its words' stems (`known`: whether the
    articles use a stem); "" otherwise. Only then is it certain that no quote is about it: a word
    the articles do use may be in a quote's neighbours, or said another way.

    >>> stems = lambda w: [w.lower().rstrip("s")]
    >>> unmentioned(("red", "flags"), stems, {"foot", "drop"}.__contains__), unmentioned(("nerves",), stems, {"nerve"}.__contains__)
    ('red flags', '')
    """
    if not asked or any(known(s) for w in asked for s in stems(w)):
        return ""
    return " ".join(asked)
