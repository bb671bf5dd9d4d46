"""The chat as a clinician uses it: a real app server, real headless Chromium, the real HTTP API."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from qa.present import render_markdown

from tests.conftest import (ARTIFACTS, DISCLAIMER_START, ROOT, ask, free_port, open_page, running_app,
                            serious_axe_violations)


@pytest.fixture(scope="module")
def server(built_index, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("app")
    with running_app(built_index, tmp) as url:
        yield url, tmp


@pytest.fixture
def page(browser, server):
    with open_page(browser, server[0]) as page:
        yield page


def only_local_requests(urls: list[str]) -> list[str]:
    return [u for u in urls if urlparse(u).scheme in ("http", "https", "ws", "wss")
            and urlparse(u).hostname not in ("127.0.0.1", "localhost")]


def feedback_lines(path: Path, count: int, page) -> list[dict]:
    """The feedback file's records, once it holds `count` of them."""
    for _ in range(100):
        if path.exists() and len(path.read_text().splitlines()) >= count:
            break
        page.wait_for_timeout(100)
    return [json.loads(line) for line in path.read_text().splitlines()]


def in_viewport(locator) -> bool:
    return locator.evaluate("e => { const r = e.getBoundingClientRect();"
                            " return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0; }")


@pytest.mark.browser
def test_question_follow_up_source_viewer_and_abstention(page):
    assert page.locator("#qqa-footer").inner_text().startswith(DISCLAIMER_START)
    assert page.locator("h1").count() == 1
    header = page.locator("#qqa-header")
    assert "2 indexed articles" in header.inner_text()
    covers = page.locator("#qqa-chat .qqa-covers").inner_text()  # the empty page says what can be asked about
    assert covers.startswith("The 2 indexed articles: “") and "What causes foot drop" in covers
    header.locator("summary", has_text="About this index").click()
    assert "2025-10-31" in header.inner_text() and "Index build" in header.inner_text()

    answer = ask(page, "What brace is used for foot drop?")
    assert "ankle-foot orthosis (AFO)" in answer and "[1]" in answer and "Sources" in answer
    assert answer.count(DISCLAIMER_START) == 1

    follow = ask(page, "Can it be bought off the shelf?")
    assert "Read as:" in follow and "off-the-shelf" in follow
    # how the turn was read names the topic's article(s)
    read_as = next(line for line in follow.splitlines() if line.startswith("Read as:"))
    assert "in the context of" in read_as and "foot drop" in read_as.split("in the context of")[1]

    # [1] of the earlier answer, not of the last one: its source, with its sentence marked.
    first = page.locator("#qqa-turn-0")
    cite = first.locator("button.qqa-cite").first
    assert cite.get_attribute("aria-label").startswith("Source 1: ")
    cite.click()
    page.wait_for_function("() => document.querySelector('#qqa-source').innerText.includes('as cited in answer 1')")
    mark = page.locator("#qqa-source mark").first
    assert mark.inner_text().strip() in answer.replace("\n", " ")
    assert "Section:" in page.locator("#qqa-source").inner_text()
    assert in_viewport(mark)

    off = ask(page, "What is the capital of France?")
    assert "do not answer this question" in off and DISCLAIMER_START in off
    assert not only_local_requests(page.requests), only_local_requests(page.requests)


def marked(page) -> list[str]:
    """The words the source viewer marks, whitespace as in the article."""
    return [" ".join(m.split()) for m in page.locator("#qqa-source mark").all_text_contents()]


def build_served(url: str, other_than: str) -> str:
    """The index build the app serves once it no longer serves `other_than` (it follows `current`)."""
    import time

    for _ in range(300):  # /readyz is 503 while a new build loads, then names it
        try:
            build = json.loads(urllib.request.urlopen(url + "readyz", timeout=10).read())["index_build"]
        except urllib.error.HTTPError as exc:
            assert exc.code == 503
            build = other_than
        if build != other_than:
            return build
        time.sleep(0.2)
    raise AssertionError(f"the app still serves {other_than}")


