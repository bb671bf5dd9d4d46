"""The outside review's findings (issue 14), each checked against the real app over HTTP where it
is about the server: private per-session exports, per-call checks in the batched /ask, the body
cap, security headers and the CORS allow-list, login throttling, bounded session state, stream
caps, the disclaimer on errors; and, below the server, the manifest's checksum, whole-line
feedback writes and the cleanup of killed builds. Loopback only; every loop is bounded."""

from __future__ import annotations

import http.client
import hashlib
import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.conftest import DISCLAIMER_START, running_app

MAIN_SESSIONS = 30  # the main server keeps this many sessions' state (app.py --sessions)
PASSWORD = "right-pass-7"


# -- a small client of Gradio's queue protocol (what the browser speaks) ---------------------------

class Page:
    """One browser session of the chat, without the browser: join events, read their results."""

    def __init__(self, url: str, config: dict):
        self.url, self.config, self.session = url, config, uuid.uuid4().hex[:12]
        self.asked: list[str] = []  # the questions the page holds, as the browser does (app.py "asked")

    def fn(self, elem_id: str, trigger: str) -> tuple[int, int]:
        ids = {c["id"] for c in self.config["components"] if c.get("props", {}).get("elem_id") == elem_id}
        for i, dep in enumerate(self.config["dependencies"]):
            if any(t[0] in ids and t[1] == trigger for t in dep["targets"]):
                return i, next(t[0] for t in dep["targets"] if t[0] in ids)
        raise AssertionError(f"no {trigger} event on #{elem_id}")

    def event(self, elem_id: str, trigger: str, data: list, event_data=None) -> list[dict]:
        """Run one event to completion; returns the stream's messages for it (the last is the result)."""
        fn_index, trigger_id = self.fn(elem_id, trigger)
        body = {"data": data, "fn_index": fn_index, "trigger_id": trigger_id, "session_hash": self.session,
                "event_data": event_data}
        joined = post_json(self.url + "gradio_api/queue/join", body)
        event_id = joined["event_id"]
        messages = []
        with urllib.request.urlopen(self.url + f"gradio_api/queue/data?session_hash={self.session}",
                                    timeout=60) as stream:
            for raw in stream:
                line = raw.decode().strip()
                if not line.startswith("data:"):
                    continue
                msg = json.loads(line[5:])
                if msg.get("event_id") == event_id:
                    messages.append(msg)
                    if msg.get("msg") == "process_completed":
                        return messages
        raise AssertionError(f"event {event_id} did not complete: {messages}")

    def ask(self, question: str) -> dict:
        result = self.event("qqa-question", "submit", [question, None, None, self.asked, []])[-1]
        if result.get("success"):
            self.asked = result["output"]["data"][-1]
        return result

    def conversation(self, result: dict) -> str:
        """The conversation's HTML from an event's result."""
        return result["output"]["data"][1]

    def export(self) -> dict | None:
        """The export's FileData (path on the server, URL), or None when nothing was asked."""
        result = self.event("qqa-export", "click", [None, self.asked])[-1]
        return result["output"]["data"][0]["value"]


