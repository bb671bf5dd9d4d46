"""Choose what an answer quotes from ranked sentence windows.

Pure: takes the ranked window ids and the records, returns spans of whole sentences. Rules: walk
the windows best first; a window that overlaps sentences already taken adds only its new ones; a
sentence that points back ("This can occur ...") brings the sentence before it; a window ending in
a list's lead-in ("Surgical options include:") is skipped (the items carry that line); after the
best window, a window is taken only while it fits in `word_budget` words (lead-ins count), so
every quote shown is within the budget whatever order it is shown in; stop at `max_quotes`. Spans that
touch within one paragraph become one quote. Quotes are then shown article by article (the best
article first) and, within an article, in the article's own order.

Does not check verbatim-ness or render; see `cite.py` and `qa.present`.
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
    max_quotes: int = 6
    word_budget: int = 120
    window_sentences: int = 2  # longest window quoted as one piece (windows of 3 did worse in CV)
    article_order: bool = True  # within an article, quote in the article's order
    slack: int = 10  # stop looking once fewer words than this are left in the budget


def word_count(text: str | None) -> int:
    return len(text.split()) if text else 0


def points_back(text: str) -> bool:
    """
    >>> points_back("This can occur due to trauma."), points_back("Trauma can cause it.")
    (True, False)
    """
    first = text.split(maxsplit=1)[0].strip(",;:").lower() if text.strip() else ""
    return first in POINTS_BACK


def is_lead_in(text: str) -> bool:
    """A line that only introduces a list ("Surgical options include:") never stands alone."""
    return text.rstrip().endswith(":")


def _group(row: int, sentences: Sequence[Sentence], chunks: Mapping[str, Chunk]) -> tuple[str, int]:
    chunk = chunks[sentences[row].chunk_id]
    return chunk.article_id, chunk.block if chunk.block >= 0 else chunk.ordinal


def _span_rows(first: int, length: int, sentences: Sequence[Sentence], chunks: Mapping[str, Chunk]) -> list[int]:
    """The window's rows, with the sentence before when the first one points back."""
    rows = list(range(first, first + length))
    if points_back(sentences[first].text) and first > 0 and \
            _group(first - 1, sentences, chunks) == _group(first, sentences, chunks):
        rows.insert(0, first - 1)
    return rows


def select_windows(ranked: Sequence[int], scores: Sequence[float], windows: np.ndarray,
                   sentences: Sequence[Sentence], chunks: Mapping[str, Chunk],
                   params: QuoteParams = QuoteParams()) -> list[Selection]:
    """Quotes from windows ranked best first (`scores` in the same order)."""
    taken: set[int] = set()
    spans: list[tuple[int, int, float]] = []
    leads: set[str] = set()
    words = 0
    for w, score in zip(ranked, scores):
        first, length = int(windows[w][0]), int(windows[w][1])
        if length > params.window_sentences or is_lead_in(sentences[first + length - 1].text):
            continue
        new = [r for r in _span_rows(first, length, sentences, chunks) if r not in taken]
        if not new:
            continue
        lead = chunks[sentences[first].chunk_id].lead_in
        cost = sum(word_count(sentences[r].text) for r in new) + (word_count(lead) if lead and lead not in leads else 0)
        if spans and words + cost > params.word_budget:
            continue  # the best window is always quoted; later ones only while they fit
        taken.update(new)
        spans.append((new[0], new[-1], float(score)))
        words += cost
        if lead:
            leads.add(lead)
        if words >= params.word_budget - params.slack or len(spans) >= params.max_quotes:
            break
    merged = _merge(spans, sentences, chunks)
    return in_article_order(merged, sentences) if params.article_order else merged


def _merge(spans: Sequence[tuple[int, int, float]], sentences: Sequence[Sentence],
           chunks: Mapping[str, Chunk]) -> list[Selection]:
    """Spans that overlap or touch within one paragraph become one, at the better one's place."""
    groups: list[list] = []
    for first, last, score in spans:
        for g in groups:
            if _group(first, sentences, chunks) == _group(g[0], sentences, chunks) and first <= g[1] + 1 and last + 1 >= g[0]:
                g[0], g[1], g[2] = min(g[0], first), max(g[1], last), max(g[2], score)
                break
        else:
            groups.append([first, last, score])
    if len(groups) < len(spans):  # a merge can make two groups touch
        return _merge([tuple(g) for g in groups], sentences, chunks)
    return [Selection(tuple(range(a, b + 1)), s) for a, b, s in groups]


def in_article_order(selections: Sequence[Selection], sentences: Sequence[Sentence]) -> list[Selection]:
    """Article by article, best article first; within an article, in the article's order.

    >>> s = [Sentence(i, "c", "a" if i < 5 else "b", "x", i, i + 1) for i in range(8)]
    >>> [x.rows for x in in_article_order([Selection((3,), .9), Selection((6,), .8), Selection((1,), .7)], s)]
    [(1,), (3,), (6,)]
    """
    rank = {}
    for sel in selections:
        rank.setdefault(sentences[sel.rows[0]].article_id, len(rank))
    return sorted(selections, key=lambda sel: (rank[sentences[sel.rows[0]].article_id], sel.rows[0]))
