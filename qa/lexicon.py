"""Query expansion from the curated lexicon (`corpus/lexicon.yaml`, copied into the index).

A group lists terms that mean the same thing to a clinician. A question that contains one term
of a group is searched with the group's other terms added. Terms written in capitals ("AFO")
match only in capitals, so "us" is not "US"; others match case-insensitively, with a plural
ending, and with a hyphen or a space alike ("ankle foot orthosis" = "ankle-foot orthosis").

Does not change what is quoted: only the search query grows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml


@dataclass(frozen=True)
class Lexicon:
    groups: tuple[tuple[str, ...], ...]
    patterns: tuple[tuple[re.Pattern, ...], ...]

    @property
    def size(self) -> int:
        return len(self.groups)


def _pattern(term: str) -> re.Pattern:
    body = re.sub(r"\\[- ]", r"[-\\s]+", re.escape(term))
    flags = 0 if term.isupper() else re.IGNORECASE
    return re.compile(rf"(?<!\w){body}(?:e?s)?(?!\w)", flags)


def make_lexicon(groups: list[list[str]]) -> Lexicon:
    clean = tuple(tuple(dict.fromkeys(t.strip() for t in g if t.strip())) for g in groups)
    clean = tuple(g for g in clean if len(g) > 1)
    return Lexicon(clean, tuple(tuple(_pattern(t) for t in g) for g in clean))


def parse_lexicon(text: str, source: str = "lexicon.yaml") -> Lexicon:
    data = yaml.safe_load(text)
    if data is None:  # empty, or only comments: a corpus without synonyms yet
        data = []
    if not isinstance(data, list) or not all(
        isinstance(g, list) and all(isinstance(t, (str, int)) for t in g) for g in data
    ):
        raise ValueError(f"{source}: expected a YAML list of term lists, e.g. `- [AFO, ankle-foot orthosis]`")
    return make_lexicon([[str(t) for t in g] for g in data])


def expansions(question: str, lexicon: Lexicon) -> list[str]:
    """Terms to add to the search for `question`, in lexicon order, without repeats.

    >>> expansions("Is an AFO useful?", make_lexicon([["AFO", "ankle-foot orthosis", "brace"]]))
    ['ankle-foot orthosis', 'brace']
    """
    added: list[str] = []
    for group, patterns in zip(lexicon.groups, lexicon.patterns):
        present = [p.search(question) is not None for p in patterns]
        if any(present):
            added.extend(t for t, hit in zip(group, present) if not hit and t not in added)
    return added