def post_json(url: str, body, headers: dict | None = None) -> dict:
    req = urllib.request.Request(url, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def status_of(url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def api_ask(url: str, question, history) -> dict:
    event = post_json(url + "gradio_api/call/ask", {"data": [question, history]})["event_id"]
    with urllib.request.urlopen(url + f"gradio_api/call/ask/{event}", timeout=60) as stream:
        text = stream.read().decode()
    data = [line[5:] for line in text.splitlines() if line.startswith("data:")][-1]
    assert "event: complete" in text, text[:500]
    return json.loads(data)[0]


# -- servers ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def app_tmp(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hardening")


@pytest.fixture(scope="module")
def server(built_index, app_tmp):
    """The app with its temporary files under app_tmp/tmp (to look at them), feedback going to a
    full disk (/dev/full), a queue long enough for the concurrent sessions, and few sessions kept."""
    tmpdir = app_tmp / "tmp"
    tmpdir.mkdir()
    launcher = ["env", f"TMPDIR={tmpdir}", sys.executable]
    with running_app(built_index, app_tmp, launcher=launcher,
                     extra=["--feedback", "/dev/full", "--queue-size", "200",
                            "--sessions", str(MAIN_SESSIONS)]) as url:
        yield url, tmpdir, json.loads(urllib.request.urlopen(url + "config", timeout=10).read())


@pytest.fixture(scope="module")
def guarded_server(built_index, app_tmp):
    """The app with a login and one allowed origin."""
    launcher = ["env", f"QUOTEQA_AUTH=clin:{PASSWORD}", "QUOTEQA_ALLOWED_ORIGINS=https://portal.hospital.example",
                sys.executable]
    with running_app(built_index, app_tmp, launcher=launcher) as url:
        yield url


# -- HIGH ---------------------------------------------------------------------------------------------

def test_concurrent_exports_each_get_their_own_conversation(server):
    url, tmpdir, config = server
    pages = [Page(url, config) for _ in range(24)]
    questions = {p.session: f"Does FES help foot drop in case {k} of ours?" for k, p in enumerate(pages)}
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda p: p.ask(questions[p.session]), pages))
        files = list(pool.map(lambda p: p.export(), pages))
    for page, file in zip(pages, files):
        text = urllib.request.urlopen(file["url"], timeout=10).read().decode()
        others = [q for s, q in questions.items() if s != page.session and q in text]
        assert questions[page.session] in text and not others, (page.session, others)
        assert os.stat(file["path"]).st_mode & 0o077 == 0, "the served copy is readable by other users"
    for page in pages:  # one private folder per session, holding that session's one export
        folder = hashlib.sha256(page.session.encode()).hexdigest()[:32]
        exports = list(tmpdir.glob(f"quoteqa-export-*/{folder}/*/*.md"))
        assert len(exports) == 1 and questions[page.session] in exports[0].read_text(encoding="utf-8")
        assert exports[0].stat().st_mode & 0o077 == 0 and exports[0].parent.stat().st_mode & 0o077 == 0
        assert exports[0].parent.parent.stat().st_mode & 0o077 == 0 and exports[0].name.startswith("quoteqa-does-fes")


def test_an_export_is_deleted_when_its_session_ends(server):
    url, tmpdir, config = server
    page = Page(url, config)
    page.ask("What brace is used for foot drop?")
    before = set(tmpdir.glob("quoteqa-export-*/*/*/*.md"))
    page.export()
    mine = set(tmpdir.glob("quoteqa-export-*/*/*/*.md")) - before
    assert len(mine) == 1
    # the tab's heartbeat connection closing is what ends a session
    conn = http.client.HTTPConnection(urllib.parse.urlparse(url).netloc, timeout=10)
    conn.request("GET", f"/gradio_api/heartbeat/{page.session}")
    assert conn.getresponse().status == 200
    conn.close()
    for _ in range(100):
        if not any(p.exists() for p in mine):
            break
        threading.Event().wait(0.1)
    assert not any(p.exists() for p in mine), "the export outlived its session"


BAD_CALLS = [
    ("Can it be bought off the shelf?", "What brace is used for foot drop?"),  # a string, not a list
    (12345, []),
    ("What brace is used for foot drop?", {"q": "x"}),
    ("What brace is used for foot drop?", [1, 2]),
    ("What brace is used for foot drop?", ["earlier question"] * 51),
]
GOOD_CALLS = [("What brace is used for foot drop?", []),
              ("Can it be bought off the shelf?", ["What brace is used for foot drop?"]),
              ("What is the capital of France?", None)]


def test_a_bad_call_in_a_batch_gets_invalid_and_spoils_none(server, engine):
    url, _, _ = server
    calls = (BAD_CALLS + GOOD_CALLS) * 4
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda c: api_ask(url, *c), calls))
    for (question, history), result in zip(calls, results):
        assert result["markdown"].rstrip("*\n ").endswith("only a small, curated set of articles is searched.")
        assert result["disclaimer"].startswith(DISCLAIMER_START)
        if (question, history) in BAD_CALLS:
            assert result["status"] == "invalid" and result["message"], result
            assert not result["quotes"] and not result["followup"]
        else:
            direct = engine.ask(question, history or [])
            assert result["status"] == direct.status
            assert [q["text"] for q in result["quotes"]] == [q.text for q in direct.quotes]


# -- MEDIUM -------------------------------------------------------------------------------------------

def test_request_bodies_over_the_cap_get_413_and_the_server_carries_on(server):
    url, _, _ = server
    history = ["foot drop " * 100] * 1100  # ~1.1 MB of JSON
    body = json.dumps({"data": ["What brace is used for foot drop?", history]}).encode()
    status, _, reply = status_of(url + "gradio_api/call/ask", body, {"Content-Type": "application/json"})
    assert status == 413 and b"1,048,576 bytes" in reply and DISCLAIMER_START.encode() in reply
    # without a declared length (chunked), the body is counted as it arrives
    host = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    conn.request("POST", "/gradio_api/call/ask", body=iter([body[i:i + 65536] for i in range(0, len(body), 65536)]),
                 headers={"Content-Type": "application/json"}, encode_chunked=True)
    response = conn.getresponse()
    assert response.status == 413 and DISCLAIMER_START.encode() in response.read()
    conn.close()
    # a huge declared length is refused before any of the body is read
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    conn.putrequest("POST", "/gradio_api/call/ask")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(200 * 1024 * 1024))
    conn.endheaders()
    assert conn.getresponse().status == 413
    conn.close()
    assert api_ask(url, "What brace is used for foot drop?", [])["status"] == "answered"


