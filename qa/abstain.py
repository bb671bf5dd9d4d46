"""When the articles cannot answer: words they never use, and evidence too far from the question.

Two signals that transfer between corpora (calibrated on the foot-drop questions and the COVID-QA
dev half together, one setting for both; README "Abstention"):

- **Rare unknown words.** A word of the user's own question (four letters or more) that the
  articles never use — not as a stem, not as a prefix of a longer stem ("recov" of "recoveri"),
  not one typing slip away (one deleted letter on either side), and not in the lexicon — and that
  the model's own word-piece vocabulary splits into two or more pieces, i.e. a word that is rare
  in general English too: a drug, a disease, a gene ("allopurinol", "ketoacidosis"). Common words
  the articles happen not to use ("exactly", "hurt") do not count.
- **Best cosine.** The best sentence of the whole index, by cosine similarity with the question.

The question abstains when even the best sentence is far (`floor`), or when it has a rare unknown
word and the best sentence for its literal wording is not close (`rare_floor`): a question about
something the articles never name is answered only if some sentence matches it very well.

Pure: the caller supplies the tokeniser, the stemmed vocabulary and the word-piece counter.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from .index.lexical import words

MIN_LETTERS = 4  # shorter words are abbreviations or function words, too ambiguous to judge
FUZZY_MIN = 5  # stems shorter than this are not matched one deletion away


def _deletions(stem: str) -> set[str]:
    """
    >>> sorted(_deletions("abc"))
    ['ab', 'ac', 'bc']
    """
    return {stem[:i] + stem[i + 1:] for i in range(len(stem))}


class KnownStems:
    """The stems the indexed text uses, matched exactly, as a prefix, or one deletion away.

    >>> k = KnownStems(["recoveri", "diagnost", "peroneal"])
    >>> k.knows("recov"), k.knows("peronal"), k.knows("diagnos"), k.knows("migrain")
    (True, True, True, False)
    """

    def __init__(self, stems: Iterable[str]) -> None:
        self._sorted = sorted(set(stems))
        self._set = frozenset(self._sorted)
        self._near: frozenset[str] | None = None  # built on first use: a set of every one-letter deletion

    def _exact(self, stem: str) -> bool:
        if stem in self._set:
            return True
        if len(stem) < MIN_LETTERS:
            return False
        i = bisect.bisect_left(self._sorted, stem)
        return i < len(self._sorted) and self._sorted[i].startswith(stem)

    def _fuzzy(self, stem: str) -> bool:
        if len(stem) < FUZZY_MIN:
            return False
        if self._near is None:
            self._near = frozenset(d for s in self._sorted if len(s) >= MIN_LETTERS for d in _deletions(s)) | self._set
        return stem in self._near or not _deletions(stem).isdisjoint(self._near)

    def knows(self, stem: str) -> bool:
        return self._exact(stem) or self._fuzzy(stem)


@dataclass(frozen=True)
class AbstainRule:
    floor: float = 0.30  # abstain when no sentence reaches this cosine with the question
    rare_floor: float = 0.58  # ... or this one, when the question has a rare word the articles never use


def rare_unknown_words(question: str, stem: Callable[[str], Sequence[str]], known: KnownStems,
                       word_pieces: Callable[[str], int], lexicon_words: frozenset[str] = frozenset()) -> list[str]:
    """The question's words that the articles never use and that are rare in English too."""
    out = []
    for word in dict.fromkeys(words(question)):
        if len(word) < MIN_LETTERS or word.lower() in lexicon_words:
            continue
        stems = stem(word)
        if not stems or any(known.knows(s) for s in stems):
            continue  # a stop word, or a word the articles use
        if word_pieces(word.lower()) >= 2:
            out.append(word)
    return out


def should_abstain(best_cosine: float, literal_best_cosine: float, rare_words: Sequence[str],
                   rule: AbstainRule = AbstainRule()) -> bool:
    """
    >>> should_abstain(0.25, 0.25, []), should_abstain(0.5, 0.5, ["allopurinol"]), should_abstain(0.5, 0.5, [])
    (True, True, False)
    """
    return best_cosine < rule.floor or (bool(rare_words) and literal_best_cosine < rule.rare_floor)
