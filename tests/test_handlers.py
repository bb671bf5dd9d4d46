"""The page's handlers called directly (no server, no browser): the real engine behind them, and
answers made by hand (`answer_of`, `quote_from` in conftest.py) wherever the engine need not answer."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import pytest

from chatpage import KEEP, Cleared, GradioAsk, Handlers, PageUpdate, Rating, Service
from tests.conftest import CORPUS, ROOT, answer_of, quote_from

BRACE = "A brace called an ankle-foot orthosis (AFO) is commonly used to provide stability and improve walking ability."
SURGERY = "In some cases, surgery may be necessary to treat foot drop."
PRIMARY = ("The primary medical management of foot drop should focus on providing appropriate orthotic support, with "
           "an ankle-foot orthosis (AFO) being the preferred treatment option for most patients with foot drop "
           "regardless of etiology.")


@pytest.fixture
def handlers(engine, built_index, tmp_path):
    from qa.index import LiveIndex

    return Handlers(Service(LiveIndex(engine, built_index, engine.reloaded), CORPUS), tmp_path / "feedback.jsonl")


@pytest.fixture
def turns(engine):
    """Two answers made by hand, of the index's build: one from each article."""
    symptoms, oracle = engine.articles["symptom-database-foot-drop"], engine.articles["droracle-medical-management-foot-drop"]
    return [answer_of("What brace is used for foot drop?", [quote_from(symptoms, BRACE), quote_from(symptoms, SURGERY)],
                      index_build=engine.index_build),
            answer_of("What is the primary management?", [quote_from(oracle, PRIMARY)], index_build=engine.index_build)]


class _Thumbs(HTMLParser):
    """The thumbs of a conversation's HTML: (turn, "up"/"down") -> pressed."""

    def __init__(self, text: str):
        super().__init__()
        self.pressed: dict[tuple[int, str], bool] = {}
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "button" and a.get("data-action") == "rate":
            self.pressed[int(a["data-turn"]), a["data-rating"]] = a.get("aria-pressed") == "true"


def pressed(text: str) -> set[tuple[int, str]]:
    return {key for key, on in _Thumbs(text).pressed.items() if on}


def feedback(handlers) -> list[dict]:
    path = handlers.feedback_path
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_the_conversation_shows_each_answers_thumb_and_whether_a_reason_was_noted(handlers, turns):
    page = handlers.conversation(turns, {0: Rating(thumb="up"), 1: Rating(thumb="down", noted=True)})
    assert pressed(page) == {(0, "up"), (1, "down")}
    assert page.count("your reason was recorded") == 1 and "id='qqa-reason-0'" in page  # asked for under the first only
    assert page.isascii()  # kept per session: one byte a character
    assert pressed(handlers.conversation(turns, {})) == set()


def test_a_thumb_is_recorded_replaced_and_taken_back(handlers, turns):
    update = handlers.on_chat(turns, {}, {"action": "rate", "turn": 1, "rating": "up"})
    assert set(update.given()) == {"chat", "ratings"}
    assert update.ratings == {1: Rating(thumb="up")} and pressed(update.chat) == {(1, "up")}
    update = handlers.on_chat(turns, update.ratings, {"action": "rate", "turn": 1, "rating": "down"})
    assert update.ratings == {1: Rating(thumb="down")}
    update = handlers.on_chat(turns, update.ratings, {"action": "rate", "turn": 1, "rating": "down"})
    assert update.ratings == {} and pressed(update.chat) == set()
    lines = feedback(handlers)
    assert [(x["rating"], x.get("replaces"), x.get("undoes")) for x in lines] == [
        ("up", None, None), ("down", "up", None), ("undo", None, "down")]
    assert lines[0]["question"] == turns[1].question and lines[0]["quotes"][0]["text"] == PRIMARY
    assert handlers.on_chat(turns, {}, {"action": "rate", "turn": 0, "rating": "sideways"}).given() == {}


def test_a_reason_is_noted_for_the_thumb_pressed_and_only_then(handlers, turns):
    reason = {"action": "reason", "turn": 0, "text": "  quotes   the\nwrong article  " + "x" * 300}
    assert handlers.on_chat(turns, {}, reason).given() == {}  # no thumb pressed: nothing to explain
    assert feedback(handlers) == []
    update = handlers.on_chat(turns, {0: Rating(thumb="down")}, reason)
    assert update.ratings == {0: Rating(thumb="down", noted=True)}
    assert "your reason was recorded" in update.chat
    (line,) = feedback(handlers)
    assert line["rating"] == "down" and line["reason"].startswith("quotes the wrong article xx")
    assert len(line["reason"]) == 200
    # the other thumb afterwards: a new rating, its reason not yet given
    update = handlers.on_chat(turns, update.ratings, {"action": "rate", "turn": 0, "rating": "up"})
    assert update.ratings == {0: Rating(thumb="up")} and "your reason was recorded" not in update.chat


