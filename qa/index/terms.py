"""The stems the articles use, and in how many sentences: `terms.json` of a build.

Two questions about a word need the whole corpus, not the ranked windows:
- is it the articles' word at all? (the follow-up and abstention rules: "What about migraine?")
  -- any stem of a title, a section heading, a lead-in or a sentence counts;
- how rare is it among sentences? (the IDF that weighs a question's words in ranking and in
  reading a follow-up) -- the number of sentences whose context text (their section's own
  heading, their list item's lead-in, the sentence) uses it.

Written at build time from the tokenised texts, read back as a plain mapping. The file holds a
`version` so a change of meaning is refused, not misread.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from ..errors import IndexCorruptError

VERSION = 1


@dataclass(frozen=True)
class Terms:
    sentence_count: int
    df: Mapping[str, int]  # stem -> sentences using it; 0 for a stem only in titles and headings above a section

    def sentence_stems(self) -> list[str]:
        """The stems some sentence's context text uses."""
        return [t for t, n in self.df.items() if n > 0]

    def idf(self, stem: str) -> float:
        """BM25's IDF over sentences: log((N - df + 0.5) / (df + 0.5) + 1).

        >>> round(Terms(10, {"foot": 1}).idf("foot"), 3), round(Terms(10, {}).idf("hand"), 3)
        (1.992, 3.091)
        """
        df = self.df.get(stem, 0)
        return math.log((self.sentence_count - df + 0.5) / (df + 0.5) + 1.0)


def count_terms(sentence_tokens: Sequence[Sequence[str]], other_tokens: Iterable[Sequence[str]] = ()) -> Terms:
    """The table from the tokenised sentence context texts and any other text whose stems the
    articles use (titles, section paths: the chunks' context texts).

    >>> count_terms([["foot", "drop"], ["foot", "foot"]], [["peroneal"]]).df
    {'foot': 2, 'drop': 1, 'peroneal': 0}
    """
    df: dict[str, int] = {}
    for tokens in sentence_tokens:
        for t in set(tokens):
            df[t] = df.get(t, 0) + 1
    ordered = {t: df[t] for tokens in sentence_tokens for t in tokens if t in df}  # first-seen order: stable files
    for tokens in other_tokens:
        for t in tokens:
            ordered.setdefault(t, 0)
    return Terms(len(sentence_tokens), ordered)


def write_terms(path: Path, terms: Terms) -> None:
    data = {"version": VERSION, "sentences": terms.sentence_count, "terms": list(terms.df),
            "sentence_df": list(terms.df.values())}
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def read_terms(path: Path, sentence_count: int) -> Terms:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["version"] != VERSION:
            raise ValueError(f"version {data['version']}, this code reads {VERSION}")
        stems, counts = data["terms"], data["sentence_df"]
        if len(stems) != len(counts) or not all(isinstance(n, int) and 0 <= n <= sentence_count for n in counts):
            raise ValueError("terms and counts do not line up")
        if int(data["sentences"]) != sentence_count:
            raise ValueError("sentence count differs from the manifest")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise IndexCorruptError(str(path), f"cannot be read ({exc})") from exc
    return Terms(sentence_count, dict(zip(map(str, stems), counts)))
