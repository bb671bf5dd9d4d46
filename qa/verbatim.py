"""The last gate before anything is shown: a quote must be the article's own words.

Checks both that the recorded offsets point at exactly the quoted text and that the text occurs
in the article with whitespace normalised. Anything else is dropped, never repaired.
"""

from __future__ import annotations


def normalise(text: str) -> str:
    return " ".join(text.split())


def is_verbatim(text: str, article_text: str, start: int | None = None, end: int | None = None) -> bool:
    """
    >>> is_verbatim("Most patients improve", "Yes. Most patients  improve.")
    True
    >>> is_verbatim("Most patients do not improve", "Yes. Most patients improve.")
    False
    """
    if not text.strip():
        return False
    if start is not None and end is not None and article_text[start:end] != text:
        return False
    return normalise(text) in normalise(article_text)
