"""Join a word hyphenated at a line end, or keep its hyphen: the rule, and the document's own
spellings it is decided by.

A line ending "treat-" followed by "ment" is one word broken by the typesetter; "follow-" followed
by "up" is a compound whose hyphen belongs to the word. No dictionary tells them apart for
clinical text ("electromyography" is in none), so the document is asked how it spells the word
where no line end breaks it:
- the next line starts with anything but a lower-case letter ("COVID-" / "19", "anti-" / "HER2"),
  or the part before the hyphen is not a letter → the hyphen is kept, no space added;
- the document writes "follow-up" elsewhere more often than "followup" → the hyphen is kept;
- otherwise the halves are joined ("treatment"); when the document never writes the joined word
  either, the join is reported as unsure so the maintainer can check it (most such breaks are the
  typesetter's: a compound that happens to break at its own hyphen and is written only once is
  the one case this gets wrong).

Does not read PDFs; `pdf_blocks` calls `join_lines` for every pair of lines it puts together.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

EDGE_PUNCT = re.compile(r"^[^\w]+|[^\w]+$")


def norm(word: str) -> str:
    """A word as the vocabulary counts it.

    >>> norm("(Follow-up),")
    'follow-up'
    """
    return EDGE_PUNCT.sub("", word.lower())


def vocabulary(lines: Iterable[str]) -> Counter:
    """How often the document writes each word where no line end breaks it."""
    vocab: Counter = Counter()
    broken = False
    for line in lines:
        words = line.split()
        start = 1 if broken else 0
        broken = bool(words) and words[-1].endswith("-")
        vocab.update(norm(w) for w in words[start:len(words) - (1 if broken else 0)])
    return vocab


def join_lines(text: str, line: str, vocab: Counter) -> tuple[str, str]:
    """`text` continued by `line`, and how a line-end hyphen was treated: "" (there was none),
    "joined", "joined-unsure" or "kept".

    >>> v = Counter({"follow-up": 2})
    >>> join_lines("a follow-", "up visit", v), join_lines("the treat-", "ment", v)[1]
    (('a follow-up visit', 'kept'), 'joined-unsure')
    >>> join_lines("COVID-", "19 cases", v)
    ('COVID-19 cases', 'kept')
    """
    if not text.endswith("-") or len(text) < 2 or text.endswith(" -"):
        return f"{text} {line}", ""
    head, first = text.split()[-1][:-1], line.split()[0]
    if not head[-1:].isalpha() or not first[:1].islower():
        return text + line, "kept"
    hyphenated, solid = norm(f"{head}-{first}"), norm(f"{head}{first}")
    if vocab[hyphenated] > vocab[solid] or ("-" in head and not vocab[solid]):
        return text + line, "kept"
    return text[:-1] + line, "joined" if vocab[solid] else "joined-unsure"