@pytest.mark.browser
def test_after_a_rebuild_an_earlier_answers_citation_marks_the_words_it_quoted(browser, corpus_copy, tmp_path, build):
    """Issue 19: the article changed and the index was rebuilt mid-conversation. A citation of the
    answer given before marks what that answer quoted (not whatever now sits at its old offsets)
    and says which of its quotes the article no longer holds."""
    import qa

    index = tmp_path / "index"
    build(corpus_copy, index)
    question = "What are the symptoms of foot drop?"
    before = qa.load(index).ask(question)
    quoted = sorted(q.text for q in before.quotes if q.number == 1)
    assert "Foot pain or cramping" in quoted and len(quoted) >= 3
    with running_app(index, tmp_path, corpus=corpus_copy) as url, open_page(browser, url) as page:
        ask(page, question)
        page.locator("#qqa-turn-0 button.qqa-cite[data-n='1']").first.click()
        page.locator("#qqa-source mark").first.wait_for()
        assert sorted(marked(page)) == quoted  # the page answered as the engine does

        # the article loses an earlier line (every later offset moves) and one quoted item changes
        path = corpus_copy / "articles" / "symptom-database-foot-drop.md"
        text = path.read_text(encoding="utf-8")
        earlier = next(line for line in text.splitlines() if line.startswith("- Spinal cord injury:"))
        path.write_text(text.replace(earlier + "\n", "").replace("Foot pain or cramping", "Foot pain"),
                        encoding="utf-8")
        build(corpus_copy, index)
        rebuilt = build_served(url, other_than=before.index_build)
        ask(page, "What brace is used for foot drop?")
        assert rebuilt in page.locator("#qqa-header").text_content()  # "About this index" names the new build

        page.locator("#qqa-turn-0 button.qqa-cite[data-n='1']").first.click()
        notice = page.locator("#qqa-source .qqa-changed")
        notice.wait_for()
        assert "as cited in answer 1" in page.locator("#qqa-source").inner_text()
        assert sorted(marked(page)) == [t for t in quoted if t != "Foot pain or cramping"]
        assert notice.inner_text().startswith("The article has changed since answer 1")
        assert f"1 of the {len(quoted)} passages it quoted from here is no longer in it" in notice.inner_text()
        assert notice.get_attribute("role") == "status"


@pytest.mark.browser
@pytest.mark.parametrize("name,size", [("desktop", (1280, 900)), ("phone", (390, 844))])
def test_answer_opens_at_its_first_quote(browser, server, name, size):
    with open_page(browser, server[0], size) as page:
        ask(page, "What brace is used for foot drop?")
        ask(page, "What are the surgical options for foot drop?")
        page.wait_for_timeout(500)  # let the scroll settle before measuring
        last = page.locator("#qqa-chat .qqa-turn").last
        assert in_viewport(last.locator("h2.qqa-q")) and in_viewport(last.locator("blockquote").first)
        assert last.locator(".qqa-disclaimer").count() == 1 and last.locator(".qqa-sources[open]").count() == 0
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"after-{name}-answer.png"))
        last.locator("button.qqa-cite").first.click()
        page.locator("#qqa-source mark").first.wait_for()
        page.wait_for_timeout(500)
        assert in_viewport(page.locator("#qqa-source mark").first)
        page.screenshot(path=str(ARTIFACTS / f"after-{name}-source.png"))


@pytest.mark.browser
def test_a_conversation_comes_back_after_the_server_dropped_its_session(browser, built_index, tmp_path):
    """The server keeps the state of --sessions browser sessions; an older tab's is dropped. The
    tab still holds its questions: its next question brings the conversation back, the earlier
    turn stays on screen and the follow-up is read in its context."""
    with running_app(built_index, tmp_path, extra=["--sessions", "1"]) as url:
        with open_page(browser, url) as old, open_page(browser, url) as new:
            ask(old, "What brace is used for foot drop?")
            ask(new, "Does FES help foot drop?")  # one session kept: the newer tab's pushes the older out
            follow = ask(old, "Can it be bought off the shelf?")
            assert old.locator("#qqa-chat .qqa-turn").count() == 2
            assert "ankle-foot orthosis (AFO)" in old.locator("#qqa-turn-0").inner_text()
            read_as = next(line for line in follow.splitlines() if line.startswith("Read as:"))
            assert "in the context of" in read_as and "off-the-shelf" in follow
            assert new.locator("#qqa-chat .qqa-turn").count() == 1  # the other tab's conversation is its own
        log = next(tmp_path.glob("app-*.log")).read_text()
        assert "restored a dropped session: asked its 1 earlier question(s) again" in log


