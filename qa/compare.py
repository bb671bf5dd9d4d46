"""An answer's figures side by side: for a question asking for a figure, what each article among
its best windows gives (`qa.figures`), each sentence cited and checked verbatim like any quote
(`qa.cite`), as `Figures` records: different figures, or one the articles agree on.
"""

from __future__ import annotations

import time
from functools import lru_cache

import numpy as np

from .answer import FigureItem, Figures, Quote, Source
from .choose import Chooser
from .cite import cite_also
from .figures import Figure, find, unhyphenated, verdict, wanted
from .index import Store
from .quotes import Selection
from .reading import Turn
from .retrieve import Retriever
from .settings import Settings


class Comparer:
    """The engine's figures step, over one loaded build (`__call__` per answered turn)."""

    def __init__(self, store: Store, retriever: Retriever, chooser: Chooser):
        self._store, self._chooser, self._tokenize = store, chooser, retriever.tokenize
        self._weight = retriever.word_weight
        self._stem = lru_cache(maxsize=65536)(unhyphenated(retriever.tokenize.stem))  # the same words recur in every sentence

    def __call__(self, turn: Turn, ranked: np.ndarray, sources: tuple[Source, ...],
                 s: Settings) -> tuple[tuple[Figures, ...], tuple[Figures, ...], tuple[Source, ...], float]:
        """`figures`, and the milliseconds it took (`Answer.figures_ms`: what the step costs an answer)."""
        start = time.perf_counter()
        return *self.figures(turn, ranked, sources, s), (time.perf_counter() - start) * 1000

    def figures(self, turn: Turn, ranked: np.ndarray, sources: tuple[Source, ...],
                s: Settings) -> tuple[tuple[Figures, ...], tuple[Figures, ...], tuple[Source, ...]]:
        """(differences, agreement, the sources with the figures' articles added) for the turn (as
        read: "its" replaced) over its `ranked` windows; nothing when it asks for no figure, fewer
        than two articles give one, or it asks "Why?", "What else?" or for the evidence."""
        if not s.figures or turn.intent:
            return (), (), sources
        want = wanted(turn.reading or turn.question, self._tokenize.stop, self._stem, self._weight, s.figure_rule)
        finding = want and find(want, self._chooser.sentences(ranked, s.figure_windows), self._stem,
                                s.figure_articles, s.figure_rule)
        if not finding:
            return (), (), sources
        quotes, theirs = self._chooser.cite([Selection(rows=(f.row,), score=0.0) for f in finding.figures], s)
        quotes, cited = cite_also(quotes, theirs, sources)
        checked = {q.article_id: q for q in quotes}  # a sentence failing the verbatim gate is left out
        kept = [f for f in finding.figures if f.article_id in checked]
        said = verdict([f.amount for f in kept]) if len(kept) > 1 else None
        if said is None or (said == "different" and want.counts_only):
            return (), (), sources
        figures = Figures(measure=finding.measure, items=tuple(self._item(f, checked[f.article_id]) for f in kept))
        return ((figures,), (), cited) if said == "different" else ((), (figures,), cited)

    def _item(self, figure: Figure, quote: Quote) -> FigureItem:
        article, amount = self._store.articles[figure.article_id], figure.amount
        return FigureItem(article=article.id, title=article.title, date=article.last_updated or article.published,
                          value=amount.text, unit=amount.unit, low=amount.low,
                          high=None if amount.high == np.inf else amount.high, setting=figure.setting,
                          quote=quote.text, number=quote.number, start=quote.start, end=quote.end,
                          chunk_id=quote.chunk_id, section=quote.section, caution=quote.caution, page=quote.page)

