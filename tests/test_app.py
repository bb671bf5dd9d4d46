"""The chat as a clinician uses it: a real app server, real headless Chromium, the real HTTP API."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from qa.present import render_markdown

from tests.conftest import CORPUS, ROOT

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = ROOT / "artifacts"
DISCLAIMER_START = "For healthcare professionals only"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(index: Path, tmp: Path, corpus: Path = CORPUS, extra: list[str] = (),
              launcher: list[str] | None = None):
    """Start `python app.py` on a free port (through `launcher`, e.g. a watcher, when given)."""
    port = free_port()
    log = open(tmp / f"app-{port}.log", "w")
    proc = subprocess.Popen(
        [*(launcher or [sys.executable]), "app.py", "--port", str(port), "--index", str(index),
         "--corpus", str(corpus), "--feedback", str(tmp / "feedback.jsonl"), *extra],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(600):  # up to ~2 minutes: it may build the index first
        if proc.poll() is not None:
            raise AssertionError(f"app exited early:\n{(tmp / f'app-{port}.log').read_text()}")
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        raise AssertionError("app did not start")
    return proc, url


@contextlib.contextmanager
def running_app(index: Path, tmp: Path, **kwargs):
    """The real app on a free port for the length of a `with` block: yields its URL."""
    proc, url = start_app(index, tmp, **kwargs)
    try:
        yield url
    finally:
        stop(proc)


def stop(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def server(built_index, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("app")
    with running_app(built_index, tmp) as url:
        yield url, tmp


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI: .ci/run installs Debian's chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    url, _ = server
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = context.new_page()
    page.requests, page.dialogs = [], []
    page.on("request", lambda r: page.requests.append(r.url))
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    page.wait_for_selector("#qqa-question textarea")
    yield page
    context.close()


def ask(page, question: str) -> str:
    """Type a question, press Enter, return the text of the new answer."""
    before = page.locator("#qqa-chat .bot.message").count()
    page.fill("#qqa-question textarea", question)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "([n, d]) => { const m = document.querySelectorAll('#qqa-chat .bot.message');"
        " return m.length > n && m[m.length - 1].innerText.includes(d); }",
        arg=[before, DISCLAIMER_START], timeout=60_000)
    return page.locator("#qqa-chat .bot.message").last.inner_text()


def only_local_requests(urls: list[str]) -> list[str]:
    return [u for u in urls if urlparse(u).scheme in ("http", "https", "ws", "wss")
            and urlparse(u).hostname not in ("127.0.0.1", "localhost")]


@pytest.mark.browser
def test_question_follow_up_source_viewer_and_abstention(page):
    assert page.locator("#qqa-footer").inner_text().startswith(DISCLAIMER_START)
    header = page.locator("#qqa-header").inner_text()
    assert "2 indexed articles" in header and "2025-10-31" in header

    answer = ask(page, "What brace is used for foot drop?")
    assert "ankle-foot orthosis (AFO)" in answer and "[1]" in answer and "Sources" in answer
    assert answer.rstrip().endswith("only a small, curated set of articles is searched.")

    follow = ask(page, "Can it be bought off the shelf?")
    assert "Searched for:" in follow and "off-the-shelf" in follow

    page.locator("#qqa-citations label").first.click()
    mark = page.locator("#qqa-source mark").first
    mark.wait_for()
    assert mark.inner_text().strip() in follow.replace("\n", " ")
    assert "Section:" in page.locator("#qqa-source").inner_text()

    off = ask(page, "What is the capital of France?")
    assert "do not answer this question" in off and DISCLAIMER_START in off

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat.png"), full_page=True)
    assert not only_local_requests(page.requests), only_local_requests(page.requests)


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
def test_feedback_and_export(page, server):
    _, tmp = server
    ask(page, "Does FES help foot drop?")
    page.locator("#qqa-chat button[aria-label='Like']").last.click()
    feedback = tmp / "feedback.jsonl"
    for _ in range(100):
        if feedback.exists() and feedback.read_text().strip():
            break
        page.wait_for_timeout(100)
    record = json.loads(feedback.read_text().splitlines()[-1])
    assert record["rating"] == "up" and record["question"] == "Does FES help foot drop?"
    assert record["quotes"] and len(record["index_build"]) == 16

    page.locator("#qqa-export").click()
    link = page.locator("a[download]").last
    link.wait_for(timeout=30_000)
    with page.expect_download() as info:
        link.click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert "Does FES help foot drop?" in text and "FES can be beneficial" in text
    assert record["index_build"] in text
    assert text.rstrip().endswith("only a small, curated set of articles is searched.*")


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
    faiss_file = (index_copy / "current").resolve() / "chunks.faiss"
    faiss_file.write_bytes(faiss_file.read_bytes()[:64])
    proc = subprocess.run([sys.executable, "app.py", "--index", str(index_copy), "--port", str(free_port())],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "chunks.faiss" in proc.stderr and "python -m ingest --force" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_app_builds_a_missing_index_before_serving(tmp_path):
    index = tmp_path / "fresh-index"
    with running_app(index, tmp_path) as url:
        assert (index / "current" / "manifest.json").exists()
        assert "QuoteQA" in urllib.request.urlopen(url, timeout=5).read().decode()


def test_stale_index_is_served_with_a_banner(built_index, corpus_copy):
    import app

    article = corpus_copy / "articles" / "symptom-database-foot-drop.md"
    article.write_text(article.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    engine, stale = app.prepare_engine(built_index, corpus_copy)
    assert stale == ["articles/symptom-database-foot-drop.md changed"]
    banner = app.header_markdown(engine, stale)
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