@pytest.mark.parametrize("turn", [-1, 2, 99, "two", None, "1.5"])
def test_a_button_with_a_bad_turn_number_changes_nothing(handlers, turns, turn):
    for action in ({"action": "rate", "rating": "up"}, {"action": "cite", "number": 1},
                   {"action": "reason", "text": "why"}):
        assert handlers.on_chat(turns, {0: Rating(thumb="up")}, {**action, "turn": turn}) == PageUpdate()
    assert feedback(handlers) == []


def test_an_empty_or_repeated_question_is_not_asked(handlers, turns):
    assert handlers.respond("   ", turns, {}) == PageUpdate()
    update = handlers.respond(" What is the primary\nmanagement? ", turns, {1: Rating(thumb="up")})
    assert set(update.given()) == {"chat"}  # the box keeps whatever was typed meanwhile
    assert "You just asked this: its answer is answer 2, above." in update.chat
    assert pressed(update.chat) == {(1, "up")}


def test_new_conversation_then_undo_brings_it_back_as_it_was(handlers, turns):
    ratings, asked = {0: Rating(thumb="up", noted=True)}, [a.question for a in turns]
    cleared = handlers.clear(turns, ratings, asked)
    assert cleared.turns == [] and cleared.ratings == {} and cleared.asked == [] and cleared.box == ""
    assert "qqa-empty" in cleared.chat and cleared.export_file["value"] is None
    assert cleared.cleared == Cleared(turns=turns, ratings=ratings, asked=asked)
    assert cleared.undo["visible"] is True and cleared.undo_timer.active is True and cleared.tools["visible"] is False
    assert [b["visible"] for b in cleared.suggested] == [False] * len(cleared.suggested)

    back = handlers.undo(cleared.cleared)
    assert back.turns == turns and back.ratings == ratings and back.asked == asked
    assert back.chat == handlers.conversation(turns, ratings) and pressed(back.chat) == {(0, "up")}
    assert back.undo["visible"] is False and back.cleared is None and back.undo_timer.active is False
    assert {"box", "source", "suggested"}.isdisjoint(back.given())  # left as they are

    # nothing was on screen: nothing to undo, and the timer's tick withdraws the offer the same way
    empty = handlers.clear([], {}, [])
    assert empty.cleared is None and empty.undo["visible"] is False and empty.undo_timer.active is False
    assert set(handlers.undo(None).given()) == {"undo", "cleared", "undo_timer"} == set(handlers.undo_expired().given())


