"""Read a follow-up question in the light of the conversation, without a language model.

A question needs context when it points back ("that", "it", "those"), opens like a follow-up
("What about ...", "And for ..."), or says too little on its own (two content words or fewer).
Its search query is then the question plus the content words of the conversation's current
topic: the latest self-contained question and the follow-ups asked since. The literal question
is always searched as well (see `engine.py`), so a wrong reading cannot hide a right answer --
except that a pronoun standing for one clear topic is first replaced by it (`qa.entity`): the
turn with "Gaucher disease" in place of "it" is then the literal question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

from .entity import substitute, topic_entity
from .index.lexical import stopwords, words
POINTERS = frozenset(
    "it its it's that this these those they them their theirs there such he she him her one ones".split()
)
OPENERS = ("what about", "how about", "and ", "or ", "what if", "also", "same ", "then ", "but ", "so ")
CONTEXT_WORDS_MAX = 12  # keep the carried topic short so the new question still dominates


def _stopwords() -> frozenset[str]:
    return stopwords() | {"what", "how", "why", "when", "which", "who", "does", "do", "can", "should", "would", "could", "is", "are", "about"}


MORE = re.compile(r"^\s*(?:and\s+)?(?:what|anything|any|tell me)?\s*(?:else|more|other(?:s| ones)?)\b", re.I)
_BACK = r"(?:that|this|it|those|these|them|they|so)"
# Nothing but a request for the reason ("Why?", "Why is that?", "How come?", "What's the reason?").
WHY = re.compile(rf"^\s*(?:(?:and|but|so)\s+)?(?:why(?:\s+(?:is|was|are|were|does|do|did|would|should)\s+{_BACK})?"
                 rf"(?:\s+so)?|how\s+come|(?:what(?:'s|\s+is)\s+)?the\s+reason(?:\s+for\s+{_BACK})?"
                 r"|for\s+what\s+reason)\s*[?.!]*\s*$", re.I)
# Nothing but a request for the evidence behind the last answer ("Evidence for that?", "Sources?").
EVIDENCE = re.compile(rf"^\s*(?:(?:and|but|so)\s+)?(?:(?:is|are)\s+there\s+(?:any\s+)?|any\s+|what(?:'s|\s+is|\s+are)?\s+"
                      rf"(?:the\s+)?|show\s+(?:me\s+)?(?:the\s+)?|which\s+)?(?:evidence|sources?|references?|citations?"
                      rf"|studies|proof)(?:\s+(?:is\s+there\s+)?(?:for|behind|of|on|supporting)\s+{_BACK}"
                      rf"|\s+(?:supports?|shows?|backs?(?:\s+up)?)\s+{_BACK})?\s*[?.!]*\s*$", re.I)


@dataclass(frozen=True)
class Resolution:
    query: str  # what is searched besides the literal question
    followup: bool  # True when conversation context was added
    points_back: bool = False  # a pointer word or no content word at all: the turn cannot stand alone
    intent: str = ""  # "more", "why" or "evidence" for a turn that asks only that (see `intent`)
    previous: str = ""  # the previous question as it was read (its own resolution): the topic's articles
    # (set for every turn with a history: a self-contained turn may continue the topic too)
    entity: str = ""  # the previous question's most specific noun phrase, put in for the turn's pronoun
    reading: str = ""  # the turn with its pronoun replaced by `entity`: searched instead of the literal turn
    after: str = ""  # the earlier question the turn continues, as it was asked (its own answer shows its reading)


    @property
    def more(self) -> bool:
        """ "What else?", "more": the next quotes on the previous question, not those shown."""
        return self.intent == "more"


def intent(question: str) -> str:
    """What a turn that names no subject asks of the previous answer: "more" (the next quotes),
    "why" (the reasons near its quotes), "evidence" (its quotes and the references behind them),
    or "" for anything else.

    >>> [intent(q) for q in ("What else?", "Why is that?", "Evidence for that?", "Why does CMT cause it?")]
    ['more', 'why', 'evidence', '']
    """
    if asks_for_more(question):
        return "more"
    if WHY.match(question):
        return "why"
    return "evidence" if EVIDENCE.match(question) else ""


def asks_for_more(question: str) -> bool:
    """ "What else?", "Anything else?", "More", "Others?" (nothing but a request for more).

    >>> asks_for_more("What else?"), asks_for_more("more"), asks_for_more("What else causes it?")
    (True, True, False)
    """
    m = MORE.match(question)
    return bool(m) and not question[m.end():].strip(" ?.!")


def content_words(text: str, stop: frozenset[str]) -> list[str]:
    return [w for w in words(text) if w.lower() not in stop and len(w) > 1]


def needs_context(question: str, stop: frozenset[str], known: Callable[[str], bool] = lambda w: True) -> bool:
    """Points back, opens like a follow-up, or is short and uses a word the articles know (a short
    question about something they never mention, "What is the capital of France?", is a new topic)."""
    lowered = question.strip().lower()
    content = content_words(question, stop)
    return (
        points_back(question, stop)
        or lowered.startswith(OPENERS)
        or (len(content) <= 2 and any(known(w) for w in content))
    )


def points_back(question: str, stop: frozenset[str]) -> bool:
    """A pointer word ("that", "it") or no content word at all ("Why?", "What else?")."""
    return any(w.lower() in POINTERS for w in words(question)) or not content_words(question, stop)


class FollowUpResolver:
    def __init__(self) -> None:
        self._stop = _stopwords()

    def topic(self, history: Sequence[str]) -> list[str]:
        """Content words of the conversation's current topic, most recent last."""
        topic: list[str] = []
        for earlier in history:
            words = content_words(earlier, self._stop)
            topic = words if not needs_context(earlier, self._stop) else topic + words
        seen, out = set(), []
        for w in reversed(topic):  # keep the latest mention of each word
            if w.lower() not in seen:
                seen.add(w.lower())
                out.append(w)
        return list(reversed(out[:CONTEXT_WORDS_MAX]))

    def resolve(self, question: str, history: Sequence[str], known: Callable[[str], bool] = lambda w: True,
                weight: Callable[[str], Callable[[str], float]] | None = None, *,
                entity_margin: float = 1.0) -> Resolution:
        """`known(word)` says whether the articles use a word (default: assume they do);
        `weight(previous)(word)` how much a word of the previous question names what its answer is
        about (`Engine`: its IDF where the passages best matching `previous` use it). With it, a
        pronoun is replaced by the previous question's most specific noun phrase (`qa.entity`), so
        the turn reads alone: "What are its symptoms?" after "What are the treatments for Gaucher
        disease?" is searched as "What are Gaucher disease's symptoms?". `entity_margin`: see
        `qa.entity.topic_entity`.
        """
        if not history:
            return Resolution(question, False)
        before = self.resolve(history[-1], history[:-1], known, weight, entity_margin=entity_margin)
        previous, after = before.query, history[-1]
        asked = intent(question)
        if not (asked or needs_context(question, self._stop, known)):
            # reads alone, but may still continue the topic ("How long is the incubation period?"
            # after a MERS question): the engine weighs the previous question's articles lightly
            return Resolution(question, False, previous=previous, after=after)
        if asked:  # the previous search again; the engine takes its answer from there
            return Resolution(previous, True, True, asked, previous, after=after)
        # the topic is looked for (a BM25 pass) only when the turn has a pronoun to put it in
        # a pronoun after a turn that was itself read with the topic still stands for that topic:
        # "What is an AFO?", "What are its side effects?", "Does it have complications?" (the AFO's)
        entity = (before.entity or topic_entity(previous, weight(previous), self._stop, entity_margin)) \
            if weight and substitute(question, "x") else ""
        read = substitute(question, entity) or ""
        present = {w.lower().removesuffix("'s") for w in words(read or question)}
        carried = [w for w in self.topic(history) if w.lower() not in present]
        if not carried and not read:
            return Resolution(question, False, previous=previous, after=after)
        query = f"{read or question} ({' '.join(carried)})" if carried else read
        return Resolution(query, True, points_back(question, self._stop), previous=previous,
                          entity=entity if read else "", reading=read, after=after)
