"""Shared fixtures: the real bundled model, loaded once, real indexes built from the real corpus,
the real app on a free port, and headless Chromium."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from qa.embed import OFFLINE_ENV

os.environ.update(OFFLINE_ENV)  # the test run is a program too: offline before the model library loads
# the ONNX export is made once per test run in a folder of its own, not in the user's cache (which
# may be read-only in CI); the app servers the tests start inherit it
_CACHE = tempfile.mkdtemp(prefix="quoteqa-test-cache-")
os.environ["QUOTEQA_CACHE"] = _CACHE


def pytest_unconfigure(config):
    shutil.rmtree(_CACHE, ignore_errors=True)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
COVIDQA = ROOT.parent / "shared" / "benchmarks" / "covidqa"  # CI clones with ../shared beside the checkout


def require_covidqa() -> Path:
    """The outside benchmark's folder; a failure in CI when it is missing, a skip elsewhere."""
    if not (COVIDQA / "questions-dev.jsonl").is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{COVIDQA} is missing: CI runs with ../shared beside the clone")
        pytest.skip("the COVID-QA benchmark (../shared/benchmarks/covidqa) is not beside this checkout")
    return COVIDQA


@pytest.fixture(scope="session")
def embedder():
    """The query encoder an index is built for by default: the bundled model on onnxruntime."""
    from qa.onnx_encoder import OnnxEmbedder, exported

    return OnnxEmbedder(exported())


@pytest.fixture(scope="session")
def torch_embedder():
    """The same model through sentence-transformers on PyTorch (`--encoder torch`)."""
    from qa.embed import Embedder

    return Embedder()


@pytest.fixture(scope="session")
def built_index(tmp_path_factory, embedder) -> Path:
    """An index of the real corpus, built once per test session. Treat it as read-only."""
    from ingest import build_index

    index = tmp_path_factory.mktemp("index")
    build_index(CORPUS, index, quiet=True, embedder_factory=lambda: embedder)
    return index


@pytest.fixture(scope="session")
def engine(built_index, embedder):
    from qa import Engine
    from qa.index import load_store

    return Engine(load_store(built_index, model_sha256=embedder.sha256, dim=embedder.dim), embedder)


# An article on another subject, with front-matter tags: a question can be scoped to it by id or by
# tag, and a foot-drop question asked of it alone is not answered (tests/test_scope.py, test_api.py).
HYGIENE_ID = "hand-hygiene-ward-3"
HYGIENE = """---
title: Hand hygiene on the ward
publisher: Ward 3 infection control team
tags: [infection control, ward 3, protocol]
---

## When to clean hands

Staff clean their hands before touching a patient and before a clean or aseptic procedure.
Hands are cleaned again after exposure to body fluids, after touching a patient and after touching the patient's surroundings.

## How to clean hands

An alcohol-based hand rub is used when hands are not visibly soiled; rubbing covers every surface of both hands and takes 20 to 30 seconds.
Hands that are visibly soiled are washed with soap and water for 40 to 60 seconds and dried with a single-use towel.
"""


@pytest.fixture(scope="session")
def tagged_corpus(tmp_path_factory) -> Path:
    """The real corpus plus one tagged article on hand hygiene (`HYGIENE_ID`). Read-only."""
    dest = tmp_path_factory.mktemp("tagged") / "corpus"
    shutil.copytree(CORPUS, dest)
    (dest / "articles" / f"{HYGIENE_ID}.md").write_text(HYGIENE, encoding="utf-8")
    return dest


@pytest.fixture(scope="session")
def tagged_index(tagged_corpus, tmp_path_factory, embedder) -> Path:
    """An index of `tagged_corpus`, built once per test session. Treat it as read-only."""
    from ingest import build_index

    index = tmp_path_factory.mktemp("tagged-index")
    build_index(tagged_corpus, index, quiet=True, embedder_factory=lambda: embedder)
    return index


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest)
    return dest


@pytest.fixture
def index_copy(tmp_path, built_index) -> Path:
    """A private copy of the built index that a test may damage."""
    dest = tmp_path / "index"
    shutil.copytree(built_index, dest, symlinks=True)
    return dest


@pytest.fixture
def build(embedder):
    """Build an index with the session's model: build(corpus_dir, index_dir, **kwargs)."""
    from ingest import build_index

    def run(corpus: Path, index: Path, **kwargs):
        kwargs.setdefault("embedder_factory", lambda: embedder)
        return build_index(corpus, index, quiet=True, **kwargs)

    return run


# -- the app and the browser ----------------------------------------------------------------------

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


@contextlib.contextmanager
def open_page(browser, url: str, size: tuple[int, int] = (1280, 800)):
    """A new browser tab (its own context: its own Gradio session) on the chat, ready to ask.
    It records the URLs it requests and the dialogs it dismisses."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, accept_downloads=True)
    try:
        page = context.new_page()
        page.requests, page.dialogs = [], []
        page.on("request", lambda r: page.requests.append(r.url))
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        page.goto(url)
        page.wait_for_selector("#qqa-question textarea")
        yield page
    finally:
        context.close()


def ask(page, question: str, button: bool = False) -> str:
    """Type a question, press Enter (or the Ask button), return the text of the new answer."""
    before = page.locator("#qqa-chat .qqa-turn").count()
    page.fill("#qqa-question textarea", question)
    if button:
        page.locator("#qqa-ask").click()
    else:
        page.keyboard.press("Enter")
    page.wait_for_function(
        "([n, d]) => { const m = document.querySelectorAll('#qqa-chat .qqa-turn');"
        " return m.length > n && m[m.length - 1].innerText.includes(d); }",
        arg=[before, DISCLAIMER_START], timeout=60_000)
    return page.locator("#qqa-chat .qqa-turn").last.inner_text()


def serious_axe_violations(page) -> list[tuple[str, str, list]]:
    """axe-core's serious and critical findings on the page once it is still: (rule, impact, targets).

    Gradio dims a component (`.pending`) while an event may still update it, then fades it back
    in over 0.15 s; axe run during either measures the contrast of half-transparent text, so this
    waits until nothing is pending and no CSS transition or animation is running."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_function("() => !document.querySelector('.pending')"
                           " && document.getAnimations().every(a => a.playState !== 'running')", timeout=10_000)
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in Axe().run(page).response["violations"]
            if v["impact"] in ("serious", "critical")]


# -- hand-made answers ------------------------------------------------------------------------------

def quote_from(article, text: str, number: int = 1, **fields):
    """A `qa.Quote` of `text` where it stands in `article` (a `qa.index.Article`), cited as [number]."""
    from qa import Quote

    start = article.text.index(text)
    return Quote(number=number, text=text, lead_in=None, article_id=article.id, article_title=article.title,
                 section=(), chunk_id=f"{article.id}-hand-made", start=start, end=start + len(text), score=1.0,
                 references=(), **fields)


def answer_of(question: str, quotes=(), status: str = "answered", **fields):
    """A `qa.Answer` to `question` made by hand: the given quotes, one source per cited number."""
    from qa import Answer, Source

    sources = tuple(Source(number=q.number, article_id=q.article_id, title=q.article_title, publisher=None,
                           author=None, section=q.section, last_updated=None, review_status=None, url=None,
                           references=()) for q in {q.number: q for q in quotes}.values())
    fields.setdefault("disclaimer", f"{DISCLAIMER_START}. Quotes are not advice.")
    fields.setdefault("message", None if quotes else "The indexed articles do not answer this question.")
    return Answer(question=question, query=question, status=status, quotes=tuple(quotes), sources=sources,
                  passages=(), **fields)
