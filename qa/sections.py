"""The section structure of the indexed sentence windows: which article and section each window is
in, what the section headings say, and which windows open a section.

Built once per loaded index from the store and the retriever's tokeniser; read-only after that.
The engine uses it for three ranking signals: the topic bonus (a follow-up's article and section),
the heading match (the question's terms in a window's section path) and the section lead (the
opening of a section whose own heading the question asks for).
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
from scipy.sparse import csr_matrix

from .index import Store
from .quotes import is_lead_in
from .retrieve import Retriever


class Sections:
    def __init__(self, store: Store, retriever: Retriever):
        chunk_section = {c.id: c.section for c in store.chunks}
        firsts = [store.sentences[int(f)] for f in store.windows[:, 0]]
        self.article = np.array([s.article_id for s in firsts], dtype=object)  # window -> article id
        numbers: dict[tuple, int] = {}
        self.section = np.array([numbers.setdefault((s.article_id, chunk_section[s.chunk_id]), len(numbers))
                                 for s in firsts], dtype=np.int64)  # window -> section number
        keys = list(numbers)
        # what a section is about: the terms of its section path less the article title's ("Foot
        # Drop" in "Foot Drop Recovery" says what every section of that article is about)
        title_stems = retriever.tokenize([store.articles[a].title for a, _ in keys])
        vocab = store.window_bm25.vocab_dict
        titles = [np.array([vocab[t] for t in stems if t in vocab], dtype=np.int64) for stems in title_stems]
        paths = retriever.heading_terms([" ".join(path) for _, path in keys])
        self.path_terms = [np.setdiff1d(h, t) for h, t in zip(paths, titles)]
        # each section's own (last) heading as stems, less the title's: its own vocabulary, since a
        # heading's word ("Outlook") need not occur in any sentence
        own = [sorted(set(h) - set(t)) for h, t in zip(retriever.tokenize([p[-1] if p else "" for _, p in keys]), title_stems)]
        self._heading_vocab = {t: n for n, t in enumerate(sorted({t for h in own for t in h}))}
        sizes = [len(h) for h in own]
        self._own = csr_matrix((np.ones(sum(sizes), dtype=np.float32),
                                np.array([self._heading_vocab[t] for h in own for t in h], dtype=np.int64),
                                np.cumsum([0] + sizes)), shape=(len(own), len(self._heading_vocab)))
        self._own_size = np.maximum(np.array(sizes, dtype=np.float32), 1.0)
        first_row = np.full(len(keys), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first_row, self.section, store.windows[:, 0].astype(np.int64))
        # window -> opens its section with a sentence that stands alone (a list's lead-in,
        # "For diabetic patients with foot drop:", is never quoted without its items)
        last = store.windows[:, 0] + store.windows[:, 1] - 1
        self.lead = (store.windows[:, 0] == first_row[self.section]) & \
            ~np.array([is_lead_in(store.sentences[int(r)].text) for r in last], dtype=bool)
        by_article: dict[str, list[int]] = {}
        for w in np.flatnonzero(self.lead):
            by_article.setdefault(self.article[w], []).append(int(w))
        self._leads = {a: np.array(ws, dtype=np.int64) for a, ws in by_article.items()}

    def asked_share(self, tokens: Iterable[str]) -> np.ndarray:
        """Per section: the share of its own heading's stems among `tokens` (the question's, from
        the same tokeniser). "Outlook" is wholly asked for by "What is the outlook for …?"."""
        cols = sorted({self._heading_vocab[t] for t in tokens if t in self._heading_vocab})
        return np.asarray(self._own[:, cols].sum(axis=1)).ravel() / self._own_size

    def leads_of(self, articles: Sequence[str]) -> np.ndarray:
        """The lead windows of the articles' sections."""
        found = [self._leads[a] for a in articles if a in self._leads]
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
