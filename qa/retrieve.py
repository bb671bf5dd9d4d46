"""Retrieval over one loaded index: the lexicon-widened search text, BM25 over sentence windows,
the sentences nearest a query vector, each candidate window's best sentence cosine and term
coverage, and which words the articles use and how rarely (`qa.index.terms`).

Does not weigh, choose quotes or decide abstention; `engine.py` does, with these pieces.
"""

from __future__ import annotations

from typing import Sequence

import re

import numpy as np

from .index import Store
from .index.lexical import Tokenizer, Vocabulary, bm25_scores, words
from .index.vectors import nearest
from .abstain import bare_word
from .lexicon import Lexicon, expansions


class Retriever:
    def __init__(self, store: Store, lexicon: Lexicon):
        self.store = store
        self.lexicon = lexicon
        self.tokenize = Tokenizer()
        self.vocabulary = Vocabulary(store.terms.df)  # titles and headings included
        self._window_terms = _terms_by_document(store.window_bm25)
        self._sentence_windows = _windows_by_sentence(store.windows, len(store.sentences))

    # -- sentence windows ------------------------------------------------------------------------

    def window_bm25(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 of every window for one tokenised query."""
        return bm25_scores(self.store.window_bm25, tokens)

    def nearest_sentences(self, vec: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(cosines, sentence rows) of the k sentences nearest `vec`, best first."""
        scores, ids = nearest(self.store.sentence_vectors, self.store.sentence_index, vec.reshape(1, -1), k)
        keep = ids[0] >= 0
        return scores[0][keep], ids[0][keep]

    def windows_of(self, rows: Sequence[int]) -> np.ndarray:
        """Every window that contains one of the sentence rows."""
        found = [self._sentence_windows[r] for r in rows]
        return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)

    def window_cosines(self, vec: np.ndarray, windows: np.ndarray, max_sentences: int) -> np.ndarray:
        """Each window's best sentence cosine with `vec` (-1 for windows longer than `max_sentences`)."""
        first, length = self.store.windows[windows, 0], self.store.windows[windows, 1]
        best = np.full(len(windows), -1.0, dtype=np.float32)
        for d in range(int(length.max(initial=0))):
            has = (length > d) & (length <= max_sentences)
            if has.any():
                rows = first[has] + d
                best[has] = np.maximum(best[has], self.store.sentence_vectors[rows] @ vec)
        return best

    def query_idf(self, tokens: Sequence[str]) -> dict[int, float]:
        """Each distinct query term's IDF over sentences, keyed by its window-vocabulary id (terms
        the windows never use get negative keys: they count in the total but match nothing)."""
        window_vocab, terms = self.store.window_bm25.vocab_dict, self.store.terms
        return {window_vocab.get(t, -n): terms.idf(t) for n, t in enumerate(dict.fromkeys(tokens), 1)}

    def window_terms(self, windows: np.ndarray) -> list[np.ndarray]:
        """The term ids (window vocabulary) each window contains."""
        indptr, indices = self._window_terms
        return [indices[indptr[w]:indptr[w + 1]] for w in windows]

    def heading_terms(self, headings: Sequence[str]) -> list[np.ndarray]:
        """The window-vocabulary term ids of each heading (terms the windows never use are left out)."""
        vocab = self.store.window_bm25.vocab_dict
        return [np.array(sorted({vocab[t] for t in tokens if t in vocab}), dtype=np.int64)
                for tokens in self.tokenize(list(headings))]

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

    def word_weight(self, word: str, used: set[int] | frozenset[int] = frozenset()) -> float:
        """How specific `word` is: the highest IDF over sentences of its stems (a stop word 0); a
        tenth of that for a stem not among the term ids `used` (the window vocabulary's)."""
        idf = self.query_idf(self.tokenize([word])[0])
        return max((v if t in used else 0.1 * v for t, v in idf.items()), default=0.0)

    def written(self, word: str) -> bool:
        """Whether some sentence uses `word` as written (case aside, and a possessive "'s" or "'"
        dropped): "Graves'" is not written where only "grave" is, though both stem to "grave"."""
        form = bare_word(word)
        vocab, df = self.store.window_bm25.vocab_dict, self.store.terms.df
        stems = [t for t in self.tokenize([form])[0] if t in vocab] if form else []
        if not stems:
            return False
        term = vocab[min(stems, key=lambda t: df.get(t, 0))]  # the rarest: fewest sentences to read
        scores, windows = self.store.window_bm25.scores, self.store.windows
        found = scores["indices"][scores["indptr"][term]:scores["indptr"][term + 1]]
        rows = windows[found[windows[found, 1] == 1], 0]  # one-sentence windows: the sentences using it
        pattern = re.compile(rf"(?<!\w){re.escape(form)}(?!\w)", re.IGNORECASE)
        return any(pattern.search(self.store.sentences[int(r)].text) for r in rows)

    def known_word(self, word: str) -> bool:
        """Whether the articles use `word` (by stem)."""
        tokens = self.tokenize([word])[0]
        return bool(tokens) and all(map(self.vocabulary.knows, tokens))


def _terms_by_document(bm25) -> tuple[np.ndarray, np.ndarray]:
    """(indptr, term ids) per document, from bm25s' term-major score matrix."""
    from scipy.sparse import csc_matrix

    scores = bm25.scores
    matrix = csc_matrix((scores["data"], scores["indices"], scores["indptr"]),
                        shape=(int(scores["num_docs"]), len(scores["indptr"]) - 1)).tocsr()
    return matrix.indptr, matrix.indices


def _windows_by_sentence(windows: np.ndarray, sentence_count: int) -> list[np.ndarray]:
    """sentence row -> ids of the windows that contain it."""
    owners: list[list[int]] = [[] for _ in range(sentence_count)]
    for w, (first, length) in enumerate(windows):
        for r in range(int(first), int(first + length)):
            owners[r].append(w)
    return [np.asarray(o, dtype=np.int64) for o in owners]


def _words(text: str) -> str:
    """Lower-case words joined by single spaces, so "Ankle-foot" and "ankle foot" compare equal."""
    return " " + " ".join(w.lower() for w in words(text.replace("-", " ").replace("'", " "))) + " "