@pytest.mark.browser
@pytest.mark.parametrize("size", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_the_same_question_again_says_where_its_answer_is(browser, server, size):
    with open_page(browser, server[0], size) as page:
        ask(page, "What brace is used for foot drop?")
        page.mouse.wheel(0, -5000)  # read elsewhere, then ask the same question again
        page.fill("#qqa-question textarea", "What brace is used for foot drop?")
        page.keyboard.press("Enter")
        notice = page.locator("#qqa-chat .qqa-repeat")
        notice.wait_for(timeout=30_000)
        assert notice.inner_text() == "You just asked this: its answer is answer 1, above."
        assert notice.get_attribute("role") == "status"
        assert page.locator("#qqa-chat .qqa-turn").count() == 1  # not asked twice
        page.wait_for_timeout(500)
        # the answer is brought into view, and the notice is on screen with it, phone included
        assert in_viewport(page.locator("#qqa-turn-0 h2.qqa-q")) and in_viewport(notice)
        # the next question is answered as usual, and the notice is gone
        ask(page, "Does FES help foot drop?")
        assert page.locator("#qqa-chat .qqa-repeat").count() == 0


@pytest.mark.browser
@pytest.mark.parametrize("size", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_a_non_answer_says_so_before_anything_else(browser, server, size):
    with open_page(browser, server[0], size) as page:
        why = ask(page, "Why?")  # nothing to refer back to
        assert "asks about an earlier answer, and this conversation has none yet" in why
        assert page.locator("#qqa-turn-0 blockquote").count() == 0
        gap = ask(page, "What are the red flags for foot drop needing urgent imaging?")
        note = page.locator("#qqa-turn-1 .qqa-gap")
        assert note.inner_text() == "No indexed article mentions “red flags”; the nearest passages are:"
        assert gap.index(note.inner_text()) < gap.index("“")  # above the first quote
        page.wait_for_timeout(500)
        assert in_viewport(note)
        assert "In this article, we will explore" not in ask(page, "What operations are available for foot drop?")


@pytest.mark.browser
@pytest.mark.parametrize("size", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_a_refusal_offers_questions_the_articles_answer_and_follow_ups_name_topics(browser, server, size):
    with open_page(browser, server[0], size) as page:
        _refusal_and_follow_ups(page)


def _refusal_and_follow_ups(page):
    answer = ask(page, "What brace is used for foot drop?")
    suggested = [b.inner_text() for b in page.locator(".qqa-suggest").all() if b.is_visible()]
    assert suggested and all(s.startswith("What about ") and s.endswith("?") for s in suggested), suggested
    assert not any("conclusion" in s.lower() for s in suggested)  # a part of a document is not a topic
    refusal = ask(page, "Can acupuncture help foot drop?")
    assert "No indexed article mentions “acupuncture”" in refusal and "Questions the nearest articles answer:" in refusal
    offered = page.locator("#qqa-turn-1 .qqa-offer button")
    assert 3 <= offered.count() <= 4
    question = offered.first.inner_text()
    offered.first.click()  # asks it
    page.wait_for_function("q => { const t = document.querySelectorAll('#qqa-chat .qqa-turn');"
                           " return t.length === 3 && t[2].innerText.includes(q) && t[2].querySelector('blockquote'); }",
                           arg=question, timeout=60_000)
    assert "ankle-foot orthosis" in answer


@pytest.mark.browser
def test_on_a_phone_the_source_opens_over_the_page_and_closes_back_to_its_citation(browser, server):
    with open_page(browser, server[0], (390, 844)) as page:
        ask(page, "What brace is used for foot drop?")
        side, cite = page.locator("#qqa-side"), page.locator("#qqa-turn-0 button.qqa-cite").nth(1)
        number = cite.get_attribute("data-n")
        cite.click()
        page.locator("#qqa-source mark").first.wait_for()
        page.wait_for_timeout(300)
        box = side.bounding_box()
        assert "qqa-open" in side.get_attribute("class") and side.get_attribute("role") == "dialog"
        assert box["y"] == 0 and box["height"] == 844 and box["width"] == 390  # over the whole screen
        assert not page.locator("#qqa-articles").is_visible()  # the source alone, not the article list above it
        assert page.get_by_role("button", name="Close").bounding_box()["y"] < 100  # its Close at the top
        assert page.evaluate("document.activeElement.id") == "qqa-source-title"
        assert in_viewport(page.locator("#qqa-source mark").first)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "phone-source-overlay.png"))
        page.get_by_role("button", name="Close").click()
        assert "qqa-open" not in side.get_attribute("class")
        focused = page.evaluate("[document.activeElement.className, document.activeElement.dataset.n]")
        assert focused == ["qqa-cite", number] and in_viewport(cite)
        cite.click()  # the same citation again (no new content) opens it again; Escape closes it
        page.wait_for_function("() => document.querySelector('#qqa-side').classList.contains('qqa-open')")
        page.keyboard.press("Escape")
        assert "qqa-open" not in side.get_attribute("class")
        assert page.evaluate("document.activeElement.dataset.n") == number


@pytest.mark.browser
def test_back_to_answer_returns_focus_to_the_citation(page):
    ask(page, "What brace is used for foot drop?")
    cite = page.locator("#qqa-turn-0 button.qqa-cite").first
    cite.click()
    page.locator("#qqa-source .qqa-back").wait_for()
    assert not page.locator("#qqa-source .qqa-close").is_visible()  # beside the chat on a desktop: nothing to close
    page.locator("#qqa-source .qqa-back").click()
    assert page.evaluate("[document.activeElement.className, document.activeElement.closest('.qqa-turn').id]") == \
        ["qqa-cite", "qqa-turn-0"]


@pytest.mark.browser
def test_an_article_keeps_its_citation_number_in_the_page_the_viewer_and_the_export(page):
    ask(page, "Is foot drop painful?")
    ask(page, "What operations are available for foot drop?")
    turns = page.locator("#qqa-chat .qqa-turn")
    cited = [[b.get_attribute("aria-label") for b in turns.nth(t).locator(".qqa-quote .qqa-cite").all()]
             for t in (0, 1)]
    titles = [list(dict.fromkeys(label.split(": ", 1)[1] for label in c)) for c in cited]
    assert len(titles[0]) == 2 and titles[0] == titles[1][::-1], "the two answers quote the articles in opposite order"
    labels = set(cited[0]) | set(cited[1])
    assert sorted(labels) == sorted(f"Source {n}: {t}" for n, t in enumerate(titles[0], 1))  # one number each
    assert [b.text_content() for b in turns.nth(1).locator(".qqa-sources .qqa-cite").all()] == ["[1]", "[2]"]
    turns.nth(1).locator(".qqa-quote .qqa-cite").first.click()
    page.locator("#qqa-source mark").first.wait_for()
    viewer = page.locator("#qqa-source").inner_text()
    assert "Source [2], as cited in answer 2" in viewer and titles[0][1] in viewer
    copied = turns.nth(1).locator("textarea.qqa-copytext").input_value()
    assert f"[1] {titles[0][0]}" in copied and f"[2] {titles[0][1]}" in copied
    sources = export(page)[1].split("## Sources")[1]
    assert sources.index(f"[1] {titles[0][0]}") < sources.index(f"[2] {titles[0][1]}")


@pytest.mark.browser
def test_partial_list_says_so_and_shows_all_in_place(page):
    answer = ask(page, "What are the surgical options for foot drop?")
    note = page.locator("#qqa-chat .qqa-turn").last.locator("details.qqa-listnote").first
    summary = note.locator("summary").inner_text()
    shown, total = (int(x) for x in summary.split(" items")[0].split(" of "))
    assert " of " in answer and shown < total and "show all" in summary
    note.locator("summary").click()
    items = note.locator("ol li")
    assert items.count() == total and items.first.is_visible()
    assert note.locator("ol li mark").count() == shown


@pytest.mark.browser
def test_html_in_a_question_is_inert_text(page):
    for payload in ["<img src=x onerror=alert(1)>", "<script>alert(1)</script> foot drop"]:
        ask(page, payload)
    chat = page.locator("#qqa-chat")
    assert chat.locator("img[src='x']").count() == 0 and chat.locator("script").count() == 0
    assert "<img src=x onerror=alert(1)>" in chat.inner_text()
    page.wait_for_timeout(300)  # give a would-be onerror handler the chance to fire
    assert page.dialogs == []


@pytest.mark.browser
def test_empty_submissions_do_nothing_and_a_repeat_is_not_asked_again(page):
    # Each question goes in through the other control than the submission before it: Gradio drops
    # a second trigger of one control while its first is still queued.
    page.locator("#qqa-question textarea").press("Enter")
    ask(page, "Does FES help foot drop?", button=True)
    page.fill("#qqa-question textarea", "Does FES help foot drop?")
    page.keyboard.press("Enter")
    # The next question is queued behind the repeat, so once its answer is shown the repeat is done.
    ask(page, "What causes foot drop?", button=True)
    questions = page.locator("#qqa-chat h2.qqa-q").all_text_contents()
    assert [q.split(": ", 1)[1] for q in questions] == ["Does FES help foot drop?", "What causes foot drop?"]


def export(page) -> tuple[str, str]:
    """Press "Export conversation": (the downloaded file's name, its text)."""
    with page.expect_download(timeout=30_000) as info:
        page.locator("#qqa-export").click()
    return info.value.suggested_filename, Path(info.value.path()).read_text(encoding="utf-8")


@pytest.mark.browser
def test_new_conversation_clears_everything_and_can_be_undone(page):
    assert not page.locator("#qqa-export").is_visible() and not page.locator("#qqa-print").is_visible()
    ask(page, "What brace is used for foot drop?")
    first = page.locator("#qqa-chat .qqa-turn").last.inner_text()
    page.get_by_role("button", name="New conversation").click()
    page.wait_for_function("() => document.querySelectorAll('#qqa-chat .qqa-turn').length === 0")
    assert not page.locator("#qqa-export").is_visible()  # nothing asked: nothing to export or print
    undo = page.get_by_role("button", name="Undo new conversation")
    undo.click()
    page.wait_for_function("() => document.querySelectorAll('#qqa-chat .qqa-turn').length === 1")
    assert page.locator("#qqa-chat .qqa-turn").last.inner_text() == first and not undo.is_visible()
    follow = ask(page, "Can it be bought off the shelf?")
    assert "Read as:" in follow  # the conversation came back with its follow-up context
    page.get_by_role("button", name="New conversation").click()
    page.wait_for_function("() => document.querySelectorAll('#qqa-chat .qqa-turn').length === 0")
    undo.wait_for(state="hidden", timeout=30_000)  # offered for a few seconds only
    follow = ask(page, "Can it be bought off the shelf?")
    assert "Read as:" not in follow  # the cleared questions no longer steer the search
    name, text = export(page)
    assert "Can it be bought off the shelf?" in text and "What brace is used" not in text
    assert re.fullmatch(r"quoteqa-can-it-be-bought-off-the-shelf-\d{4}-\d\d-\d\d-\d{4}\.md", name)


@pytest.mark.browser
def test_an_export_is_the_conversation_at_the_moment_it_is_made(page):
    ask(page, "What brace is used for foot drop?")
    _, before = export(page)
    ask(page, "Does FES help foot drop?")
    _, after = export(page)
    assert "Does FES help foot drop?" not in before and "## 2. Does FES help foot drop?" in after
    assert page.locator("#qqa-chat a[download], #qqa-export-file").count() == 0  # no stale file offered


@pytest.mark.browser
def test_the_printed_page_holds_every_question_and_quote(page, tmp_path):
    import pypdf

    questions = ["What brace is used for foot drop?", "Does FES help foot drop?", "What causes foot drop?",
                 "What are the surgical options for foot drop?", "Which exercises help foot drop?"]
    for q in questions:
        ask(page, q)
    quotes = page.locator("#qqa-chat .qqa-quote li, #qqa-chat .qqa-quote > p").all_inner_texts()
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")  # what Ctrl+P and the Print button fire
    page.pdf(path=str(tmp_path / "printed.pdf"))  # Chromium's print to PDF, with the print stylesheet
    printed = " ".join("".join(p.extract_text() for p in pypdf.PdfReader(tmp_path / "printed.pdf").pages).split())
    flat = lambda t: " ".join(t.replace("ﬁ", "fi").replace("ﬂ", "fl").replace("ﬀ", "ff").split())  # noqa: E731
    printed = flat(printed)
    for text in [*questions, *quotes]:
        words = flat(text.split("“", 1)[-1].split("”")[0])
        assert words[:80] in printed, words[:80]
    assert printed.count(DISCLAIMER_START) == 1  # once, at the foot
    assert "Sources (" in printed and "review status" in printed  # the folded source lists, open
    for gone in ("Helpful", "Copy answer", "Your question", "Export conversation", "New conversation"):
        assert gone not in printed
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.locator("#qqa-chat details[open]").count() == 0  # the folds are back as they were


@pytest.mark.browser
def test_feedback_undo_reason_copy_and_export(page, server):
    _, tmp = server
    feedback = tmp / "feedback.jsonl"
    start = len(feedback.read_text().splitlines()) if feedback.exists() else 0
    ask(page, "Does FES help foot drop?")
    turn = page.locator("#qqa-chat .qqa-turn").last
    helpful = turn.get_by_role("button", name="Helpful", exact=True)
    helpful.click()
    page.wait_for_function("() => document.querySelector('.qqa-turn:last-child [data-rating=up]')"
                           ".getAttribute('aria-pressed') === 'true'")
    helpful.click()  # pressing it again takes the rating back: an undo, not a downvote
    page.wait_for_function("() => document.querySelector('.qqa-turn:last-child [data-rating=up]')"
                           ".getAttribute('aria-pressed') === 'false'")  # the page shows the undo, as a user sees it
    records = feedback_lines(feedback, start + 2, page)[start:]
    assert [r["rating"] for r in records] == ["up", "undo"] and records[1]["undoes"] == "up"
    assert records[0]["question"] == "Does FES help foot drop?" and len(records[0]["index_build"]) == 16
    turn.get_by_role("button", name="Not helpful").click()
    turn.get_by_label("Why? (optional)").fill("quote is about stroke only")
    turn.get_by_role("button", name="Send reason").click()
    records = feedback_lines(feedback, start + 4, page)[start:]
    assert records[2]["rating"] == "down"
    assert (records[3]["rating"], records[3]["reason"]) == ("down", "quote is about stroke only")

    copied = turn.locator("textarea.qqa-copytext").input_value()
    assert "\\" not in copied and "[1]" in copied and copied.count(DISCLAIMER_START) == 1
    assert copied.startswith("Question: Does FES help foot drop?\n")  # a pasted answer keeps its question

    _, text = export(page)
    assert "Does FES help foot drop?" in text and "FES can be beneficial" in text and "[1]" in text
    assert "\\" not in text and text.count(DISCLAIMER_START) == 1
    footer = text.rstrip().splitlines()[-1]
    assert footer.startswith("Exported ") and records[0]["index_build"] in footer


@pytest.mark.browser
def test_accessibility_axe_and_keyboard(page):
    ask(page, "What are the surgical options for foot drop?")
    page.locator("#qqa-chat summary", has_text="Sources").last.click()
    page.locator("#qqa-chat summary", has_text="show all").first.click()
    for _ in range(200):  # Tab through the page until a citation has focus, then open it by keyboard
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('qqa-cite')"):
            break
        assert "Use via API" not in page.evaluate("document.activeElement.innerText || ''")
    else:
        raise AssertionError("no [n] citation is reachable with Tab")
    page.keyboard.press("Enter")
    page.locator("#qqa-source mark").first.wait_for()
    assert serious_axe_violations(page) == []
    assert page.locator("h1").count() == 1


def _scope_from_viewer(page, turn: int = 0) -> str:
    """Open [1] of answer `turn`, press "Ask about this article": the chip shows; the article's title."""
    page.locator(f"#qqa-turn-{turn} button.qqa-cite").first.click()
    page.wait_for_function(f"() => document.querySelector('#qqa-source').innerText.includes('as cited in answer {turn + 1}')")
    title = page.locator("#qqa-source-title").inner_text().strip()
    page.locator("#qqa-source button", has_text="Ask about this article").click()
    page.locator("#qqa-scope .qqa-chip").wait_for()
    assert title in page.locator("#qqa-scope .qqa-chip").inner_text()
    return title


@pytest.mark.browser
def test_ask_about_this_article_scopes_the_next_questions_until_the_chip_is_removed(page):
    first = ask(page, "What brace is used for foot drop?")
    assert len(set(page.locator("#qqa-turn-0 .qqa-sources cite").all_text_contents())) == 2  # both articles quoted
    title = _scope_from_viewer(page)
    remove = page.locator("#qqa-scope button.qqa-chip-remove")
    assert remove.get_attribute("aria-label").startswith("Remove the scope")
    assert page.locator("#qqa-scope [role=group]").get_attribute("aria-label")

    for k, question in enumerate(["Which exercises help foot drop?", "Can it be bought off the shelf?"], 1):
        answer = ask(page, question)  # the second is a follow-up: the scope is kept across them
        assert f"Searched only “{title}”" in answer and "[1]" in answer
        assert set(page.locator(f"#qqa-turn-{k} .qqa-sources cite").all_text_contents()) == {title}
    assert serious_axe_violations(page) == []

    remove.focus()  # removable by keyboard
    page.keyboard.press("Enter")
    page.wait_for_function("() => !document.querySelector('#qqa-scope .qqa-chip')")
    assert page.evaluate("document.activeElement.closest('#qqa-question') !== null")
    again = ask(page, "What are the surgical options for foot drop?")
    assert "Searched only" not in again and first

    _scope_from_viewer(page)
    page.locator("#qqa-new").click()
    page.wait_for_function("() => !document.querySelector('#qqa-scope .qqa-chip')")
    assert page.locator("#qqa-chat .qqa-turn").count() == 0


def test_http_api_gives_the_same_answer_as_the_library(server, engine):
    from gradio_client import Client

    url, _ = server
    client = Client(url, verbose=False)
    for question, history in [("What brace is used for foot drop?", []),
                              ("Can it be bought off the shelf?", ["What brace is used for foot drop?"]),
                              ("What is the capital of France?", [])]:
        via_http = client.predict(question, history, api_name="/ask")
        direct = engine.ask(question, history)
        assert via_http["markdown"] == render_markdown(direct)
        assert [q["text"] for q in via_http["quotes"]] == [q.text for q in direct.quotes]
        assert via_http["abstained"] == direct.abstained


def test_hardening_defaults(server):
    url, _ = server
    assert urlparse(url).hostname == "127.0.0.1"
    for path in ("monitoring", "gradio_api/runs"):
        try:
            status = urllib.request.urlopen(url + path, timeout=5).status
        except urllib.error.HTTPError as exc:
            status = exc.code
        assert status in (401, 403, 404), (path, status)
    config = json.loads(urllib.request.urlopen(url + "config", timeout=5).read())
    assert config.get("run_history") is False
    assert config.get("max_file_size") == 16 * 1024


def test_app_refuses_a_corrupt_index_with_the_fix(index_copy, tmp_path):
    vectors = (index_copy / "current").resolve() / "sentences.npy"
    vectors.write_bytes(vectors.read_bytes()[:64])
    proc = subprocess.run([sys.executable, "app.py", "--index", str(index_copy), "--port", str(free_port())],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "sentences.npy" in proc.stderr and "python -m ingest --force" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_app_builds_a_missing_index_before_serving(tmp_path):
    index = tmp_path / "fresh-index"
    with running_app(index, tmp_path) as url:
        assert (index / "current" / "manifest.json").exists()
        assert "QuoteQA" in urllib.request.urlopen(url, timeout=5).read().decode()


def test_stale_index_is_served_with_a_banner(built_index, corpus_copy):
    import app
    from chatpage import header_html

    article = corpus_copy / "articles" / "symptom-database-foot-drop.md"
    article.write_text(article.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    engine, stale = app.prepare_engine(built_index, corpus_copy)
    assert stale == ["articles/symptom-database-foot-drop.md changed"]
    banner = header_html(engine, stale)
    assert "older than the corpus" in banner and "python -m ingest" in banner


def test_login_settings_are_read_from_the_environment(tmp_path):
    import app

    assert app.read_auth({}) is None
    assert app.read_auth({"QUOTEQA_AUTH": "ann:pw1, bob:pw2"}) == [("ann", "pw1"), ("bob", "pw2")]
    users = tmp_path / "users"
    users.write_text("cid:secret\n")
    assert app.read_auth({"QUOTEQA_AUTH_FILE": str(users)}) == [("cid", "secret")]
    with pytest.raises(SystemExit, match="user:password"):
        app.read_auth({"QUOTEQA_AUTH": "nopassword"})
