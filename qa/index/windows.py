"""Sentence windows: the units an answer quotes from.

A window is 1 to `MAX_SENTENCES` consecutive sentences of one paragraph or list item (a long
paragraph cut into several chunks still forms windows across the cut), of at most `MAX_WORDS`
words unless it is a single sentence. Answers are often longer than one sentence; a window lets
retrieval score "the sentence and the one that finishes its thought" as one piece.

Windows are stored as rows of (first sentence row, sentence count); their BM25 index is built over
each window's sentences plus the lead-in of its list item, so "Surgical options include:" is what
finds the bare item "Tendon transfers".

Does not score or choose windows (`qa/quotes.py`).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from .records import Chunk, Sentence

# Windows of 3 are never quoted (`qa.quotes.QuoteParams.window_sentences` is 2: they quoted worse in
# cross-validation) but stay in the BM25 index: its statistics are computed over them, and without
# them answers moved both ways (foot drop 0.962 -> 0.942 evidence quoted, COVID-QA 0.658 -> 0.661 on
# the tuning parts; 2026-12-01) -- a change to tune for, not a free saving.
MAX_SENTENCES = 3
MAX_WORDS = 110


def make_windows(sentences: Sequence[Sentence], chunks: Mapping[str, Chunk], *,
                 max_sentences: int = MAX_SENTENCES, max_words: int = MAX_WORDS) -> np.ndarray:
    """(first sentence row, length) of every window, in sentence order, as an int32 array.

    Sentences must be numbered 0..n-1 in article order (as `ingest` writes them)."""
    def group(s: Sentence) -> tuple[str, int]:
        c = chunks[s.chunk_id]
        return (s.article_id, c.block if c.block >= 0 else c.ordinal)

    groups = [group(s) for s in sentences]
    words = [len(s.text.split()) for s in sentences]
    rows = []
    for i in range(len(sentences)):
        total = 0
        for length in range(1, max_sentences + 1):
            j = i + length - 1
            if j >= len(sentences) or groups[j] != groups[i]:
                break
            total += words[j]
            if length > 1 and total > max_words:
                break
            rows.append((i, length))
    return np.asarray(rows, dtype=np.int32).reshape(-1, 2)


def window_texts(windows: np.ndarray, sentences: Sequence[Sentence], chunks: Mapping[str, Chunk]) -> list[str]:
    """What BM25 indexes for each window: its list item's lead-in, then its sentences."""
    out = []
    for first, length in windows:
        lead = chunks[sentences[first].chunk_id].lead_in
        body = " ".join(sentences[r].text for r in range(first, first + length))
        out.append(f"{lead} {body}" if lead else body)
    return out
