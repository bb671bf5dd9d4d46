"""An article's sentences about itself ("In this article, we will explore …", "This review will
focus on …") say what the text is going to do, not what is true: quoted in answer to a clinical
question they read like padding at best. They are quoted only when the question asks about the
text itself ("What is the focus of this review?").

Pure: sentence and question text in, booleans out. The patterns name the text (article, review,
paper …) and an intention (will, aims to, the purpose … is); a finding ("In this study, 40% of
patients …") matches neither.
"""

from __future__ import annotations

import re

_TEXT = r"(?:article|post|blog|review|guide|section|page|paper|chapter|overview|piece|report|document|study|manuscript)"
_SIGNPOST = re.compile(
    r"^(?:in|throughout) this " + _TEXT + r",? (?:we|i|you)(?: will|'ll| shall| aim to| intend to| are going to)\b"
    r"|^this " + _TEXT + r" (?:will|aims to|intends to|is intended to|sets out to|seeks to)\b"
    r"|^(?:the )?(?:purpose|aim|goal|objective|scope) of this " + _TEXT + r" is\b"
    r"|^(?:in )?the (?:following|next) (?:sections?|paragraphs?),? (?:we|i|you)\b", re.I)
_ABOUT_THE_TEXT = re.compile(
    r"\b(?:this|the|that|their|its) " + _TEXT + r"s?\b"
    r"|\b(?:purpose|aim|aims|goal|objective|objectives|focus|scope)\b", re.I)


def is_signposting(sentence: str) -> bool:
    """
    >>> is_signposting("In this article, we will explore the causes of foot drop.")
    True
    >>> is_signposting("This review will discuss experimental vaccines.")
    True
    >>> is_signposting("In this study, 40% of patients recovered within a year.")
    False
    >>> is_signposting("Surgery may be necessary to treat foot drop.")
    False
    """
    return bool(_SIGNPOST.search(sentence.strip().lstrip("\"'“‘(")))


def asks_about_the_text(question: str) -> bool:
    """A question about what an article sets out to do, where its signposting is the answer.

    >>> asks_about_the_text("What is the focus of this review?"), asks_about_the_text("What did the study aim to find?")
    (True, True)
    >>> asks_about_the_text("What operations are available for foot drop?")
    False
    """
    return bool(_ABOUT_THE_TEXT.search(question))
