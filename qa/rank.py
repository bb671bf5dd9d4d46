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

Pure: arrays in, arrays out; `retrieve.py` gathers the inputs from the index.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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
