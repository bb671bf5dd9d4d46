"""BM25 over chunk context texts, with English stemming so word forms match ("stimulating" finds
"stimulation"). One tokeniser serves both the build and the query, so they cannot drift apart.

Does not fuse or rank across methods; see `fusion.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np


def _stemmer():
    import Stemmer  # PyStemmer: Snowball, no data files to download

    return Stemmer.Stemmer("english")


class Tokenizer:
    def __init__(self) -> None:
        self._stemmer = _stemmer()

    def __call__(self, texts: Sequence[str]) -> list[list[str]]:
        import bm25s

        return bm25s.tokenize(
            list(texts), stopwords="en_plus", stemmer=self._stemmer, return_ids=False, show_progress=False
        )


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


def vocabulary_share(retriever, query_tokens: Sequence[str]) -> float:
    """Share of the distinct query terms that occur anywhere in the indexed text (1.0 for none)."""
    terms = set(query_tokens)
    if not terms:
        return 1.0
    return sum(t in retriever.vocab_dict for t in terms) / len(terms)


def bm25_attainable(retriever, query_tokens: Sequence[str]) -> float:
    """The most a document could score for this query: each known term's best score, summed.
    Dividing by it puts lexical scores on a 0-1 scale that stays low when only common terms match."""
    indptr, data = retriever.scores["indptr"], retriever.scores["data"]
    total = 0.0
    for t in retriever.get_tokens_ids(list(dict.fromkeys(query_tokens))):
        column = data[indptr[t]:indptr[t + 1]]
        total += float(column.max()) if len(column) else 0.0
    return total
