"""Two replicas of the app over one index, behind a small reverse proxy that sends each request to
the next replica (no sticky sessions), as hospital IT runs them (docs/deploy.md): a conversation
goes on across replicas, a rebuild moves both to the new build, a replica killed in the middle
costs no answer, and replicas appending feedback to one file never cut each other's lines."""

from __future__ import annotations

import http.client
import itertools
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from tests.conftest import ROOT, start_app, stop

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization",
              "proxy-authenticate", "content-length"}


class RoundRobinProxy(ThreadingHTTPServer):
    """Forwards each request to the next backend; one that refuses the connection is skipped (the
    request goes to the next), as a proxy's health check would. Says which replica answered."""

    daemon_threads = True

    def __init__(self, backends: list[str]):
        self.backends = [urlsplit(b) for b in backends]
        self._next = itertools.cycle(range(len(backends)))
        self._lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Forward)

    def order(self) -> list[int]:
        with self._lock:
            first = next(self._next)
        return [(first + k) % len(self.backends) for k in range(len(self.backends))]


class _Forward(BaseHTTPRequestHandler):
    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        for k in self.server.order():
            backend = self.server.backends[k]
            conn = http.client.HTTPConnection(backend.hostname, backend.port, timeout=120)
            try:
                conn.request(self.command, self.path, body=body or None, headers=headers)
                reply = conn.getresponse()
                data = reply.read()
            except (ConnectionError, http.client.HTTPException, OSError):
                continue  # a replica that is down: the next one
            finally:
                conn.close()
            self.send_response(reply.status)
            for name, value in reply.getheaders():
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("x-replica", str(k))
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.send_error(502, "no replica answered")

    do_GET = do_POST = _forward

    def log_message(self, *args) -> None:  # quiet
        pass


def _ask(base: str, question: str, history: list[str]) -> tuple[dict, str]:
    request = urllib.request.Request(base + "api/v1/ask", data=json.dumps({"question": question, "history": history})
                                     .encode(), headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as reply:
        return json.loads(reply.read()), reply.headers["x-replica"]


def _ready_build(url: str) -> str:
    """The build a replica serves once it is ready ("" while it loads a rebuild: 503)."""
    try:
        with urllib.request.urlopen(url + "readyz", timeout=10) as reply:
            return json.loads(reply.read())["index_build"]
    except urllib.error.HTTPError as exc:
        assert exc.code == 503, exc
        return ""


@pytest.mark.slow
def test_two_replicas_behind_a_proxy_keep_conversations_through_a_rebuild_and_a_kill(corpus_copy, tmp_path, build):
    index = tmp_path / "index"
    old = build(corpus_copy, index).manifest.digest
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    replicas = [start_app(index, tmp_path / name, corpus=corpus_copy) for name in ("a", "b")]
    proxy = RoundRobinProxy([url for _, url in replicas])
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{proxy.server_address[1]}/"
    try:
        first, one = _ask(base, "What brace is used for foot drop?", [])
        then, other = _ask(base, "Is it custom-made?", ["What brace is used for foot drop?"])
        assert {one, other} == {"0", "1"}  # the follow-up went to the other replica ...
        assert first["status"] == then["status"] == "answered" and then["followup"]  # ... and was read as one
        assert first["index_build"] == then["index_build"] == old

        article = corpus_copy / "articles" / "symptom-database-foot-drop.md"
        article.write_text(article.read_text(encoding="utf-8").replace("Foot pain or cramping", "Foot pain"),
                           encoding="utf-8")
        new = build(corpus_copy, index).manifest.digest
        deadline = time.monotonic() + 120
        while {_ready_build(url) for _, url in replicas} != {new} and time.monotonic() < deadline:
            time.sleep(0.5)
        assert {_ready_build(url) for _, url in replicas} == {new}  # both moved to the rebuild

        replicas[0][0].kill()
        replicas[0][0].wait(timeout=30)
        history = ["What brace is used for foot drop?"]
        for question in ("Is it custom-made?", "How long is it worn?", "What are the symptoms of foot drop?",
                         "What causes it?"):
            answer, replica = _ask(base, question, history)
            assert replica == "1" and answer["status"] in ("answered", "abstained") and answer["index_build"] == new
            assert answer["disclaimer"]
            history.append(question)
    finally:
        proxy.shutdown()
        for proc, _ in replicas:
            stop(proc)


APPEND = """
import sys
sys.path.insert(0, {root!r})
from serving import append_line
for k in range(300):
    append_line({path!r}, {{"writer": {writer}, "k": k, "text": "x" * (k * 37 % 9000)}})
"""


def test_replicas_appending_feedback_to_one_file_write_whole_lines(tmp_path):
    path = tmp_path / "feedback.jsonl"
    writers = [subprocess.Popen([sys.executable, "-c", APPEND.format(root=str(ROOT), path=str(path), writer=w)])
               for w in range(3)]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0]
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert sorted((r["writer"], r["k"]) for r in lines) == [(w, k) for w in range(3) for k in range(300)]
