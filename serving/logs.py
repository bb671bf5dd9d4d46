"""Logs an operator can read and a log pipeline can parse: one JSON object a line, on stderr.

- `RequestLog` (ASGI middleware): one line per HTTP request -- time, request id (the client's
  `X-Request-ID` when it is a plain token, else a new one; sent back in the response), method,
  route (the path's template: `/gradio_api/queue/data`, never a query string), status, latency,
  and what a route adds (`annotate`: the JSON API adds the index build, the answer's status and
  its number of quotes).
- `log_answer`: one line per answer given through Gradio's queue (the chat and Gradio's `/ask`),
  whose HTTP requests return before the answer exists.
- every other message of QuoteQA's own loggers, as JSON too; libraries only from warnings up
  (no FAISS loader lines, no per-request httpx lines).

Questions, histories and feedback reasons may hold patient data despite the notice: no line
carries them unless `setup_logging(questions=True)` (`python app.py --log-questions`, for
debugging), which adds the question to answer lines.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from typing import Any, Mapping

ANSWERS = logging.getLogger("quoteqa.answers")
REQUESTS = logging.getLogger("quoteqa.requests")
NOISY = ("faiss", "faiss.loader", "httpx", "httpcore", "gradio", "uvicorn", "uvicorn.error", "uvicorn.access",
         "asyncio", "urllib3", "bm25s", "matplotlib", "PIL", "multipart", "python_multipart")
LOG_KEY = "quoteqa.log"  # the scope entry a route annotates
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# path templates: the label of a request in logs and metrics (ids, file names and hashes removed)
ROUTES = ("/api/v1/ask", "/api/openapi.json", "/api/docs", "/api/docs-files/", "/healthz", "/readyz", "/metrics",
          "/gradio_api/queue/join", "/gradio_api/queue/data", "/gradio_api/heartbeat/", "/gradio_api/call/",
          "/gradio_api/upload", "/gradio_api/file=", "/gradio_api/info", "/gradio_api/", "/config", "/login",
          "/logout", "/assets/", "/static/", "/theme.css", "/favicon.ico", "/manifest.json")
_state = {"questions": False}


def route_of(path: str) -> str:
    """The route a path belongs to, from a fixed list (bounded: a metrics label).

    >>> route_of("/gradio_api/heartbeat/ab12"), route_of("/"), route_of("/assets/index-3f.js"), route_of("/x")
    ('/gradio_api/heartbeat/', '/', '/assets/', 'other')
    """
    if path in ("", "/"):
        return "/"
    for route in ROUTES:
        if path == route or (route.endswith(("/", "=")) and path.startswith(route)) or path == route + "/":
            return route
    return "other"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {"time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
                                + f".{int(record.msecs):03d}Z", "level": record.levelname.lower(),
                                "logger": record.name}
        fields = getattr(record, "fields", None)
        if fields:
            line.update(fields)
        else:
            line["message"] = record.getMessage()
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def setup_logging(*, questions: bool = False, stream=None) -> None:
    """JSON lines on `stream` (stderr): QuoteQA's own loggers from info up, libraries from warnings."""
    _state["questions"] = questions
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("quoteqa").setLevel(logging.INFO)
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)


def log_answer(via: str, answer: Mapping[str, Any], question: str = "") -> None:
    """One line for an answer given outside an HTTP request of its own (`via`: "chat", "gradio-api")."""
    fields = {"event": "answer", "via": via, **answer_fields(answer)}
    if _state["questions"] and question:
        fields["question"] = question
    ANSWERS.info("answer", extra={"fields": fields})


def answer_fields(answer: Mapping[str, Any]) -> dict[str, Any]:
    """What a log line says of an answer: never its question or its quotes' text."""
    return {"answer_status": answer.get("status"), "quotes": len(answer.get("quotes") or ()),
            "index_build": answer.get("index_build"), "engine_ms": round(float(answer.get("ms") or 0.0), 1)}


def annotate(scope, **fields: Any) -> None:
    """Add fields to the log line of the request `scope` belongs to."""
    scope.setdefault(LOG_KEY, {}).update(fields)


def logging_questions() -> bool:
    return _state["questions"]


class RequestLog:
    """ASGI middleware: one JSON line per HTTP request, and its request id in the response."""

    def __init__(self, app, on_done=None):
        self.app, self.on_done = app, on_done  # on_done(route, status, seconds, fields): the metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex[:16]
        scope[LOG_KEY] = {}
        status = {"code": 500}
        t0 = time.perf_counter()

        async def tagged(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message = {**message, "headers": [*message.get("headers", []), (b"x-request-id", request_id.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, tagged)
        finally:
            seconds = time.perf_counter() - t0
            route, fields = route_of(scope["path"]), scope.get(LOG_KEY, {})
            REQUESTS.info("request", extra={"fields": {
                "event": "request", "request_id": request_id, "method": scope["method"], "route": route,
                "status": status["code"], "ms": round(seconds * 1000, 1), **fields}})
            if self.on_done is not None:
                self.on_done(route, status["code"], seconds, fields)
