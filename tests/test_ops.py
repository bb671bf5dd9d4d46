"""What hospital IT sees of a running app: one startup line, JSON logs without patient data,
Prometheus metrics that match the requests made."""

from __future__ import annotations

import base64
import json
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import CORPUS, running_app

MARKER = "Zyxwvutsr"  # a name typed into questions: it must not reach the log


def post_ask(url: str, body: dict) -> int:
    request = urllib.request.Request(url + "api/v1/ask", data=json.dumps(body).encode(), method="POST",
                                     headers={"content-type": "application/json", "x-request-id": "ops-test-1"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.headers["x-request-id"] == "ops-test-1"
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def gradio_ask(url: str, question: str, history: list[str] = ()) -> dict:
    from gradio_client import Client

    return Client(url, verbose=False).predict(question, list(history), api_name="/ask")


def scrape(url: str, headers: dict | None = None) -> dict:
    """(metric name, labels as a sorted tuple) -> value, through the Prometheus text parser."""
    from prometheus_client.parser import text_string_to_metric_families

    request = urllib.request.Request(url + "metrics", headers=headers or {})
    text = urllib.request.urlopen(request, timeout=10).read().decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def log_lines(tmp) -> list[str]:
    [log] = list(tmp.glob("app-*.log"))
    return [line for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_console_has_one_startup_line_and_json_logs_without_the_questions(built_index, tmp_path):
    with running_app(built_index, tmp_path) as url:
        said = [f"Mrs {MARKER} has foot drop after knee surgery. What is foot drop?"]  # in the history ...
        assert post_ask(url, {"question": "What brace is used for it?", "history": said}) == 200
        assert post_ask(url, {"question": f"What is foot drop, {MARKER}?", "history": 3}) == 422  # ... the question
        assert gradio_ask(url, "Can it be permanent?", said)["status"] == "answered"
        time.sleep(0.5)  # the last request's line is written as its stream closes
    first, *rest = log_lines(tmp_path)
    assert first.startswith("QuoteQA is serving on http://127.0.0.1:") and "index build " in first and "2 articles" in first
    records = [json.loads(line) for line in rest]  # every other line is one JSON object
    assert not any(MARKER in line for line in rest), "a question reached the log"
    chatter = [r for r in records if r["logger"].startswith(("faiss", "httpx", "uvicorn", "gradio"))
               and r["level"] in ("debug", "info")]
    assert not chatter, chatter
    asks = [r for r in records if r.get("route") == "/api/v1/ask"]
    assert [(r["status"], r["answer_status"], r["request_id"]) for r in asks] == [
        (200, "answered", "ops-test-1"), (422, "invalid", "ops-test-1")]
    assert asks[0]["quotes"] > 0 and len(asks[0]["index_build"]) == 16 and asks[0]["ms"] > 0
    answers = [r for r in records if r.get("event") == "answer"]
    assert [(r["via"], r["answer_status"]) for r in answers] == [("gradio-api", "answered")]


def test_with_log_questions_the_question_is_logged_for_debugging(built_index, tmp_path):
    with running_app(built_index, tmp_path, extra=["--log-questions"]) as url:
        gradio_ask(url, f"Can foot drop be permanent, {MARKER}?")
    answers = [json.loads(line) for line in log_lines(tmp_path)[1:] if '"event": "answer"' in line]
    assert answers[0]["question"] == f"Can foot drop be permanent, {MARKER}?"


def test_metrics_parse_and_count_the_requests_made_and_a_rebuild(index_copy, tmp_path, build):
    with running_app(index_copy, tmp_path) as url:
        before = json.loads(urllib.request.urlopen(url + "readyz", timeout=10).read())["index_build"]
        statuses = [post_ask(url, {"question": q}) for q in
                    ("What brace is used for foot drop?", "How is foot drop diagnosed?", "")]
        assert statuses == [200, 200, 422]
        gradio_ask(url, "Can foot drop be permanent?")
        for _ in range(2):
            urllib.request.urlopen(url + "healthz", timeout=10)
        m = scrape(url)
        assert m[("quoteqa_http_requests_total", (("route", "/api/v1/ask"), ("status", "200")))] == 2
        assert m[("quoteqa_http_requests_total", (("route", "/api/v1/ask"), ("status", "422")))] == 1
        assert m[("quoteqa_http_requests_total", (("route", "/healthz"), ("status", "200")))] == 2
        assert m[("quoteqa_http_request_seconds_count", (("route", "/api/v1/ask"),))] == 3
        assert m[("quoteqa_answers_total", (("status", "answered"), ("via", "api")))] == 2
        assert m[("quoteqa_answers_total", (("status", "invalid"), ("via", "api")))] == 1
        assert m[("quoteqa_answers_total", (("status", "answered"), ("via", "gradio-api")))] == 1
        assert m[("quoteqa_index_info", (("articles", "2"), ("build", before)))] == 1
        assert m[("quoteqa_index_reloads_total", (("result", "switched"),))] == 0
        assert m[("quoteqa_queue_depth", ())] == 0

        build(CORPUS, index_copy, force=True)
        ready = {}
        for _ in range(100):  # /readyz makes the app look at `current` and is 503 while the new build loads
            try:
                ready = json.loads(urllib.request.urlopen(url + "readyz", timeout=10).read())
            except urllib.error.HTTPError as exc:
                assert exc.code == 503
            if ready.get("index_build") not in (None, before):
                break
            time.sleep(0.2)
        m = scrape(url)
        assert m[("quoteqa_index_reloads_total", (("result", "switched"),))] == 1
        assert m[("quoteqa_index_info", (("articles", "2"), ("build", ready["index_build"])))] == 1


def test_with_a_login_metrics_ask_for_credentials(built_index, tmp_path):
    launcher = ["env", "QUOTEQA_AUTH=ops:ops-password", sys.executable]
    with running_app(built_index, tmp_path, launcher=launcher) as url:
        with pytest.raises(urllib.error.HTTPError) as denied:
            scrape(url)
        assert denied.value.code == 401
        m = scrape(url, {"authorization": "Basic " + base64.b64encode(b"ops:ops-password").decode()})
        assert ("quoteqa_queue_depth", ()) in m
