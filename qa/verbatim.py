"""The last gate before anything is shown: a quote must be the article's own words.

With offsets, checks that they point at exactly the quoted text; without, that the text occurs in
the article with whitespace normalised. Anything else is dropped, never repaired.
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
    if start is not None and end is not None:
        return article_text[start:end] == text  # the very characters at those offsets: nothing to search
    return normalise(text) in normalise(article_text)
