"""A question asked of some articles only: its scope, checked and applied.

A scope is the ids of the articles a question may be answered from (empty: all of them), named by
id or by front-matter tag ("cardiology", "protocol"): an article is in a tag's scope when it
carries that tag. `scope_problem` says what is wrong with one (an id no article has, a tag none
carries), `resolve` gives its ids; `Scopes` holds, per loaded build, each article's sentence rows
and windows, so that a scoped question's nearest sentences and BM25 candidates are searched among
the scope's only -- the abstention, the ranking and the quotes then all see the scope alone.

Does not word anything for the reader beyond what to fix (`qa.present` says that an answer was
scoped), and never widens a scope: a scope that does not answer abstains.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from .index import Article, Store

SHOWN_NAMES = 5  # unknown ids or tags a message names before "and N more"
BLOCK = 65_536  # sentence vectors read at once by a scoped search (25 MiB at 384 dimensions)


def _names(items: Sequence[str]) -> str:
    """
    >>> _names(["a", "b"]), _names(list("abcdefg"))
    ('“a”, “b”', '“a”, “b”, “c”, “d”, “e” and 2 more')
    """
    shown = ", ".join(f"“{x}”" for x in items[:SHOWN_NAMES])
    return shown + (f" and {len(items) - SHOWN_NAMES} more" if len(items) > SHOWN_NAMES else "")


def _strings(value: object) -> tuple[str, ...] | None:
    """`value` as a tuple of stripped strings, or None when it is not a list or tuple of strings."""
    if value is None:
        return ()
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        return None
    return tuple(dict.fromkeys(v.strip() for v in value if v.strip()))


def scope_problem(articles: object, tags: object, known: Mapping[str, Article]) -> str | None:
    """What is wrong with a scope, as what to fix; None when every id and tag names some article.

    >>> from qa.index import Article
    >>> a = Article(id="a", title="A", publisher=None, author=None, author_affiliation=None, last_updated=None,
    ...             review_status=None, url=None, references={}, site_disclaimer=None, source_file="", text="",
    ...             tags=("ward 3",))
    >>> scope_problem(["a"], ["ward 3"], {"a": a}) is None, scope_problem(["b"], [], {"a": a})[:44]
    (True, 'No indexed article has the id “b”. Article i')
    >>> scope_problem([], ["icu"], {"a": a})
    'No indexed article is tagged “icu”. The tags in use are “ward 3”.'
    """
    ids, wanted = _strings(articles), _strings(tags)
    if ids is None or wanted is None:
        return "`articles` and `tags` must each be a list of strings (article ids, tags); send [] for none."
    if not ids and not wanted:  # no scope: nothing to look up (every question passes here)
        return None
    unknown = [a for a in ids if a not in known]
    if unknown:
        return (f"No indexed article has the id{'s' if len(unknown) > 1 else ''} {_names(unknown)}. Article ids are "
                "the `article_id` of an answer's quotes (a corpus file's name without .md).")
    in_use = sorted({t for a in known.values() for t in a.tags})
    untagged = [t for t in wanted if t not in in_use]
    if untagged:
        return (f"No indexed article is tagged {_names(untagged)}. "
                + (f"The tags in use are {_names(in_use)}." if in_use else "No article has tags."))
    return None


def resolve(articles: object, tags: object, known: Mapping[str, Article]) -> tuple[str, ...]:
    """The ids of a checked scope (`scope_problem` is None): those named, then those carrying any
    of the tags, in index order; () for no scope (all articles)."""
    ids, wanted = _strings(articles) or (), set(_strings(tags) or ())
    tagged = [a.id for a in known.values() if wanted.intersection(a.tags)] if wanted else []
    return tuple(dict.fromkeys([*ids, *tagged]))


class Scopes:
    """Each article's sentence rows and windows in one loaded build (read-only)."""

    def __init__(self, store: Store, window_article: np.ndarray):
        self._vectors = store.sentence_vectors
        rows: dict[str, list[int]] = {}
        for row, sentence in enumerate(store.sentences):
            rows.setdefault(sentence.article_id, []).append(row)
        self._rows = {a: np.asarray(r, dtype=np.int64) for a, r in rows.items()}
        numbers = {a: n for n, a in enumerate(store.articles)}
        self._window_article = np.array([numbers[a] for a in window_article], dtype=np.int64)
        self._numbers = numbers

    def windows(self, scope: Sequence[str]) -> np.ndarray | None:
        """window -> in the scope (None: no scope, every window)."""
        if not scope:
            return None
        return np.isin(self._window_article, [self._numbers[a] for a in scope if a in self._numbers])

    def nearest(self, vec: np.ndarray, scope: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """(cosines, sentence rows) of the k sentences of the scope nearest `vec`, best first:
        exactly, over the scope's own vectors (a scope is a few articles, read in full)."""
        found = [self._rows[a] for a in scope if a in self._rows]
        rows = np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
        best_cos, best_rows = np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        for lo in range(0, len(rows), BLOCK):  # a tag may span most of a library: bounded copies
            part = rows[lo:lo + BLOCK]
            cos = np.concatenate([best_cos, (self._vectors[part] @ vec).astype(np.float32)])
            both = np.concatenate([best_rows, part])
            top = np.argsort(-cos, kind="stable")[:k]
            best_cos, best_rows = cos[top], both[top]
        return best_cos, best_rows
