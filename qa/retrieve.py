"""Hybrid retrieval over one loaded index: the lexicon-widened search text, the dense and BM25
rankings of chunks, and the candidate sentences of the top passages with their lexical scores.

Does not fuse, score quotes or decide abstention; `engine.py` does, with these pieces.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .index import Chunk, Store
from .index.lexical import Tokenizer, Vocabulary, bm25_attainable, bm25_scores, bm25_scores_for, top_k, words
from .index.vectors import search
from .lexicon import Lexicon, expansions


class Retriever:
    def __init__(self, store: Store, lexicon: Lexicon):
        self.store = store
        self.lexicon = lexicon
        self.tokenize = Tokenizer()
        self.vocabulary = Vocabulary(store.bm25.vocab_dict)
        self.list_items = list_items(store.chunks)

    def search_text(self, text: str, *, lexicon: bool = True) -> str:
        """`text` plus the lexicon's synonyms for terms in it, each written once: "ankle foot
        orthosis" is not added after "ankle-foot orthosis" (every extra token costs encoding time)."""
        if not lexicon:
            return text
        seen = _words(text)
        added = []
        for term in expansions(text, self.lexicon):
            term_words = _words(term)
            if term_words not in seen:
                added.append(term)
                seen += " " + term_words
        return f"{text} {' '.join(added)}" if added else text

    def rankings(self, tokens: Sequence[Sequence[str]], vecs: np.ndarray | None, *, dense: bool, bm25: bool,
                 depth: int) -> list[list[int]]:
        """Chunk rows ranked by each method for each query (its `tokens`, and its row of `vecs`)."""
        rankings: list[list[int]] = []
        if dense and vecs is not None:
            _, ids = search(self.store.vector_index, vecs, depth)
            rankings.extend([int(i) for i in row if i >= 0] for row in ids)
        if bm25:
            for query_tokens in tokens:
                rankings.append([int(i) for i in top_k(bm25_scores(self.store.bm25, query_tokens), depth)])
        return rankings

    def candidates(self, pool: Sequence[str]) -> tuple[list[int], list[int]]:
        """Sentence ids of the pooled passages, and each one's passage rank. A passage that ends
        in a lead-in ("Surgical options include:") brings its list items along at its rank."""
        rows, ranks, seen = [], [], set()
        for rank, cid in enumerate(pool):
            for member in [cid, *self.list_items.get(cid, ())]:
                if member in seen:
                    continue
                seen.add(member)
                for r in self.store.chunk_sentences.get(member, ()):
                    rows.append(r)
                    ranks.append(rank)
        return rows, ranks

    def sentence_lexical(self, tokens: Sequence[Sequence[str]], rows: Sequence[int]) -> np.ndarray:
        """Each query's sentence BM25 on a 0-1 scale (see `bm25_attainable`), best over queries, so
        a follow-up's own words ("off the shelf") count as much as the carried topic's."""
        per_query = []
        for tokens in tokens:
            scores = bm25_scores_for(self.store.sentence_bm25, tokens, rows)
            top = bm25_attainable(self.store.sentence_bm25, tokens)
            per_query.append(scores / top if top > 0 else scores)
        return np.max(per_query, axis=0)

    def known_word(self, word: str) -> bool:
        """Whether the articles use `word` (by stem)."""
        tokens = self.tokenize([word])[0]
        return bool(tokens) and all(map(self.vocabulary.knows, tokens))

    def known_share(self, text: str) -> float:
        """Share of the search terms of `text` that the articles use (1.0 when it has none)."""
        return self.vocabulary.share(self.tokenize([text])[0])


def _words(text: str) -> str:
    """Lower-case words joined by single spaces, so "Ankle-foot" and "ankle foot" compare equal."""
    return " " + " ".join(w.lower() for w in words(text.replace("-", " ").replace("'", " "))) + " "


def list_items(chunks: Sequence[Chunk]) -> dict[str, list[str]]:
    """chunk id -> ids of the list items whose lead-in is that chunk's closing line."""
    by_end = {(c.article_id, c.end): c.id for c in chunks}
    items: dict[str, list[str]] = {}
    for c in chunks:
        if c.lead_in_end is not None and (c.article_id, c.lead_in_end) in by_end:
            items.setdefault(by_end[(c.article_id, c.lead_in_end)], []).append(c.id)
    return items
