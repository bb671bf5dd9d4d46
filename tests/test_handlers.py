"""The page's handlers called directly, with the real engine (no server, no browser)."""

from __future__ import annotations

import pytest

from tests.conftest import CORPUS


@pytest.fixture
def handlers(engine, built_index, tmp_path):
    from chatpage import Handlers, Service
    from qa.index import LiveIndex

    return Handlers(Service(LiveIndex(engine, built_index, engine.reloaded), CORPUS), tmp_path / "feedback.jsonl")


def test_a_dropped_session_is_restored_from_its_latest_questions_only(handlers, engine):
    """A page whose session state was dropped sends the questions it holds; fifty cost at most
    RESTORE_TURNS answers, the latest, read as the conversation they were."""
    from chatpage import RESTORE_TURNS

    asked = [f"What is foot drop? ({k})" for k in range(42)] + ["What brace is used for foot drop?", "Is it custom-made?"]
    turns = handlers.restore([], asked)
    assert [t.question for t in turns] == asked[-RESTORE_TURNS:]
    assert turns[-1].followup and turns[-1].status == "answered"
    alone = engine.ask("Is it custom-made?", asked[-RESTORE_TURNS:-1])
    assert [q.text for q in turns[-1].quotes] == [q.text for q in alone.quotes]
    assert handlers.restore(turns, asked) is turns  # a live session is not replayed
    assert handlers.restore([], ["", 5, None]) == []
