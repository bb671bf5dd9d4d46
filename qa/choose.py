"""From query vectors and terms to the quotes of one answer: rank the sentence windows (`rank.py`),
lean towards the conversation's topic, leave out what may not be quoted (retracted articles,
signposting sentences, what the previous answer showed for "What else?" and "Why?"), and choose
the quotes within the word budget (`quotes.py`). The previous question's answer is recomputed
here too: the history holds only questions, and its windows are the conversation's topic. A
scoped turn (`Turn.scope`) is searched, ranked and quoted within its scope only (`qa.scope`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Callable, Iterator, Sequence

import numpy as np

from .answer import Passage, Quote, Source
from .caution import cautions
from .cite import cite, list_places
from .index import Store
from .index.amounts import Amount
from .quotes import Selection, select_windows
from .rank import Query, Ranking
from .reading import Turn
from .retrieve import Retriever
from .scope import Scopes
from .sections import Sections
from .settings import Settings
from .signposts import asks_about_the_text, is_signposting

CLAIM_WORDS = 25  # "Why?" is said to ask what explains the claim's first this many words


@dataclass(frozen=True)
class Topic:
    """Where the conversation is: the articles and sections (numbered by `Sections`) of the
    previous question's best windows. Empty for a first question."""
    articles: tuple[str, ...] = ()
    sections: tuple[int, ...] = ()
    withheld: tuple[str, ...] = ()  # retracted articles the answer would have quoted (ids)

    def __bool__(self) -> bool:
        return bool(self.articles)


@dataclass(frozen=True)
class Previous:
    """The previous question's answer as the turn needs it: its topic, the quotes it chose (for
    "What else?", "Why?", "Evidence for that?" only) and its ranked windows."""
    topic: Topic = field(default_factory=Topic)
    selections: tuple[Selection, ...] = ()
    ranked: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


