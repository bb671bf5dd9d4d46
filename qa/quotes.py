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

from .index.records import Chunk, Sentence

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


class _Picker:
    """The quotes chosen so far, with what they cost in words and which rows they use."""

    def __init__(self, sentence_vectors: np.ndarray, sentences: Sequence[Sentence], chunks: Mapping[str, Chunk],
                 params: QuoteParams):
        self.vectors, self.sentences, self.chunks, self.params = sentence_vectors, sentences, chunks, params
        self.chosen: list[Selection] = []
        self.used_rows: set[int] = set()
        self.shown_leads: set[str] = set()
        self.words = 0

    def lead_in(self, rows: tuple[int, ...]) -> str | None:
        return self.chunks[self.sentences[rows[0]].chunk_id].lead_in

    def cost(self, rows: tuple[int, ...]) -> int:
        lead = self.lead_in(rows)
        return sum(word_count(self.sentences[r].text) for r in rows) + (0 if lead in self.shown_leads else word_count(lead))

    def over_budget(self, rows: tuple[int, ...]) -> bool:
        return self.words + self.cost(rows) > self.params.word_budget

    def duplicate(self, rows: tuple[int, ...]) -> bool:
        if self.used_rows.intersection(rows):
            return True
        if not self.chosen:
            return False
        taken = self.vectors[sorted(self.used_rows)]
        return bool((taken @ self.vectors[list(rows)].T).max() >= self.params.duplicate_cosine)

    def take(self, rows: tuple[int, ...], score: float) -> None:
        self.words += self.cost(rows)
        self.chosen.append(Selection(rows, score))
        self.used_rows.update(rows)
        lead = self.lead_in(rows)
        if lead:
            self.shown_leads.add(lead)

    def drop_last(self) -> None:
        dropped = self.chosen.pop()
        self.used_rows.difference_update(dropped.rows)
        self.words -= self.cost(dropped.rows)

    def extend(self, rows: tuple[int, ...]) -> bool:
        """A sentence continuing an already chosen quote ("It can be ...") joins that quote."""
        for k, sel in enumerate(self.chosen):
            if set(rows) & set(sel.rows) and rows[-1] not in sel.rows:
                merged = tuple(sorted(set(sel.rows) | set(rows)))
                added = sum(word_count(self.sentences[r].text) for r in merged if r not in sel.rows)
                if merged != tuple(range(merged[0], merged[-1] + 1)) or self.words + added > self.params.word_budget:
                    return False
                self.chosen[k] = Selection(merged, sel.score)
                self.used_rows.update(merged)
                self.words += added
                return True
        return False


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
    picker = _Picker(sentence_vectors, sentences, chunks, params)
    for i in order:
        score = float(scores[i])
        if score < best - params.margin:
            break
        rows = _with_antecedent(candidate_rows[i], sentences)
        if picker.extend(rows) or len(picker.chosen) >= params.max_quotes:
            continue
        if picker.duplicate(rows) or (picker.chosen and picker.over_budget(rows)):
            continue
        picker.take(rows, score)
    _quote_other_article(picker, [(candidate_rows[i], float(scores[i])) for i in order], best)
    ranked = sorted(picker.chosen, key=lambda s: -s.score)
    return group_list_items(ranked, lambda sel: picker.lead_in(sel.rows))


def _quote_other_article(picker: _Picker, ranked: Sequence[tuple[int, float]], best: float) -> None:
    """When every quote comes from one article, quote another article's nearly as good sentence,
    dropping the weakest quotes to make room."""
    params, sentences = picker.params, picker.sentences
    articles = {sentences[s.rows[0]].article_id for s in picker.chosen}
    if len(articles) != 1:
        return
    for row, score in ranked:
        if score < best - params.other_article_margin:
            return
        if sentences[row].article_id in articles:
            continue
        rows = _with_antecedent(row, sentences)
        if picker.duplicate(rows):
            continue
        while len(picker.chosen) > 1 and (len(picker.chosen) >= params.max_quotes or picker.over_budget(rows)):
            picker.drop_last()
        if not picker.over_budget(rows) or len(picker.chosen) <= 1:
            picker.take(rows, score)
        return


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
