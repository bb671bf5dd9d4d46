"""A locked split of a question set into a tuning part and a check part, by article.

Settings are chosen on the tuning part; the check part is looked at once, at the end, so that a
figure reported on it was not fitted to it. The split is by article (`Question.doc_id`): no
article has questions on both sides, as in the benchmarks' own dev / kept-aside halves. A question
with no article (the foot-drop set, off-corpus questions) is split by its conversation: the first
question of its history, or itself, so every turn of one conversation lands on the same side.

The part is a pure function of a fixed seed and the key (a hash, not a random draw), so adding
questions never moves the old ones between parts.

    >>> from eval.questions import Question
    >>> q = Question("x", "q?", (), ("e",), True, doc_id="630")
    >>> part_of(q) == part_of(Question("y", "other?", (), ("f",), True, doc_id="630"))
    True
"""

from __future__ import annotations

import hashlib
from typing import Sequence

from .questions import Question

SEED = "quoteqa-split-1"
CHECK_SHARE = 0.30  # share of articles (or conversations) in the check part
TUNE, CHECK = "tune", "check"


def split_key(question: Question) -> str:
    """What keeps questions together on one side: the article, else the conversation."""
    if question.doc_id is not None:
        return f"doc:{question.doc_id}"
    return f"conv:{question.history[0] if question.history else question.question}"


def part_of(question: Question, *, seed: str = SEED, check_share: float = CHECK_SHARE) -> str:
    """ "tune" or "check" for one question (stable across runs and machines)."""
    return part_of_key(split_key(question), seed=seed, check_share=check_share)


def part_of_key(key: str, *, seed: str = SEED, check_share: float = CHECK_SHARE) -> str:
    """ "tune" or "check" for whatever `key` names (an article, a conversation, a measure)."""
    digest = hashlib.sha256(f"{seed}\n{key}".encode("utf-8")).digest()
    return CHECK if int.from_bytes(digest[:8], "big") / 2**64 < check_share else TUNE


def split(questions: Sequence[Question], **kwargs) -> dict[str, list[Question]]:
    """{"tune": [...], "check": [...]} in the questions' own order."""
    parts: dict[str, list[Question]] = {TUNE: [], CHECK: []}
    for q in questions:
        parts[part_of(q, **kwargs)].append(q)
    return parts
