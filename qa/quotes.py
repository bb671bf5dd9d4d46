"""Choose the sentences an answer quotes, from the sentences of the top passages.

Pure: takes query vectors, sentence vectors and records, returns spans of whole sentences.
Rules: most relevant first; only sentences close to the best one (`margin`); at most
`max_quotes` quotes and about `word_budget` words (lead-ins included); no near-duplicates; a
sentence that points back ("This can occur ...") is quoted together with the sentence before
it; when the best sentences all come from one article and another article has a nearly as good
one, that one is quoted too.

Does not check verbatim-ness or render; see `verbatim.py` and `render.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from .records import Chunk, Sentence

POINTS_BACK = frozenset("this these it its they their those that such however both another".split())


@dataclass(frozen=True)
class Selection:
    rows: tuple[int, ...]  # consecutive sentence ids of one chunk
    score: float


@dataclass(frozen=True)
class QuoteParams:
    max_quotes: int = 4
    word_budget: int = 120
    margin: float = 0.30  # keep sentences scoring within this of the best one
    other_article_margin: float = 0.08
    duplicate_cosine: float = 0.92
    rank_bonus: float = 0.15  # weight of the passage's fused rank, 1/(1+rank)
    lexical_weight: float = 0.30  # weight of the sentence's BM25 score on a 0-1 scale


def word_count(text: str | None) -> int:
    return len(text.split()) if text else 0


def points_back(text: str) -> bool:
    """
    >>> points_back("This can occur due to trauma."), points_back("Trauma can cause it.")
    (True, False)
    """
    first = text.split(maxsplit=1)[0].strip(",;:").lower() if text.strip() else ""
    return first in POINTS_BACK


def _with_antecedent(row: int, sentences: Sequence[Sentence]) -> tuple[int, ...]:
    rows = [row]
    while points_back(sentences[rows[0]].text) and rows[0] > 0 and \
            sentences[rows[0] - 1].chunk_id == sentences[row].chunk_id:
        rows.insert(0, rows[0] - 1)
    return tuple(rows)


def is_lead_in(text: str) -> bool:
    """A line that only introduces a list ("Surgical options include:") never stands alone."""
    return text.rstrip().endswith(":")


def score_sentences(cosines: np.ndarray, lexical: np.ndarray, ranks: Sequence[int],
                    params: QuoteParams) -> np.ndarray:
    """Relevance of candidate sentences: cosine similarity with the question, plus the sentence's
    lexical score (BM25 on a 0-1 scale), plus a little for the passage's fused rank.

    >>> score_sentences(np.array([0.5, 0.5]), np.array([1.0, 0.0]), [0, 3], QuoteParams(rank_bonus=0.0))
    array([0.8, 0.5])
    """
    prior = np.array([1.0 / (1 + r) for r in ranks], dtype=np.float64)
    return cosines + params.lexical_weight * np.asarray(lexical) + params.rank_bonus * prior


def select_quotes(candidate_rows: Sequence[int], scores: np.ndarray, sentence_vectors: np.ndarray,
                  sentences: Sequence[Sentence], chunks: Mapping[str, Chunk],
                  params: QuoteParams = QuoteParams()) -> list[Selection]:
    """Pick quotes from candidates (sentence ids) given their `scores` (see `score_sentences`)."""
    keep = [i for i, r in enumerate(candidate_rows) if not is_lead_in(sentences[r].text)]
    candidate_rows = [candidate_rows[i] for i in keep]
    scores = np.asarray(scores)[keep]
    if not candidate_rows:
        return []
    order = sorted(range(len(candidate_rows)), key=lambda i: -scores[i])
    best = float(scores[order[0]])
    chosen: list[Selection] = []
    used_rows: set[int] = set()
    shown_leads: set[str] = set()
    words = 0

    def cost(rows: tuple[int, ...]) -> int:
        lead = chunks[sentences[rows[0]].chunk_id].lead_in
        return sum(word_count(sentences[r].text) for r in rows) + (0 if lead in shown_leads else word_count(lead))

    def duplicate(rows: tuple[int, ...]) -> bool:
        if used_rows.intersection(rows):
            return True
        if not chosen:
            return False
        taken = sentence_vectors[sorted(used_rows)]
        return bool((taken @ sentence_vectors[list(rows)].T).max() >= params.duplicate_cosine)

    def take(rows: tuple[int, ...], score: float) -> None:
        nonlocal words
        words += cost(rows)
        chosen.append(Selection(rows, score))
        used_rows.update(rows)
        lead = chunks[sentences[rows[0]].chunk_id].lead_in
        if lead:
            shown_leads.add(lead)

    def extend(rows: tuple[int, ...]) -> bool:
        """A sentence continuing an already chosen quote ("It can be ...") joins that quote."""
        nonlocal words
        for k, sel in enumerate(chosen):
            if set(rows) & set(sel.rows) and rows[-1] not in sel.rows:
                merged = tuple(sorted(set(sel.rows) | set(rows)))
                added = sum(word_count(sentences[r].text) for r in merged if r not in sel.rows)
                if merged != tuple(range(merged[0], merged[-1] + 1)) or words + added > params.word_budget:
                    return False
                chosen[k] = Selection(merged, sel.score)
                used_rows.update(merged)
                words += added
                return True
        return False

    for i in order:
        score = float(scores[i])
        if score < best - params.margin:
            break
        rows = _with_antecedent(candidate_rows[i], sentences)
        if extend(rows) or len(chosen) >= params.max_quotes:
            continue
        if duplicate(rows) or (chosen and words + cost(rows) > params.word_budget):
            continue
        take(rows, score)

    articles = {sentences[s.rows[0]].article_id for s in chosen}
    if len(articles) == 1:
        for i in order:
            score = float(scores[i])
            if score < best - params.other_article_margin:
                break
            row = candidate_rows[i]
            if sentences[row].article_id in articles:
                continue
            rows = _with_antecedent(row, sentences)
            if duplicate(rows):
                continue
            while chosen and (len(chosen) >= params.max_quotes or words + cost(rows) > params.word_budget) and len(chosen) > 1:
                dropped = chosen.pop()
                used_rows.difference_update(dropped.rows)
                words -= cost(dropped.rows)
            if words + cost(rows) <= params.word_budget or len(chosen) <= 1:
                take(rows, score)
            break
    ranked = sorted(chosen, key=lambda s: -s.score)
    return group_list_items(ranked, lambda sel: chunks[sentences[sel.rows[0]].chunk_id].lead_in)


def group_list_items(ranked: Sequence[Selection], lead_in_of) -> list[Selection]:
    """Keep best-first order, but pull items of the same list up behind their best sibling so
    their lead-in is shown once.

    >>> s = [Selection((1,), .9), Selection((2,), .8), Selection((3,), .7)]
    >>> [x.rows for x in group_list_items(s, lambda x: "L" if x.rows[0] != 2 else None)]
    [(1,), (3,), (2,)]
    """
    out: list[Selection] = []
    for sel in ranked:
        if sel in out:
            continue
        out.append(sel)
        lead = lead_in_of(sel)
        if lead:
            out.extend(o for o in ranked if o not in out and lead_in_of(o) == lead)
    return out
