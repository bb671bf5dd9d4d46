"""One loaded build of the index as the presentation and the eval read it: its manifest, articles,
chunks and sections, its tokeniser and its query encoder, the disclaimer its answers end with. Read-only; `Engine` answers over it."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from .disclaimer import render_disclaimer
from .index import Article, Chunk, Store
from .retrieve import Retriever


class Build:
    def __init__(self, store: Store, embedder, retriever: Retriever):
        self._store, self._embedder, self._retriever = store, embedder, retriever
        self.index_build = store.manifest.digest
        self.disclaimer = render_disclaimer(store.disclaimer_template, store.articles.values())  # ends every answer

    manifest = property(lambda self: self._store.manifest)
    articles: Mapping[str, Article] = property(lambda self: self._store.articles)
    chunks: tuple[Chunk, ...] = property(lambda self: self._store.chunks)
    encoder: str = property(lambda self: self._embedder.runtime, doc="The runtime that encodes questions.")

    def section_chunks(self, article_id: str, section: tuple[str, ...]) -> tuple[Chunk, ...]:
        """The chunks of one section of an article, in article order."""
        return tuple(self._store.chunks[r] for r in self._store.section_chunks.get((article_id, section), ()))

    def article_sections(self, article_id: str) -> tuple[tuple[str, ...], ...]:
        """An article's section paths, in article order."""
        return self._store.article_sections.get(article_id, ())

    def tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        """The index's own tokeniser (stemmed BM25 terms)."""
        return self._retriever.tokenize(texts)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """The model's normalised vectors for `texts` (the query side of every answer)."""
        return self._embedder.encode(texts)
