"""Checks one call of the JSON `/ask` API before it joins a batch.

A batch holds calls from different clients; a malformed one must get its own "invalid" answer
and must not change how the others are read (a string history is not a list of questions, one
per character). Says what is wrong and how to send it; does not answer anything.
"""

from __future__ import annotations

from typing import Any

MAX_HISTORY = 50  # earlier questions accepted per call; the engine reads only the last few anyway
MAX_HISTORY_ITEM_CHARS = 1000  # the same limit as a question


def ask_call_problem(question: Any, history: Any) -> str | None:
    """What is wrong with one `/ask` call, as a message for its caller; None when it is well formed.

    >>> ask_call_problem("Q?", ["earlier"]) is None, ask_call_problem("Q?", None) is None
    (True, True)
    >>> ask_call_problem("Q?", "earlier")[:40]
    'history must be a list of earlier questi'
    """
    if not isinstance(question, str):
        return f"question must be text, not {type(question).__name__}. Send {{\"data\": [question, history]}}."
    if history is None:
        return None
    if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
        return ("history must be a list of earlier questions (strings, oldest first), "
                f"not {type(history).__name__}; send [] when there are none.")
    if len(history) > MAX_HISTORY:
        return (f"history holds {len(history):,} questions; at most {MAX_HISTORY} are accepted. "
                "Send only the most recent ones.")
    longest = max((len(h) for h in history), default=0)
    if longest > MAX_HISTORY_ITEM_CHARS:
        return (f"an earlier question in history is {longest:,} characters long; "
                f"the limit is {MAX_HISTORY_ITEM_CHARS:,}.")
    return None
