"""How a turn is read before anything is searched: checked (empty, too long, "Why?" with nothing
before it, a scope naming an article or tag the index lacks: `qa.scope`), cleaned, and read against the conversation's earlier questions (`qa.followup`: a
pronoun read as the previous question's topic entity, topic words carried, "Why?" / "What else?"
/ "Evidence for that?" taken from the previous answer). The result, a `Turn`, says what to encode.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from .followup import FollowUpResolver, intent
from .rank import top_candidates
from .retrieve import Retriever
from .scope import resolve, scope_problem
from .settings import Settings
from .words import ArticleWords

MAX_QUESTION_CHARS = 1000
SHOWN_CHARS = 200  # an over-long question is shown cut to this many characters
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def clean_question(text: str) -> str:
    """Control and invisible formatting characters become spaces; whitespace collapses."""
    text = unicodedata.normalize("NFC", text or "")
    return " ".join(_CONTROL.sub(" ", text).split())


@dataclass(frozen=True)
class Invalid:
    """A turn that is not asked: as it is shown, and what to do instead."""
    question: str
    message: str
    query: str = ""  # what it was read as, where it was read


@dataclass(frozen=True)
class Turn:
    """A checked turn, read against the conversation: what to search, and how it was read."""
    question: str
    query: str  # the search as resolved (`Answer.query`)
    followup: bool
    texts: tuple[str, ...]  # the literal question's search text, then the resolved one's
    previous: str = ""  # search text of the previous question as read: its articles are the topic
    intent: str = ""  # "more", "why" or "evidence": taken from the previous answer (`qa.followup.intent`)
    points_back: bool = False  # "Is that permanent?": never a new topic, whatever its own words
    reading: str = ""  # the turn with its pronoun replaced by the topic entity: the first text (`Answer.reading`)
    after: str = ""  # the earlier question the turn was read with (`Answer.after`)
    scope: tuple[str, ...] = ()  # the ids of the articles it may be answered from (`qa.scope`); () for all

    @property
    def encoded(self) -> tuple[str, ...]:
        """The texts encoded for this turn, in one model call with the rest of its batch."""
        return self.texts + ((self.previous,) if self.previous else ())


def problem(question: object) -> Invalid | None:
    """Why `question` cannot be asked at all: not text, empty, or over MAX_QUESTION_CHARS."""
    raw = question if isinstance(question, str) else ""
    q = clean_question(raw)
    if not q:
        return Invalid(q, "Please type a question about the indexed articles.")
    if len(raw) > MAX_QUESTION_CHARS:
        return Invalid(q[:SHOWN_CHARS] + "…", f"That question is {len(raw):,} characters long; the limit is "
                       f"{MAX_QUESTION_CHARS:,}. Please ask it in fewer words.")
    return None


def recent(history: object, max_history: int) -> list[str]:
    """The last `max_history` earlier questions (0 reads none), cleaned; what is not text is dropped."""
    history = history if isinstance(history, (list, tuple)) else ()
    kept = list(history)[max(len(history) - max_history, 0):]
    return [h for h in (clean_question(h)[:MAX_QUESTION_CHARS] for h in kept if isinstance(h, str)) if h]


class TurnReader:
    """Reads turns against the articles of one build (which words they use, how well a word names
    what the previous question's best windows are about)."""

    def __init__(self, retriever: Retriever, words: ArticleWords):
        self._retriever = retriever
        self._words = words
        self._resolver = FollowUpResolver()

    def read(self, question: object, history: object, s: Settings, articles: object = (),
             tags: object = ()) -> Turn | Invalid:
        """The turn checked and read against `history`, within the scope `articles` and `tags` name."""
        wrong, known = problem(question), self._retriever.store.articles
        if wrong:
            return wrong
        q, hist = clean_question(question), recent(history, s.max_history)
        if (unscoped := scope_problem(articles, tags, known)) is not None:
            return Invalid(q, unscoped, q)
        turn = self._read(q, hist, s)
        return replace(turn, scope=resolve(articles, tags, known)) if isinstance(turn, Turn) else turn

    def _read(self, q: str, hist: list[str], s: Settings) -> Turn | Invalid:
        if not hist and intent(q):  # "Why?", "What else?", "Evidence for that?" with nothing before them
            return Invalid(q, f"“{q}” asks about an earlier answer, and this conversation has none yet. "
                           "Please ask a full question about the indexed articles.", q)
        search = lambda t: self._retriever.search_text(t, lexicon=s.lexicon)  # noqa: E731
        if not s.followup:
            return Turn(q, q, False, (search(q),))
        r = self._resolver.resolve(q, hist, lambda w: self._words.reads_with_topic(w, s.common_rank),
                                   (lambda previous: self._entity_weight(previous, s)) if s.entity else None,
                                   entity_margin=s.entity_margin)
        previous = search(r.previous) if r.previous else ""
        if not r.followup:
            return Turn(q, q, False, (search(q),), previous, after=r.after)
        # a pronoun read as the topic entity gives a question that reads alone: it stands for the turn
        return Turn(q, r.query, True, (search(r.reading or q), search(r.query)), previous, r.intent, r.points_back,
                    r.reading, r.after)

    def _entity_weight(self, previous: str, s: Settings):
        """How well each word of `previous` names what its answer is about: its IDF where the
        windows that best match `previous` by BM25 use it, a tenth of that elsewhere."""
        tokens = self._retriever.tokenize([self._retriever.search_text(previous, lexicon=s.lexicon)])[0]
        best = top_candidates(self._retriever.window_bm25(tokens), s.context_windows + 1)
        used = {int(t) for terms in self._retriever.window_terms(best) for t in terms}
        return lambda word: self._retriever.word_weight(word, used)

