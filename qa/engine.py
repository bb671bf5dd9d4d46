"""The answer engine: load once, then `ask(question, history)` from any number of threads.

It orchestrates; each step is a module of its own. A batch of turns goes: read each against its
history (`reading.py`: checks, scope, pronouns, carried topic words, "Why?" / "What else?" /
"Evidence for that?") → encode every text of the batch in one model call → per turn, within its
scope if it has one (`scope.py`), abstain when no sentence is near enough or the question names
what no article uses (`abstain.py`, `words.py`) → rank sentence windows, leaning to the previous
question's articles and sections, and choose quotes within the word budget (`choose.py`,
`rank.py`, `quotes.py`) → verbatim gate and citations (`cite.py`) → figures side by side
(`compare.py`) → gaps, cautions, the disclaimer: an `Answer` record (data: `qa.present` renders
it). `Answer.passages` (recall@k, the JSON) are the ranked windows' chunks: one ranking.

`with_settings` gives a variant sharing the loaded model and index (the eval's ablations use it).
"""

from __future__ import annotations

import copy
import time
from dataclasses import replace
from pathlib import Path
from typing import Sequence

import numpy as np

from .abstain import declines
from .answer import Answer, Passage
from .build import Build
from .choose import Chooser, Previous
from .compare import Comparer
from .coverage import Coverage
from .encoders import open_build, other_runtime
from .gaps import missing_kinds
from .index import Store
from .lexicon import parse_lexicon
from .rank import Query
from .reading import SHOWN_CHARS, Invalid, Turn, TurnReader, clean_question
from .retrieve import Retriever
from .sections import Sections
from .settings import Settings
from .words import ArticleWords

SHIPPED = Settings()  # the defaults, as chosen on the tuning parts (README)
ABSTAIN_MESSAGE = "The indexed articles do not answer this question, so no passage is quoted."


