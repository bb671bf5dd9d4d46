"""The project's one tokeniser, and BM25 over sentence windows.

`words` splits text into surface words (follow-up reading, search-text bookkeeping); `Tokenizer`
turns them into stemmed BM25 terms with English stemming so word forms match ("stimulating" finds
"stimulation") and bm25s' English stop words. The same tokeniser serves the build and the query,
so they cannot drift apart.

Does not weigh BM25 against other signals; see `qa/rank.py`.
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path
from typing import Sequence

import numpy as np


WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\-]*")


def words(text: str) -> list[str]:
    """Surface words, hyphenated words and contractions whole.

    >>> words("What about off-the-shelf AFOs? It's 2 cm.")
    ['What', 'about', 'off-the-shelf', 'AFOs', "It's", '2', 'cm']
    """
    return WORD.findall(text)


def stopwords() -> frozenset[str]:
    """The English stop words BM25 drops (bm25s' "en_plus" list)."""
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    return frozenset(STOPWORDS_EN_PLUS)


def _stemmer():
    import Stemmer  # PyStemmer: Snowball, no data files to download

    return Stemmer.Stemmer("english")


# bm25s' own tokenisation rule (scikit-learn's): words of two or more word characters, lower-cased
TOKEN = re.compile(r"(?u)\b\w\w+\b")


class Tokenizer:
    """Lower-case, split as `bm25s.tokenize` does, drop its "en_plus" stop words, stem. The same
    terms as `bm25s.tokenize(texts, stopwords="en_plus", stemmer=..., return_ids=False)` (a test
    compares them on every corpus text), without its per-call progress bars and per-text stop-word
    set, which cost a question about 2 ms."""

    def __init__(self) -> None:
        self._stemmer = _stemmer()
        self._stop = stopwords()

    def stem(self, word: str) -> str:
        """One word's search stem, lower-cased (stop words too)."""
        return self._stemmer.stemWord(word.lower())

    @property
    def stop(self) -> frozenset[str]:
        return self._stop

    def __call__(self, texts: Sequence[str]) -> list[list[str]]:
        stem, stop = self._stemmer.stemWords, self._stop
        return [stem([t for t in TOKEN.findall(text.lower()) if t not in stop]) for text in texts]


def build_bm25(tokens: list[list[str]]):
    import bm25s

    retriever = bm25s.BM25()
    retriever.index(tokens, show_progress=False)
    return retriever


def save_bm25(retriever, folder: Path) -> None:
    retriever.save(str(folder), show_progress=False)


def load_bm25(folder: Path):
    import bm25s

    return bm25s.BM25.load(str(folder), mmap=False, load_vocab=True, show_progress=False)


def bm25_scores(retriever, query_tokens: Sequence[str]) -> np.ndarray:
    """Scores of every chunk for one tokenised query; zeros when no token is in the vocabulary."""
    ids = retriever.get_tokens_ids(list(dict.fromkeys(query_tokens)))
    if not ids:
        return np.zeros(int(retriever.scores["num_docs"]), dtype=np.float32)
    return np.asarray(retriever.get_scores_from_ids(ids), dtype=np.float32)


class Vocabulary:
    """Which stemmed terms the indexed text uses. A stem also counts as known when a longer
    indexed stem starts with it: Snowball stems "recover" to `recov` but "recovery" to `recoveri`.

    >>> v = Vocabulary(["recoveri", "diagnost", "foot"])
    >>> v.knows("recov"), v.knows("diagnos"), v.knows("foo"), v.knows("migrain")
    (True, True, False, False)
    """

    MIN_PREFIX = 4

    def __init__(self, terms) -> None:
        self._terms = sorted(terms)
        self._set = frozenset(self._terms)

    def knows(self, stem: str) -> bool:
        if stem in self._set:
            return True
        if len(stem) < self.MIN_PREFIX:
            return False
        i = bisect.bisect_left(self._terms, stem)
        return i < len(self._terms) and self._terms[i].startswith(stem)

    def share(self, stems: Sequence[str]) -> float:
        """Share of the distinct stems that are known (1.0 when there are none)."""
        distinct = set(stems)
        return sum(map(self.knows, distinct)) / len(distinct) if distinct else 1.0
