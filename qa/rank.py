"""Rank sentence windows for a question: lexical and dense match of the window itself, and how
much of the question's rarer vocabulary it covers.

    score = bm25 / best bm25 + w_cos · (best sentence cosine in the window) + w_cov · (IDF-weighted
            share of the question's terms the window contains) + w_head · (the same share for the
            headings of the window's section)

and the engine adds w_lead · (share of a section's own heading asked for) to the window that opens
that section (`sections.py`).

Signals that mean the same on any corpus: BM25 is divided by the best window's BM25 for this
question (so its scale does not depend on corpus size or question length), cosine is already on
a fixed scale, and both coverages are shares. The weights were chosen by cross-validation across
articles on the COVID-QA dev half and checked on the foot-drop questions (README, "How an answer
is made"); a learned ranker over thirty features did no better across articles.

`window_scores`, `coverage` and `top_candidates` are pure (arrays in, arrays out); `Ranking`
gathers their inputs from the loaded index (`retrieve.py`, `sections.py`) and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Sequence

import numpy as np

if TYPE_CHECKING:
    from .retrieve import Retriever
    from .sections import Sections


@dataclass(frozen=True)
class RankWeights:
    bm25: float = 1.0
    cosine: float = 2.0
    coverage: float = 1.0
    # IDF-weighted share of the question's terms in the window's section headings ("Treatment",
    # "Braces and Orthotics"): chosen on the tuning parts of all three corpora (README)
    heading: float = 3.0
    # a window that opens a section whose own heading the question asks for ("Outlook" in "What is
    # the outlook for …?"): times the share of that heading's terms in the question; chosen on the
    # tuning parts of all three corpora (README)
    lead: float = 3.0


def window_scores(bm25: np.ndarray, best_bm25: float, cosine: np.ndarray, coverage: np.ndarray,
                  weights: RankWeights = RankWeights(), *, heading: np.ndarray | float = 0.0) -> np.ndarray:
    """Scores of candidate windows from their BM25, best sentence cosine and term coverage.

    >>> window_scores(np.array([4.0, 2.0]), 4.0, np.array([0.5, 0.7]), np.array([1.0, 0.5]))
    array([3. , 2.4])
    """
    lexical = bm25 / best_bm25 if best_bm25 > 0 else np.zeros_like(bm25)
    return weights.bm25 * lexical + weights.cosine * cosine + weights.coverage * coverage + weights.heading * heading


def coverage(query_idf: dict[int, float], window_terms: list[np.ndarray]) -> np.ndarray:
    """IDF-weighted share of the query's distinct terms (by id) that each window contains.

    >>> coverage({1: 2.0, 2: 1.0, 3: 1.0}, [np.array([1, 5]), np.array([2, 3])])
    array([0.5, 0.5])
    """
    total = sum(query_idf.values())
    if total <= 0 or not window_terms:
        return np.zeros(len(window_terms))
    keys = np.array(sorted(query_idf), dtype=np.int64)
    idf = np.array([query_idf[k] for k in keys.tolist()], dtype=np.float64)
    lengths = np.array([len(terms) for terms in window_terms], dtype=np.int64)
    flat = np.concatenate(window_terms).astype(np.int64) if lengths.sum() else np.zeros(0, dtype=np.int64)
    at = np.minimum(np.searchsorted(keys, flat), len(keys) - 1)
    weights = np.where(keys[at] == flat, idf[at], 0.0)  # each window's terms summed in their own order
    return np.bincount(np.repeat(np.arange(len(window_terms)), lengths), weights=weights,
                       minlength=len(window_terms)) / total


def top_candidates(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k best scores (any order), ignoring non-positive ones."""
    k = min(k, len(scores))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    top = np.argpartition(-scores, k - 1)[:k]
    return top[scores[top] > 0]


@dataclass(frozen=True)
class Query:
    """One search of the windows: its BM25 tokens, its vector, the sentences nearest it, and its
    weight in a ranking that blends several."""
    tokens: Sequence[str]
    vec: np.ndarray
    near: np.ndarray
    weight: float = 1.0