def test_a_citation_opens_its_article_with_that_answers_quotes_marked(handlers, turns):
    """Numbers are the conversation's: the second answer's only article is [2], the first's [1]."""
    assert 'data-n="2"' in handlers.conversation(turns, {}).replace("'", '"')
    update = handlers.on_chat(turns, {}, {"action": "cite", "turn": 1, "number": 2})
    assert set(update.given()) == {"source"}
    assert "Source [2], as cited in answer 2" in update.source
    assert "What is the medical management of foot drop?" in update.source
    assert [html.unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", update.source, flags=re.S)] == [PRIMARY]
    first = handlers.on_chat(turns, {}, {"action": "cite", "turn": 0, "number": 1}).source
    assert sorted(html.unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", first, flags=re.S)) == [BRACE, SURGERY]
    assert "Back to answer 1" in first
    hint = handlers.on_chat(turns, {}, {"action": "cite", "turn": 0, "number": "one"}).source
    assert "Select a citation" in hint


def test_a_button_pressed_after_the_session_was_dropped_brings_the_conversation_back(handlers):
    """The page's questions are asked again, the thumb lands on the answer restored, and the page
    gets the whole conversation back, not only the thumb."""
    update = handlers.on_chat([], {}, {"action": "rate", "turn": 0, "rating": "up"},
                              asked=["What brace is used for foot drop?"])
    assert [a.question for a in update.turns] == update.asked == ["What brace is used for foot drop?"]
    assert update.ratings == {0: Rating(thumb="up")} and pressed(update.chat) == {(0, "up")}
    assert update.tools["visible"] is True and {"box", "source", "header", "suggested"}.isdisjoint(update.given())
    assert feedback(handlers)[0]["status"] == "answered"


def test_an_update_names_its_components_and_the_page_counts_nothing(handlers):
    import gradio as gr
    from chatpage import OUTPUTS, load_assets, page_components, page_values
    from qa.present import SUGGESTIONS

    with gr.Blocks():
        page = page_components(handlers, load_assets())
    outputs = page.outputs(*OUTPUTS)
    assert outputs[-1] is page.asked and len(outputs) == len(OUTPUTS) - 1 + SUGGESTIONS
    buttons = [gr.update(value=f"q{k}") for k in range(SUGGESTIONS)]
    values = page_values(page, PageUpdate(chat="<p>x</p>", suggested=buttons), outputs)
    assert values == {page.chat: "<p>x</p>", **dict(zip(page.suggested, buttons))}
    assert page_values(page, PageUpdate(), outputs) == gr.skip()  # Gradio takes no empty dict
    with pytest.raises(ValueError, match="does not output"):
        page_values(page, PageUpdate(cleared=None), outputs)
    with pytest.raises(TypeError):
        PageUpdate(chats="<p>x</p>")  # a name the page does not have


def test_the_ask_api_answers_each_call_and_refuses_a_malformed_one_alone(handlers):
    answers = GradioAsk(handlers.service).answer_calls([("What brace is used for foot drop?", None), (5, ["x"])])
    assert answers[0]["status"] == "answered" and answers[1]["status"] == "invalid"
    assert all(a["disclaimer"] for a in answers)


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
    nothing = []
    assert handlers.restore(nothing, None) is nothing  # nothing held by the page: nothing to replay


def test_the_pages_css_and_scripts_load_and_ship_as_package_data():
    """Every file of chatpage/static is read at start and matched by pyproject's package-data, so
    an installed (not editable) copy has it too."""
    import fnmatch

    from chatpage import load_assets

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    assets = load_assets()
    assert "#qqa-header h1" in assets.css and "trigger('click', data)" in assets.chat_js
    assert "qqaOpenSource" in assets.source_js and "file.url" in assets.export_js
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["chatpage"]
    shipped = [p.relative_to(ROOT / "chatpage").as_posix() for p in (ROOT / "chatpage" / "static").iterdir()]
    assert shipped and all(any(fnmatch.fnmatch(f, pattern) for pattern in patterns) for f in shipped), shipped


ORACLE_ID = "droracle-medical-management-foot-drop"


def test_ask_about_this_article_scopes_the_next_questions_and_the_chip_removes_it(handlers, turns):
    """The viewer's button sets the scope and its chip; a question is asked of it (the same question
    of another scope is asked again, not called a repeat); the chip's button takes it away."""
    assert "data-action='scope'" in handlers.on_chat(turns, {}, {"action": "cite", "turn": 1, "number": 2}).source
    update = handlers.on_source({"action": "scope", "article": ORACLE_ID})
    assert set(update.given()) == {"scope", "chip"} and update.scope == [ORACLE_ID]
    assert "What is the medical management of foot drop?" in html.unescape(update.chip)
    assert "aria-label='Remove the scope" in update.chip.replace('"', "'")
    assert handlers.on_source({"action": "scope", "article": "no-such-article"}) == PageUpdate()

    asked = handlers.respond("What brace is used for foot drop?", turns, {}, scope=[ORACLE_ID])
    answer = asked.turns[-1]
    assert answer.scope == (ORACLE_ID,) and {q.article_id for q in answer.quotes} == {ORACLE_ID}
    assert "Searched only “What is the medical management of foot drop?”" in html.unescape(asked.chat)
    assert handlers.unscope() == PageUpdate(scope=[], chip="")


def test_search_all_asks_again_unscoped_and_new_conversation_clears_the_scope(handlers, engine, turns):
    scoped = answer_of("What is the capital of France?", status="abstained", scope=(ORACLE_ID,),
                       index_build=engine.index_build)
    page = handlers.conversation([scoped], {})
    assert "Search all articles" in page and "does not answer this question" in html.unescape(page)
    update = handlers.on_chat([scoped], {}, {"action": "everywhere", "text": "What brace is used for foot drop?"},
                              scope=[ORACLE_ID])
    assert update.scope == [] and update.chip == "" and update.turns[-1].scope == ()
    assert {q.article_id for q in update.turns[-1].quotes} == {ORACLE_ID, "symptom-database-foot-drop"}

    cleared = handlers.clear(turns, {}, [a.question for a in turns], [ORACLE_ID])
    assert cleared.scope == [] and cleared.chip == "" and cleared.cleared.scope == [ORACLE_ID]
    back = handlers.undo(cleared.cleared)
    assert back.scope == [ORACLE_ID] and "What is the medical management" in back.chip


def test_a_scope_whose_article_a_rebuild_removed_asks_nothing_and_is_dropped(handlers, turns):
    """The page still holds a scope naming an article the index no longer has: the question is not
    asked (neither of the wrong articles nor silently of all), and the scope keeps what is indexed."""
    kept = next(iter(handlers.engine.articles))
    update = handlers.respond("What brace is used for foot drop?", turns, {}, [], ["removed-article", kept])
    assert update.scope == [kept] and update.turns is KEEP and update.chat is KEEP
    assert kept in update.chip or handlers.engine.articles[kept].title in html.unescape(update.chip)
    update = handlers.respond("What brace is used for foot drop?", turns, {}, [], ["removed-article"])
    assert update.scope == [] and update.chip == ""