class Engine(Build):
    """Answers questions from one loaded index build with one loaded model. Immutable once built
    (every table is made here); safe to call from many threads. Its public attributes and methods
    are the whole API that `qa.present`, the page and `eval` use."""

    def __init__(self, store: Store, embedder, settings: Settings = SHIPPED, *, pinned: str | None = None):
        super().__init__(store, embedder, Retriever(store, parse_lexicon(store.lexicon_text)))
        self.settings = settings
        self._pinned = pinned  # the query encoder runtime insisted on (`load(encoder=)`): kept across reloads
        sections = Sections(store, self._retriever)  # each window's article, section, heading, lead
        self._words = ArticleWords(store, self._retriever, sections, embedder)
        self._reader = TurnReader(self._retriever, self._words)
        self._chooser = Chooser(store, self._retriever, sections)
        self._coverage = Coverage(store.articles.values())
        self._compare = Comparer(store, self._retriever, self._chooser)

    # -- what the index holds: `Build`'s views, and what a question is searched as ----------------

    def search_text(self, question: str) -> str:
        """What is searched for `question`: the question and the lexicon's synonyms for its terms."""
        return self._retriever.search_text(question, lexicon=self.settings.lexicon)

    def with_settings(self, **changes) -> "Engine":
        """A variant with other settings, sharing this engine's model and index."""
        other = copy.copy(self)
        other.settings = replace(self.settings, **changes)
        return other

    def with_encoder(self, runtime: str) -> "Engine":
        """The same index with questions encoded by another runtime (both give the same vectors)."""
        return self if runtime == self.encoder else Engine(self._store, other_runtime(runtime), self.settings)

    def reloaded(self, build_dir: Path) -> "Engine":
        """An engine over another build of the index, sharing this one's model and settings."""
        store, embedder = open_build(build_dir, encoder=self._pinned, current=self._embedder)
        return Engine(store, embedder, self.settings, pinned=self._pinned)

    def coverage(self, nearest: Sequence[str] = (), scope: Sequence[str] = ()) -> tuple[str, ...]:
        """What the indexed articles (or the `scope`'s) cover, for abstentions (`qa.coverage`), the `nearest` first."""
        return self._coverage.lines(nearest, self.settings.coverage_articles, scope)

    def ask(self, question: str, history: Sequence[str] = (), articles: Sequence[str] = (), tags: Sequence[str] = ()) -> Answer:
        """Answer `question`, reading it in the light of `history` (earlier questions, oldest first),
        from the articles of ids `articles` and those tagged with any of `tags` only (all: neither)."""
        return self.ask_batch([(question, history, articles, tags)])[0]

    def ask_batch(self, items: Sequence[tuple]) -> list[Answer]:
        """Answer several (question, history[, articles[, tags]]) items, encoding all their texts in
        one model call: a batch costs the model far less than the same questions one by one."""
        t0 = time.perf_counter()
        turns = [self._reader.read(q, h, self.settings, *scope) for q, h, *scope in items]
        texts = [text for turn in turns if isinstance(turn, Turn) for text in turn.encoded]
        vecs = self._embedder.encode(texts) if texts else None
        answers, cursor = [], 0
        for turn in turns:
            if isinstance(turn, Invalid):
                answers.append(self._no_quotes(turn.question, turn.query, "invalid", turn.message, t0))
                continue
            answer = self._finish(turn, vecs[cursor:cursor + len(turn.encoded)], t0)
            cursor += len(turn.encoded)
            # how the turn was read, as data the presentation words ("Read as")
            answers.append(replace(answer, reading=turn.reading, intent=turn.intent, scope=turn.scope,
                                   after=turn.after if answer.followup or answer.context else ""))
        return answers

    def _finish(self, turn: Turn, vecs: np.ndarray, t0: float) -> Answer:
        """One read turn with its vectors (the literal text's, the resolved one's, the previous question's)."""
        s, n = self.settings, len(turn.texts)
        tokens = self._retriever.tokenize(list(turn.texts))  # once: BM25, coverage and the topic check share it
        previous = self._chooser.previous(turn, vecs[n] if len(vecs) > n else None, s)
        literal_cos, literal_rows = self._chooser.nearest(vecs[0], turn.scope, s.candidates)  # of its scope only
        query_cos, near_rows = self._chooser.nearest(vecs[n - 1], turn.scope, s.candidates)
        rare = self._words.rare(turn.question, s.abstain.names)
        # a follow-up none of whose own words the articles use ("What about migraine?") is a new subject
        new = turn.followup and not turn.points_back and self._words.none_used(tokens[0]) \
            and not self._words.only_common(turn.question, s.common_rank)
        if declines(literal_cos, query_cos, rare, s.abstain, read_with_topic=bool(turn.reading), new_subject=new):
            return replace(self._abstain(turn, turn.query, t0, (), literal_rows), unknown=tuple(rare))
        queries = [Query(tokens[-1], vecs[n - 1], near_rows)]
        if turn.followup and not turn.intent and s.literal_weight and n > 1:  # the turn's own words, besides the topic's
            queries = [Query(tokens[0], vecs[0], literal_rows, s.literal_weight),
                       Query(tokens[-1], vecs[n - 1], near_rows, 1.0 - s.literal_weight)]
        return self._quote(turn, queries, tokens[0], previous, literal_rows, t0)

    def _quote(self, turn: Turn, queries: list[Query], literal: Sequence[str], previous: Previous,
               literal_rows: np.ndarray, t0: float) -> Answer:
        s, q, topic = self.settings, turn.question, previous.topic
        unsaid, absent = self._words.unsaid(turn, topic.articles)
        if turn.intent == "evidence" and previous.selections:  # the same quotes again: their references are the answer
            ranked, selections = previous.ranked, previous.selections
        else:  # section openings for a question of its own only: a follow-up's words ask within its topic
            ranked, selections, topic = self._chooser.choose(turn, queries, previous, () if turn.followup else literal,
                                                             s, only=topic.articles if absent else turn.scope)
        passages, (quotes, sources) = self._chooser.passages(ranked, s.passages), self._chooser.cite(selections, s)
        withheld = tuple(self._store.articles[a].title for a in topic.withheld)
        query = self._chooser.searched(turn, previous.selections)
        if not quotes:  # every candidate failed the verbatim gate (or was retracted): say nothing rather than misquote
            return replace(self._abstain(turn, query, t0, passages, literal_rows), withheld=withheld)
        missing = missing_kinds(q, [x.text for x in quotes], evidence=turn.intent == "evidence",
                                referenced=any(x.references for x in quotes))
        context = tuple(self._store.articles[a].title for a in topic.articles)
        differences, agreement, sources, figures_ms = self._compare(turn, ranked, sources, s)
        return Answer(question=q, query=query, status="answered", message=None, quotes=quotes, sources=sources,
                      differences=differences, agreement=agreement, passages=passages, disclaimer=self.disclaimer,
                      followup=turn.followup, ms=(time.perf_counter() - t0) * 1000, index_build=self.index_build,
                      missing=missing, context=context, unmentioned=unsaid or absent, figures_ms=figures_ms,
                      unmentioned_by=context if absent else (), withheld=withheld)

    def error_answer(self, question: str, message: str) -> Answer:
        """An answer for a failure outside the engine's control: the message, and the disclaimer."""
        shown = clean_question(question if isinstance(question, str) else "")[:SHOWN_CHARS]
        return self._no_quotes(shown, "", "error", message, time.perf_counter())

    def _abstain(self, turn: Turn, query: str, t0: float, passages: tuple[Passage, ...], near: Sequence[int]) -> Answer:
        """No quote: the message, and the articles nearest the question (`near`: sentence rows)."""
        nearest = self._coverage.nearest(self._store.sentences[int(r)].article_id for r in near)
        return replace(self._no_quotes(turn.question, query, "abstained", ABSTAIN_MESSAGE, t0, passages=passages,
                                       followup=turn.followup),
                       coverage=self.coverage(nearest, turn.scope), nearest=nearest[:self.settings.coverage_articles])

    def _no_quotes(self, question: str, query: str, status: str, message: str, t0: float, *,
                   passages: tuple[Passage, ...] = (), followup: bool = False) -> Answer:
        return Answer(question=question, query=query, status=status, message=message, quotes=(), sources=(),
                      passages=passages, disclaimer=self.disclaimer, followup=followup,
                      ms=(time.perf_counter() - t0) * 1000, index_build=self.index_build)


def load(index_dir: str | Path = "index", *, corpus_dir: str | Path | None = None,
         settings: Settings = SHIPPED, encoder: str | None = None) -> Engine:
    """Load the model and the index once. With `corpus_dir`, refuse an index older than the corpus.
    Questions are encoded by the index's runtime; `encoder` ("onnx", "torch") insists on one
    (an index built for the other is refused with the fix)."""
    store, embedder = open_build(Path(index_dir), encoder=encoder, corpus_dir=corpus_dir)
    return Engine(store, embedder, settings, pinned=encoder)