@dataclass(frozen=True)
class Ranking:
    """Ranks the index's sentence windows for one or more queries (read-only: one per settings)."""
    retriever: "Retriever"
    sections: "Sections"
    weights: RankWeights
    candidates: int  # windows taken from each side (BM25, nearest sentences) before ranking
    longest: int  # the longest window quoted, in sentences: longer ones are not ranked
    dense: bool = True
    bm25: bool = True
    within: np.ndarray | None = None  # window -> in a question's scope (`qa.scope`); None: every window

    def __post_init__(self):  # a signal switched off weighs nothing
        w, lexical = self.weights, 1.0 if self.bm25 else 0.0
        object.__setattr__(self, "weights", replace(w, bm25=w.bm25 * lexical, coverage=w.coverage * lexical,
                                                    heading=w.heading * lexical, lead=w.lead * lexical,
                                                    cosine=w.cosine if self.dense else 0.0))

    def rank(self, queries: Sequence[Query], asked: Sequence[str] = ()) -> tuple[np.ndarray, np.ndarray]:
        """Candidate windows (each query's best BM25 and nearest sentences) ranked by the queries'
        weighted `window_scores`, best first, with their scores. With `asked` (the turn's own
        tokens): in the article of the best window, the windows opening a section whose own heading
        the question asks for ("Outlook" in "What is the outlook for …?") join the candidates and
        score `RankWeights.lead` times that share more -- a section opens with its summary."""
        r, spans = self.retriever, self.retriever.store.windows
        found, bm25 = [], []
        for q in queries:
            scores = r.window_bm25(q.tokens) if self.bm25 else np.zeros(len(spans), dtype=np.float32)
            quotable = spans[:, 1] <= self.longest if self.within is None else (spans[:, 1] <= self.longest) & self.within
            bm25.append(np.where(quotable, scores, 0.0))
            found.append(top_candidates(bm25[-1], self.candidates))
            if self.dense:
                near = r.windows_of(q.near)
                found.append(near[top_candidates(r.window_cosines(q.vec, near, self.longest) + 1.0, self.candidates)])
        candidates = np.unique(np.concatenate(found)).astype(np.int64) if found else np.zeros(0, dtype=np.int64)
        scores = self._score(queries, bm25, candidates)
        if self.weights.lead and asked and len(candidates):
            sections = self.sections
            share = sections.asked_share(asked)
            leads = sections.leads_of([sections.article[candidates[int(np.argmax(scores))]]])
            leads = leads[(share[sections.section[leads]] > 0) & (spans[leads, 1] <= self.longest)]
            extra = np.setdiff1d(leads, candidates)
            candidates = np.concatenate([candidates, extra])
            scores = np.concatenate([scores, self._score(queries, bm25, extra)])
            scores += self.weights.lead * share[sections.section[candidates]] * np.isin(candidates, leads)
        order = np.argsort(-scores, kind="stable")
        return candidates[order], scores[order]

    def _score(self, queries: Sequence[Query], bm25: Sequence[np.ndarray], windows: np.ndarray) -> np.ndarray:
        """The queries' weighted `window_scores` of `windows` (`bm25`: each query's BM25 of every window)."""
        r, weights = self.retriever, self.weights
        scores = np.zeros(len(windows))
        if not len(windows):
            return scores
        sections = self.sections.section[windows]
        for q, lexical in zip(queries, bm25):
            cosine = r.window_cosines(q.vec, windows, self.longest) if self.dense else np.zeros(len(windows))
            idf = r.query_idf(q.tokens)
            terms = coverage(idf, r.window_terms(windows)) if self.bm25 else np.zeros(len(windows))
            heading = coverage(idf, [self.sections.path_terms[k] for k in sections]) if weights.heading else 0.0
            scores += q.weight * window_scores(lexical[windows], float(lexical.max(initial=0.0)), cosine, terms,
                                               weights, heading=heading)
        return scores

    def lean(self, ranked: np.ndarray, scores: np.ndarray, articles: Sequence[str], sections: Sequence[int],
             bonus: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
        """`ranked` re-ranked with `bonus` (article, section) added for windows of `articles` and
        of `sections` (a conversation's topic)."""
        if not len(articles):
            return ranked, scores
        scores = scores + bonus[0] * np.isin(self.sections.article[ranked], list(articles))
        scores = scores + bonus[1] * np.isin(self.sections.section[ranked], list(sections))
        order = np.argsort(-scores, kind="stable")
        return ranked[order], scores[order]