def test_security_headers_and_no_foreign_origin_echoed(server, guarded_server):
    url, _, _ = server
    for path in ("", "config", "gradio_api/info", "no-such-page"):
        status, headers, _ = status_of(url + path, headers={"Host": "quoteqa.hospital.example",
                                                            "Origin": "https://evil.example"})
        lower = {k.lower(): v for k, v in headers.items()}
        assert lower.get("x-frame-options") == "DENY", (path, status)
        assert "frame-ancestors 'none'" in lower.get("content-security-policy", "")
        assert lower.get("x-content-type-options") == "nosniff" and lower.get("referrer-policy") == "no-referrer"
        assert "access-control-allow-origin" not in lower, (path, lower)
    _, headers, _ = status_of(guarded_server + "config", headers={"Host": "quoteqa.hospital.example",
                                                                  "Origin": "https://portal.hospital.example"})
    lower = {k.lower(): v for k, v in headers.items()}
    assert lower.get("access-control-allow-origin") == "https://portal.hospital.example"
    _, headers, _ = status_of(guarded_server + "config", headers={"Host": "quoteqa.hospital.example",
                                                                  "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in {k.lower() for k in headers}


def login(url: str, user: str, password: str) -> int:
    body = urllib.parse.urlencode({"username": user, "password": password}).encode()
    return status_of(url + "login", body, {"Content-Type": "application/x-www-form-urlencoded"})[0]


def test_twenty_failed_logins_lock_the_client_out_even_with_the_right_password(guarded_server, app_tmp):
    assert login(guarded_server, "clin", PASSWORD) == 200
    wrong = [f"guess-{k}-zq" for k in range(20)]
    assert [login(guarded_server, "clin", w) for w in wrong] == [400] * 20
    assert login(guarded_server, "clin", PASSWORD) == 429
    status, headers, body = status_of(guarded_server + "login", urllib.parse.urlencode(
        {"username": "clin", "password": PASSWORD}).encode(), {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 429 and int(headers.get("retry-after", headers.get("Retry-After", 0))) > 0
    assert DISCLAIMER_START.encode() in body
    port = urllib.parse.urlparse(guarded_server).port
    log = (app_tmp / f"app-{port}.log").read_text()
    assert "login throttled" in log and "'clin'" in log
    assert PASSWORD not in log and not [w for w in wrong if w in log], "a password reached the log"


def test_session_state_is_bounded_and_a_dropped_conversation_comes_back(server, app_tmp):
    """Past --sessions, the oldest session's state is dropped (memory stays bounded). Its page
    still holds the questions asked, and they bring the conversation back; a page that sends none
    has nothing to export, which shows the server really let the state go."""
    url, _, config = server
    first = Page(url, config)
    first.ask("What brace is used for foot drop in the oldest session?")
    assert "the oldest session" in urllib.request.urlopen(first.export()["url"], timeout=10).read().decode()
    newer = [Page(url, config) for _ in range(MAIN_SESSIONS + 2)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda p: p.ask("Does FES help foot drop?"), newer))

    forgetful = Page(url, config)
    forgetful.session, forgetful.asked = first.session, []
    assert forgetful.export() is None  # no conversation left: no file

    follow = first.conversation(first.ask("Can it be bought off the shelf?"))
    assert follow.count("<article class='qqa-turn'") == 2, follow[:300]
    assert "the oldest session" in follow and "in the context of" in follow and "off-the-shelf" in follow
    assert follow.isascii() and "&#8220;" in follow  # kept per session: one byte a character, quotes as references
    assert first.asked == ["What brace is used for foot drop in the oldest session?", "Can it be bought off the shelf?"]
    log = (app_tmp / f"app-{urllib.parse.urlparse(url).port}.log").read_text()
    assert "restored a dropped session: asked its 1 earlier question(s) again" in log


def test_a_flipped_bit_in_the_manifest_is_refused_with_the_fix(index_copy):
    from qa.index import load_store
    from qa.errors import IndexCorruptError

    path = (index_copy / "current").resolve() / "manifest.json"
    original = path.read_bytes()
    for position in range(0, len(original), max(1, len(original) // 12)):
        flipped = bytearray(original)
        flipped[position] ^= 0x01
        path.write_bytes(bytes(flipped))
        with pytest.raises(IndexCorruptError, match=r"manifest.*python -m ingest --force"):
            load_store(index_copy)
    path.write_bytes(original)
    assert load_store(index_copy).manifest.counts["articles"] == 2
    (path.parent / "manifest.sha256").unlink()
    with pytest.raises(IndexCorruptError, match="manifest.sha256.*python -m ingest --force"):
        load_store(index_copy)


# -- LOW ----------------------------------------------------------------------------------------------

FILL_THE_FILE = """
import resource, signal, sys
sys.path.insert(0, {root!r})
from serving import append_line
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG, like a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))
failed = 0
for k in range(40):
    try:
        append_line({path!r}, {{"k": k, "text": "x" * (37 + k)}})
    except OSError:
        failed += 1
print(failed)
"""


def test_feedback_lines_are_whole_even_when_the_disk_fills(tmp_path):
    path = tmp_path / "feedback" / "feedback.jsonl"
    out = subprocess.run([sys.executable, "-c", FILL_THE_FILE.format(root=str(ROOT), path=str(path))],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    assert int(out) > 0, "the limit was never reached"
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n") and all(json.loads(line)["k"] >= 0 for line in text.splitlines())


def test_feedback_that_cannot_be_saved_says_so(server):
    url, _, config = server
    page = Page(url, config)
    page.ask("Does FES help foot drop?")
    # the thumbs inside an answer send one "click" event on the conversation (see Handlers.on_chat)
    messages = page.event("qqa-chat", "click", [None, None, page.asked, []], {"action": "rate", "turn": 0, "rating": "up"})
    warnings = [m for m in messages if m.get("msg") == "log" and m.get("level") == "warning"]
    assert warnings and "could not be saved" in warnings[0]["log"], messages
    assert DISCLAIMER_START in warnings[0]["log"]


def test_unfinished_builds_are_removed_on_a_run_with_nothing_to_do(index_copy, build):
    from tests.conftest import CORPUS

    leftover = index_copy / "builds" / "20260101T000000-dead00.tmp"
    leftover.mkdir()
    (leftover / "chunks.jsonl").write_text("half")
    assert build(CORPUS, index_copy).status == "up to date"
    assert not leftover.exists()


def test_open_streams_per_client_are_capped(server):
    url, _, _ = server
    host = urllib.parse.urlparse(url)
    conns, statuses = [], []
    try:
        for k in range(40):
            conn = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
            conn.request("GET", f"/gradio_api/heartbeat/cap-{k}")
            response = conn.getresponse()
            statuses.append(response.status)
            conns.append((conn, response))
        assert statuses.count(200) == 32 and statuses.count(429) == 8, statuses
    finally:
        for conn, _ in conns:
            conn.close()
    for _ in range(50):  # the server notices the closed connections and frees the slots
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
        conn.request("GET", "/gradio_api/heartbeat/after")
        status = conn.getresponse().status
        conn.close()
        if status == 200:
            break
        threading.Event().wait(0.1)
    assert status == 200


def test_errors_carry_the_disclaimer(server):
    url, _, _ = server
    for path, data in [("no-such-page", None), ("gradio_api/call/no-such-api", b"{}"),
                       ("gradio_api/queue/join", b"not json")]:
        status, _, body = status_of(url + path, data, {"Content-Type": "application/json"} if data else {})
        assert status >= 400 and DISCLAIMER_START.encode() in body, (path, status, body[:200])


def test_health_and_readiness_for_a_proxy(server, engine):
    """A proxy or an orchestrator asks whether the process answers and whether it is ready."""
    url = server[0].rstrip("/")
    with urllib.request.urlopen(f"{url}/healthz", timeout=10) as response:
        assert response.status == 200 and json.loads(response.read()) == {"status": "ok"}
    with urllib.request.urlopen(f"{url}/readyz", timeout=10) as response:
        ready = json.loads(response.read())
    assert response.status == 200 and ready["ready"] is True
    assert ready == {"ready": True, "index_build": engine.index_build}


def test_readiness_is_503_while_a_rebuilt_index_loads():
    import gradio as gr
    from fastapi.testclient import TestClient

    from serving.guards import GuardSettings
    from serving.server import make_app

    with gr.Blocks() as demo:
        gr.Markdown("QuoteQA")
    state = {"ready": False, "reason": "loading a rebuilt index"}
    client = TestClient(make_app(demo, GuardSettings(), ready=lambda: state))
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["reason"] == "loading a rebuilt index"
    assert client.get("/healthz").status_code == 200  # alive all the same
    state.update(ready=True)
    assert client.get("/readyz").status_code == 200