class Chooser:
    def __init__(self, store: Store, retriever: Retriever, sections: Sections):
        self._store = store
        self._retriever = retriever
        self._sections = sections
        self._chunk_by_id = {c.id: c for c in store.chunks}
        self._chunk_row = {c.id: row for row, c in enumerate(store.chunks)}
        # window -> of a retracted article: never quoted, never the topic
        self.retracted = np.array([store.articles[a].retracted for a in sections.article], dtype=bool)
        self._places = list_places(store.chunks)
        self._signposts = frozenset(row for row, x in enumerate(store.sentences) if is_signposting(x.text))
        self._scopes = Scopes(store, sections.article)

    def ranking(self, s: Settings, scope: Sequence[str] = ()) -> Ranking:
        return Ranking(self._retriever, self._sections, s.rank, s.candidates, s.quotes.window_sentences,
                       dense=s.dense, bm25=s.bm25, within=self._scopes.windows(scope))

    def nearest(self, vec: np.ndarray, scope: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """(cosines, sentence rows) of the k sentences nearest `vec`, best first: of the whole index,
        or of the `scope`'s articles only."""
        return self._scopes.nearest(vec, scope, k) if scope else self._retriever.nearest_sentences(vec, k)

    def _select(self, ranked: np.ndarray, scores: np.ndarray, s: Settings) -> list[Selection]:
        return select_windows(ranked, scores, self._store.windows, self._store.sentences, self._chunk_by_id, s.quotes)

    def previous(self, turn: Turn, vec: np.ndarray | None, s: Settings) -> Previous:
        """For a turn with a history: the previous question ranked again (same ranking, no second
        model call: `vec` came in the batch), by content (no section-lead bonus)."""
        if not turn.previous or vec is None:
            return Previous()
        tokens = self._retriever.tokenize([turn.previous])[0]
        near = self.nearest(vec, turn.scope, s.candidates)[1]
        ranked, scores = self.ranking(s, turn.scope).rank([Query(tokens, vec, near)])
        # a retracted article is no topic: the previous answer did not quote it (nor its runner-up instead)
        best = [int(w) for w in ranked[:s.context_windows] if not self.retracted[w]]
        ranked, scores = ranked[~self.retracted[ranked]], scores[~self.retracted[ranked]]
        topic = Topic(tuple(dict.fromkeys(self._sections.article[w] for w in best)),
                      tuple(dict.fromkeys(int(self._sections.section[w]) for w in best)))
        chosen = tuple(self._select(ranked, scores, s)) if turn.intent else ()
        return Previous(topic, chosen, ranked)

    def why(self, before: Sequence[Selection], s: Settings, scope: Sequence[str] = ()) -> Query:
        """"Why?" searches near the claim the previous answer quoted best, for the sentences around it."""
        claim = self.claim(before)
        vec = self._store.sentence_vectors[list(claim)].mean(axis=0)
        vec = (vec / max(float(np.linalg.norm(vec)), 1e-9)).astype(np.float32)
        tokens = self._retriever.tokenize([" ".join(self._store.sentences[r].text for r in claim)])[0]
        return Query(tokens, vec, self.nearest(vec, scope, s.candidates)[1])

    def choose(self, turn: Turn, queries: list[Query], previous: Previous, asked: Sequence[str], s: Settings,
               only: Sequence[str] = ()) -> tuple[np.ndarray, list[Selection], Topic]:
        """Rank windows for the queries and choose quotes: (ranked windows, selections, the topic as
        shown). "What else?" and "Why?" skip what the previous answer quoted. `asked`: the tokens
        whose sections' openings are favoured (`Ranking.rank`), none for a follow-up; `only`: the
        articles quotes may come from (all when empty). A scoped turn is ranked within its scope."""
        before, topic = previous.selections, previous.topic
        if turn.intent == "why" and before:
            queries = [self.why(before, s, turn.scope)]
        ranking = self.ranking(s, turn.scope)
        plain, scores = ranking.rank(queries, asked)
        bonus = (s.context_bonus, s.section_bonus) if turn.followup else (s.standalone_bonus, 0.0)
        ranked, scores = ranking.lean(plain, scores, topic.articles, topic.sections, bonus)
        if not turn.followup and topic:  # name the topic only where it decided the best window
            topic = topic if len(ranked) and ranked[0] != plain[0] else Topic()
        shown = {r for sel in before for r in sel.rows} if turn.intent in ("more", "why") else set()
        if not asks_about_the_text(turn.question):  # "In this article, we will explore …" answers nothing
            shown |= self._signposts
        article, only = self._sections.article, frozenset(only)  # a tag scope may hold thousands of ids
        withheld = tuple(dict.fromkeys(article[w] for w in ranked[:s.withheld_rank] if self.retracted[w]))
        keep = [i for i, w in enumerate(ranked) if not shown.intersection(self._rows(int(w)))
                and (not only or article[w] in only) and not self.retracted[w]]
        ranked, scores = ranked[keep], scores[keep]
        # a sentence that points back brings the one before it, which may be one already shown
        selections = [sel for sel in self._select(ranked, scores, s) if not shown.intersection(sel.rows)]
        return ranked, selections, replace(topic, withheld=withheld)

    @staticmethod
    def claim(before: Sequence[Selection]) -> tuple[int, ...]:
        """The sentence rows of the previous answer's best-scored quote: what "Why?" asks about."""
        return max(before, key=lambda sel: sel.score).rows

    def searched(self, turn: Turn, before: Sequence[Selection]) -> str:
        """How the turn was searched (`Answer.query`): the query, or for "Why?", "What else?"
        and "Evidence for that?" what was taken from the previous answer."""
        if not (turn.intent and before):
            return turn.query
        if turn.intent == "why":
            claim = " ".join(self._store.sentences[r].text for r in self.claim(before)).split()
            return f"what explains “{' '.join(claim[:CLAIM_WORDS])}{' …' if len(claim) > CLAIM_WORDS else ''}”"
        if turn.intent == "evidence":
            return f"the references behind the answer to “{turn.query}”"
        return f"{turn.query} (quotes not shown before)"

    def cite(self, selections: Sequence[Selection], s: Settings) -> tuple[tuple[Quote, ...], tuple[Source, ...]]:
        """The selections as numbered quotes, each checked verbatim and marked with its article's
        cautions (`qa.caution`), and their sources (`cite.py`)."""
        today = datetime.date.today()
        return cite(selections, self._store.sentences, self._chunk_by_id, self._store.articles, self._places,
                    lambda article: cautions(article, today, s.caution_years))

    def sentences(self, ranked: np.ndarray, limit: int, before: int = 2
                  ) -> Iterator[tuple[int, str, str, tuple[Amount, ...], Callable[[], tuple[str, ...]]]]:
        """(row, article id, text, its amounts, its context) of the sentences of the best `limit`
        windows, best first, once each; the context (made when asked for) is the texts of the
        article's title and the `before` sentences before it."""
        sentences = self._store.sentences
        for r in dict.fromkeys(r for w in ranked[:limit] for r in self._rows(int(w))):
            yield r, sentences[r].article_id, sentences[r].text, sentences[r].amounts, partial(self._context, r, before)

    def _context(self, row: int, before: int) -> tuple[str, ...]:
        sentences, article = self._store.sentences, self._store.sentences[row].article_id
        near = [x.text for x in sentences[max(0, row - before):row] if x.article_id == article]
        return self._store.articles[article].title, *near

    def _rows(self, w: int) -> range:
        first, length = int(self._store.windows[w, 0]), int(self._store.windows[w, 1])
        return range(first, first + length)

    def passages(self, ranked: np.ndarray, limit: int) -> tuple[Passage, ...]:
        """The chunks of the best windows, in rank order, at most `limit` of them."""
        store = self._store
        rows = dict.fromkeys(self._chunk_row[store.sentences[int(store.windows[w, 0])].chunk_id] for w in ranked)
        return tuple(self._passage(store.chunks[row], 1.0 / (1 + k)) for k, row in enumerate(list(rows)[:limit]))

    def _passage(self, chunk, score: float) -> Passage:
        article = self._store.articles[chunk.article_id]
        return Passage(chunk_id=chunk.id, text=chunk.text, lead_in=chunk.lead_in, article_id=chunk.article_id,
                       article_title=article.title, section=chunk.section, score=score)
