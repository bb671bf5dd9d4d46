"""A stop, as systemd sends it (SIGTERM on `systemctl stop` or `restart`), lets the answers in flight
finish, then the app exits with status 0 and no traceback in its log; a restart loses no feedback
line and leaves none cut in half. The real app, started as a process, and real requests."""

from __future__ import annotations

import http.client
import json
import signal
import socket
import subprocess
import time

import pytest

from tests.conftest import DISCLAIMER_START, ask, open_page, start_app

STOP_BOUND_S = 30  # behaviour, not speed: the app gives answers in flight 10 s, then exits
QUESTIONS = ("What brace is used for foot drop?", "Is foot drop permanent?", "What causes foot drop?")


def _held_call(port: int, question: str) -> tuple[socket.socket, bytes]:
    """A `POST /api/v1/ask` the server has begun and that waits for its body: the headers are sent
    with `Expect: 100-continue`, and uvicorn answers `100 Continue` only when the API reads the body."""
    body = json.dumps({"question": question}).encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    sock.sendall((f"POST /api/v1/ask HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n").encode())
    seen = b""
    while not seen.endswith(b"\r\n\r\n"):
        chunk = sock.recv(1)
        assert chunk, f"the server closed the call before answering 100 Continue: {seen!r}"
        seen += chunk
    assert seen.startswith(b"HTTP/1.1 100"), seen
    return sock, body


def _finish(sock: socket.socket, body: bytes) -> tuple[int, dict]:
    sock.sendall(body)
    response = http.client.HTTPResponse(sock)
    response.begin()
    status, data = response.status, json.loads(response.read())
    sock.close()
    return status, data


def _refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


def _wait_until_stopping(proc: subprocess.Popen, port: int) -> None:
    """The stop has begun when the server no longer takes connections (a state, polled)."""
    for _ in range(STOP_BOUND_S * 10):
        if _refuses_connections(port) or proc.poll() is not None:
            return
        time.sleep(0.1)
    raise AssertionError(f"the app still takes connections {STOP_BOUND_S} s after SIGTERM")


def _stopped_cleanly(proc: subprocess.Popen, log_path) -> list[dict]:
    """Waits for the exit; asserts status 0 and a log without a traceback or an error; the log's JSON lines."""
    try:
        code = proc.wait(timeout=STOP_BOUND_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError(f"the app did not exit within {STOP_BOUND_S} s of SIGTERM:\n{log_path.read_text()}")
    log = log_path.read_text()
    assert code == 0, log
    assert "Traceback" not in log, log
    records = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert not [r for r in records if r["level"] in ("error", "critical")], log  # e.g. uvicorn's "Cancel 1 running task"
    said = [r["message"] for r in records if r["logger"] == "quoteqa.server"]
    assert said[0].startswith("stopping:") and said[-1] == "stopped" and len(said) == 2, said  # nothing left unfinished
    return records


def test_sigterm_answers_the_calls_in_flight_then_exits_0_without_a_traceback(built_index, tmp_path):
    proc, url = start_app(built_index, tmp_path)
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    try:
        tab = http.client.HTTPConnection("127.0.0.1", port, timeout=60)  # an open tab's heartbeat stream
        tab.request("GET", "/gradio_api/heartbeat/shutdown-test-tab")
        heartbeat = tab.getresponse()
        assert heartbeat.status == 200 and heartbeat.readline().startswith(b"data: ALIVE")
        held = [_held_call(port, question) for question in QUESTIONS]

        proc.send_signal(signal.SIGTERM)
        _wait_until_stopping(proc, port)
        answers = [_finish(sock, body) for sock, body in held]  # each is answered while the app stops
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    records = _stopped_cleanly(proc, tmp_path / f"app-{port}.log")

    assert [status for status, _ in answers] == [200] * len(QUESTIONS)
    assert [a["status"] for _, a in answers] == ["answered"] * len(QUESTIONS)
    assert all(a["question"] == q and DISCLAIMER_START in a["disclaimer"] for (_, a), q in zip(answers, QUESTIONS))
    assert [r["status"] for r in records if r.get("route") == "/api/v1/ask"] == [200] * len(QUESTIONS)
    assert heartbeat.read().strip() == b""  # the tab's stream ended with the stop (had it been cancelled, the log says so)


def _press(page, question: str, button: str) -> None:
    """Ask, then press Helpful / Not helpful; returns once the press has reached the server's queue."""
    ask(page, question)
    with page.expect_response(lambda r: "/queue/join" in r.url):
        page.locator("#qqa-chat .qqa-turn").last.get_by_role("button", name=button, exact=True).click()


@pytest.mark.browser
def test_a_restart_loses_no_feedback_line_and_cuts_none(browser, built_index, tmp_path):
    """Like `systemctl restart`: a thumbs press on its way to the file, SIGTERM, a new process on
    the same feedback file, another press, SIGTERM again. Every press is a whole line of the file."""
    feedback = tmp_path / "feedback.jsonl"  # start_app's --feedback: the same file for both processes
    pressed = []
    for question, button, rating in [(QUESTIONS[0], "Helpful", "up"), (QUESTIONS[1], "Not helpful", "down")]:
        proc, url = start_app(built_index, tmp_path)
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        try:
            with open_page(browser, url) as page:
                _press(page, question, button)
                proc.send_signal(signal.SIGTERM)  # at once: the press may still be in the queue
                _stopped_cleanly(proc, tmp_path / f"app-{port}.log")
        finally:
            if proc.poll() is None:
                proc.kill()
        pressed.append((question, rating))

    data = feedback.read_bytes()
    assert data.endswith(b"\n")
    records = [json.loads(line) for line in data.decode("utf-8").splitlines()]  # only whole JSON lines
    assert [(r["question"], r["rating"]) for r in records] == pressed
