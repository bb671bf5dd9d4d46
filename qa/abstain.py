"""When the articles cannot answer: words they never use, and evidence too far from the question.

Two signals that transfer between corpora (one setting for all, chosen on the tuning parts of the
foot-drop, COVID-QA and MedQuAD dev sets together; README "Abstention"):

- **Rare unknown words.** A word of the user's own question (four letters or more) that the
  articles never use — not as a stem, not as a prefix of a longer stem ("recov" of "recoveri"),
  not one typing slip away (one deleted letter on either side), and not in the lexicon — and that
  the model's own word-piece vocabulary splits into two or more pieces, i.e. a word that is rare
  in general English too: a drug, a disease, a gene ("allopurinol", "ketoacidosis"). Common words
  the articles happen not to use ("exactly", "hurt") do not count.
  A word capitalised inside the question ("Gilbert syndrome", "Poland syndrome") counts too, when
  the articles do not use it exactly (a name one letter from a common word is another name) or,
  when stemming changed it, do not write it as it is ("Graves'" stems to "grave", a common word).
- **Best cosine.** The best sentence of the whole index, by cosine similarity with the question.

The question abstains when even the best sentence is far (`floor`), or when it has a rare unknown
word and the best sentence for its literal wording is not close (`rare_floor`): a question about
something the articles never name is answered only if some sentence matches it very well.

Pure: the caller supplies the tokeniser, the stemmed vocabulary and the word-piece counter.
"""

from __future__ import annotations

import bisect
import re
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
        # every one-letter deletion of a stem, built here so that the first question does not pay for it
        self._near = frozenset(d for s in self._sorted if len(s) >= MIN_LETTERS for d in _deletions(s)) | self._set

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
        return stem in self._near or not _deletions(stem).isdisjoint(self._near)

    def knows(self, stem: str, *, fuzzy: bool = True) -> bool:
        """Used by the articles: exactly, as the start of a longer stem, or (with `fuzzy`) one
        deletion away on either side — a typing slip, which a proper name is not ("Genoa" is not
        "genom")."""
        return self._exact(stem) or (fuzzy and self._fuzzy(stem))


@dataclass(frozen=True)
class AbstainRule:
    floor: float = 0.30  # abstain when no sentence reaches this cosine with the question
    rare_floor: float = 0.78  # ... or this one, when the question has a rare word the articles never use
    names: bool = True  # an unknown word written as a name counts as rare (`name_positions`)


def name_positions(question: str) -> set[int]:
    """Positions (in `words(question)`) of words capitalised where a sentence would not capitalise
    them: a proper name ("Gilbert", "Poland"). Not a sentence's first word ("Foot drop. Exercises?"),
    and none in a question typed mostly in capitals ("WHAT HELPS FOOT DROP?").

    >>> sorted(name_positions("What is Gilbert syndrome? Is ALI common?"))
    [2, 5]
    >>> name_positions("WHAT HELPS FOOT DROP AT NIGHT?"), name_positions("Foot drop. Exercises?")
    (set(), set())
    """
    tokens = list(re.finditer(r"[A-Za-z0-9][A-Za-z0-9'\-]*", question))
    letters = [c for c in question if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) > 0.5 * len(letters):
        return set()
    out = set()
    for i, m in enumerate(tokens):
        before = question[tokens[i - 1].end():m.start()] if i else ""
        starts_sentence = i == 0 or any(c in before for c in ".?!:;")
        if not starts_sentence and m.group(0)[:1].isupper():
            out.add(i)
    return out


def rare_unknown_words(question: str, stem: Callable[[str], Sequence[str]], known: KnownStems,
                       word_pieces: Callable[[str], int], lexicon_words: frozenset[str] = frozenset(),
                       names: bool = True, written: Callable[[str], bool] | None = None) -> list[str]:
    """The question's words that the articles never use and that are rare in English too, or (with
    `names`) written as a name: "Gilbert syndrome" names a thing as surely as "ketoacidosis"
    (`_name_known`; `written`: whether some sentence uses a word as written)."""
    out = []
    tokens = words(question)
    named_at = name_positions(question) if names else set()
    for position, word in enumerate(tokens):
        if len(word) < MIN_LETTERS or word.lower() in lexicon_words or word in out:
            continue
        stems = stem(word)
        if not stems:
            continue  # a stop word
        if not any(known.knows(s) for s in stems) and word_pieces(word.lower()) >= 2:
            out.append(word)  # rare in English, and not even a typing slip away from the articles' words
        elif position in named_at and not _name_known(word, stems, known, written):
            out.append(word)
    return out


def bare_word(word: str) -> str:
    """A word lower-cased without a possessive: "Graves'" -> "graves", "Wuhan's" -> "wuhan"."""
    return re.sub(r"'s?$", "", word.lower())


def _name_known(word: str, stems: Sequence[str], known: KnownStems, written: Callable[[str], bool] | None) -> bool:
    """A name is known when the articles use its stem exactly; when stemming changed it (and so may
    have merged it with a common word: "Graves'" and "grave"), only when a sentence writes it as is.

    >>> k = KnownStems(["grave", "wuhan"])
    >>> [_name_known(w, [s], k, lambda w: False) for w, s in (("Graves'", "grave"), ("Wuhan's", "wuhan"))]
    [False, True]
    """
    if not any(known.knows(s, fuzzy=False) for s in stems):
        return False
    if written is not None and len(stems) == 1 and stems[0] != bare_word(word):
        return written(word)
    return True


def should_abstain(best_cosine: float, literal_best_cosine: float, rare_words: Sequence[str],
                   rule: AbstainRule = AbstainRule()) -> bool:
    """
    >>> should_abstain(0.25, 0.25, []), should_abstain(0.5, 0.5, ["allopurinol"]), should_abstain(0.5, 0.5, [])
    (True, True, False)
    """
    return best_cosine < rule.floor or (bool(rare_words) and literal_best_cosine < rule.rare_floor)


def declines(literal_cosines: Sequence[float], query_cosines: Sequence[float], rare_words: Sequence[str],
             rule: AbstainRule, *, read_with_topic: bool = False, new_subject: bool = False) -> bool:
    """Whether a turn is declined: no sentence near enough to the turn as asked or as resolved
    (cosines best first), a rare name no article uses, or a follow-up about a new subject the
    articles do not cover (the carried topic must not answer for it). A turn `read_with_topic` (its
    pronoun replaced by the topic) matches the topic's sentences well whatever else it names: a
    name of its own that the articles never use ("Can it be given with warfarin?") decides.

    >>> declines([0.6], [0.5], [], AbstainRule()), declines([0.6], [0.5], [], AbstainRule(), new_subject=True)
    (False, True)
    """
    literal_best = float(literal_cosines[0]) if len(literal_cosines) else -1.0
    best = max(literal_best, float(query_cosines[0]) if len(query_cosines) else -1.0)
    literal_best = -1.0 if read_with_topic and rare_words else literal_best
    return should_abstain(best, literal_best, rare_words, rule) or new_subject
