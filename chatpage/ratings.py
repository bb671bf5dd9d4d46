"""A thumb pressed under an answer, as a record: which one, and whether a reason was noted.

The page keeps `{turn: Rating}` in the session; the feedback file keeps its own lines ("up",
"down", "undo"), written by the handlers. Pure: no Gradio, no files.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping

THUMBS = ("up", "down")


@dataclass(frozen=True, kw_only=True)
class Rating:
    thumb: str  # "up" (Helpful) or "down" (Not helpful)
    noted: bool = False  # a reason was recorded for it


def press(ratings: Mapping[int, Rating], turn: int, thumb: str) -> dict[int, Rating]:
    """The ratings after pressing `thumb` under answer `turn`: the same thumb again takes it back,
    the other one replaces it (and its reason).

    >>> press({}, 0, "up")
    {0: Rating(thumb='up', noted=False)}
    >>> press({0: Rating(thumb="up", noted=True)}, 0, "up")
    {}
    >>> press({0: Rating(thumb="up", noted=True)}, 0, "down")
    {0: Rating(thumb='down', noted=False)}
    """
    previous = ratings.get(turn)
    kept = {t: r for t, r in ratings.items() if t != turn}
    if previous is not None and previous.thumb == thumb:
        return kept
    return {**kept, turn: Rating(thumb=thumb)}


def noted(ratings: Mapping[int, Rating], turn: int) -> dict[int, Rating]:
    """The ratings once a reason was recorded for answer `turn`'s thumb."""
    return {**ratings, turn: replace(ratings[turn], noted=True)}


def thumbs(ratings: Mapping[int, Rating]) -> dict[int, str]:
    """Turn -> the thumb pressed, as `qa.present.conversation_html` takes them."""
    return {turn: r.thumb for turn, r in ratings.items()}


def with_reason(ratings: Mapping[int, Rating]) -> set[int]:
    """The turns whose thumb has a reason noted."""
    return {turn for turn, r in ratings.items() if r.noted}
