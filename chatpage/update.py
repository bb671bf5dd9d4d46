"""What an event changes on the page, by name: a `PageUpdate` says which components get which new
value; a field left at `KEEP` leaves its component as it is. Nothing here counts positions.

The handlers return `PageUpdate`s (testable without a server); the wiring (`layout.py`) turns one
into Gradio's dict of component -> value for the event's outputs.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


class _Keep:
    """The "leave this component as it is" marker: one instance, `KEEP`."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


@dataclass(frozen=True, kw_only=True)
class PageUpdate:
    """New values for the page's components, named as `layout.Page`'s fields are.

    >>> PageUpdate(box="", chat="<div/>").given()
    {'box': '', 'chat': '<div/>'}
    >>> PageUpdate().given()
    {}
    """
    box: Any = KEEP  # the question box
    chat: Any = KEEP  # the conversation's HTML
    turns: Any = KEEP  # the answers so far (session state)
    ratings: Any = KEEP  # turn -> Rating (session state)
    source: Any = KEEP  # the source viewer's HTML
    header: Any = KEEP  # the page's header (sent again only when the index build changed)
    suggested: Any = KEEP  # one update per suggested-question button, all of them
    tools: Any = KEEP  # the row with "Export conversation" and "Print"
    undo: Any = KEEP  # the "Undo new conversation" button
    scope: Any = KEEP  # the ids of the articles the next questions are asked of ([]: all), held by the page
    chip: Any = KEEP  # the scope's chip by the question box ("" without a scope)
    asked: Any = KEEP  # the questions the page holds, to bring back a dropped session
    export_file: Any = KEEP  # the export's file
    cleared: Any = KEEP  # what "New conversation" cleared, for "Undo" (session state)
    undo_timer: Any = KEEP  # the timer that withdraws "Undo"

    def given(self) -> dict[str, Any]:
        """The components to change, by name, with their new values."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not KEEP}
