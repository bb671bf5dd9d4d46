"""Serve a Gradio Blocks behind the guards: a FastAPI parent app with Starlette's CORSMiddleware
(allow-list only; Gradio then leaves CORS to it) and `Guards`, the health checks and the JSON API
(`api.py`) on it, the Blocks mounted at "/", run by uvicorn. Does not build the page or answer
questions.

Stopping (SIGTERM from systemd, or Ctrl-C): no new connection is taken; the page's heartbeat
streams end at once (an open tab would otherwise hold the stop until the grace runs out and be
cancelled with a traceback); answers in flight -- JSON API calls, the page's events, feedback
lines being written -- get up to `GRACE_SECONDS` to finish; then the process exits with status 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import time
from typing import Any, Callable

import uvicorn
from fastapi import Request

from .guards import GuardSettings, Guards
from .memory import TRIM_EVERY_SECONDS, prune_queue

log = logging.getLogger("quoteqa.server")
GRACE_SECONDS = 10.0  # once asked to stop, answers in flight get this long; what is left then is cancelled


def make_app(demo, guards: GuardSettings, prune_every: float = TRIM_EVERY_SECONDS,
             ready: Callable[[], dict[str, Any]] | None = None, api=None, metrics=None,
             grace: float = GRACE_SECONDS, stop: "StopClock | None" = None, **gradio_options: Any):
    """The ASGI app: `gradio_options` are `gr.mount_gradio_app`'s (auth, max_file_size, theme, ...).
    While it runs, the queue's finished sessions are dropped every `prune_every` seconds; when it
    stops, events still in Gradio's queue get up to `grace` seconds to finish.
    `GET /healthz` says the process answers; `GET /readyz` is 200 when `ready()` says "ready": true
    (with what it reports, e.g. the index build) and 503 otherwise — for a proxy or an orchestrator.
    With `api` (an `api.AskApi`): `POST /api/v1/ask` and its docs (`api.py`). With `metrics` (a
    `metrics.Metrics`): `GET /metrics`, behind the login when there is one. Every request is
    logged as one JSON line (`logs.py`)."""
    import gradio as gr
    from fastapi import FastAPI
    from starlette.middleware.cors import CORSMiddleware

    from .api import Batcher, add_api
    from .logs import RequestLog

    batcher = Batcher(api) if api is not None else None
    parent = FastAPI(title="QuoteQA API", version="1", docs_url=None, redoc_url=None, openapi_url=None,
                     lifespan=_lifespan(demo, batcher, prune_every, stop or StopClock(grace)), description="Answers by quoting, word for word, the articles a hospital "
                     "indexed; every response ends with its disclaimer.")
    # No origin is echoed unless listed: Gradio alone echoes any Origin, with credentials, on a
    # host name that is not localhost.
    parent.add_middleware(CORSMiddleware, allow_origins=list(guards.allowed_origins), allow_credentials=True,
                          allow_methods=["GET", "POST"], allow_headers=["*"])
    parent.add_middleware(Guards, settings=guards)  # its limits come before the app's routes
    parent.add_middleware(RequestLog, on_done=metrics.request_done if metrics else None)  # outermost: logs refusals too

    _add_health(parent, ready)
    if batcher is not None:
        add_api(parent, batcher)
    if metrics is not None:
        metrics.add_state(lambda: {"waiting": waiting_calls(demo, batcher)})
        _add_metrics(parent, metrics, gradio_options.get("auth"))
    return gr.mount_gradio_app(parent, demo, path="/", **gradio_options)


class StopClock:
    """One stop's time allowance, shared by uvicorn (connections) and the lifespan (the page's
    queue): the queue gets what the connections left of it, so a stop takes `grace` in all."""

    def __init__(self, grace: float):
        self.grace, self._deadline = grace, None

    def start(self) -> None:
        self._deadline = time.monotonic() + self.grace

    def left(self) -> float:
        return self.grace if self._deadline is None else max(0.0, self._deadline - time.monotonic())


def _lifespan(demo, batcher, prune_every: float, stop: StopClock):
    """While the app runs: the queue's finished sessions pruned, and the API's batcher running.
    When it stops: the events still in Gradio's queue (a question, a thumbs press whose feedback
    line is being written) finish first, within `grace` seconds."""
    @contextlib.asynccontextmanager
    async def lifespan(_app):
        pruning = asyncio.create_task(prune_queue(demo._queue, prune_every))
        if batcher is not None:
            batcher.start()
        try:
            yield
        finally:
            await _queue_drained(demo._queue, stop.left())
            pruning.cancel()
            await asyncio.gather(pruning, return_exceptions=True)
            if batcher is not None:
                await batcher.stop()

    return lifespan


async def _queue_drained(queue, within: float) -> bool:
    """Wait until Gradio's queue holds no event, waiting or running, for at most `within` seconds;
    False (and a warning) when events were still there."""
    deadline = time.monotonic() + within
    while _events_in(queue):
        if time.monotonic() >= deadline:
            log.warning("stopping with %d event(s) of the page unfinished after %.0f s", _events_in(queue), within)
            return False
        await asyncio.sleep(0.05)
    return True


def _events_in(queue) -> int:
    """Events waiting in a Gradio queue plus those being processed."""
    try:
        return len(queue) + sum(len(job) for job in queue.active_jobs if job)
    except (AttributeError, TypeError):  # another Gradio version keeps its queue otherwise: nothing to wait for
        return 0


def _add_health(parent, ready: Callable[[], dict[str, Any]] | None) -> None:
    """`GET /healthz` (the process answers) and `GET /readyz` (200 when `ready()` says so, else 503)."""
    @parent.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @parent.get("/readyz", include_in_schema=False)
    def readyz():
        from fastapi.responses import JSONResponse

        state = ready() if ready else {"ready": True}
        return JSONResponse(state, status_code=200 if state.get("ready") else 503)


def _add_metrics(parent, metrics, auth) -> None:
    from fastapi.responses import PlainTextResponse, Response

    from .api import basic_user
    from .metrics import CONTENT_TYPE

    @parent.get("/metrics", include_in_schema=False)
    def scrape(request: Request):
        if auth and basic_user(request.headers.get("authorization"), auth) is None:
            return PlainTextResponse("Sign in: send a QuoteQA user name and password as HTTP Basic credentials.",
                                     status_code=401, headers={"www-authenticate": 'Basic realm="QuoteQA"'})
        return Response(metrics.text(), media_type=CONTENT_TYPE)


def waiting_calls(demo, batcher) -> int:
    """Calls waiting for the engine: in the JSON API's batcher and in Gradio's queue."""
    try:
        queued = sum(len(q.queue) for q in demo._queue.event_queue_per_concurrency_id.values())
    except AttributeError:  # another Gradio version keeps its queue otherwise
        queued = 0
    return queued + (batcher.waiting if batcher is not None else 0)


def serve(demo, *, host: str, port: int, guards: GuardSettings, ready: Callable[[], dict[str, Any]] | None = None,
          api=None, metrics=None, banner: str = "", grace: float = GRACE_SECONDS, **gradio_options: Any) -> None:
    """Run until SIGTERM or SIGINT, then stop gracefully (answers in flight get `grace` seconds) and
    return; `banner` goes on the one startup line."""
    from .memory import start_trimming

    stop = StopClock(grace)
    app = make_app(demo, guards, ready=ready, api=api, metrics=metrics, stop=stop, server_name=host,
                   server_port=port, **gradio_options)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, log_config=None,
                            timeout_graceful_shutdown=grace)  # JSON lines: logs.py
    start_trimming()  # freed memory goes back to the system: RSS follows what is really in use
    print(f"QuoteQA is serving on http://{host}:{port}/{f' ({banner})' if banner else ''}", flush=True)
    with _stop_signals_end_quietly():
        _GracefulServer(config, streams_end=_stream_stops(app), stop=stop).run()
    log.info("stopped")


class _GracefulServer(uvicorn.Server):
    """uvicorn's server, which on a stop first ends the page's heartbeat streams: each open tab
    keeps one, and uvicorn waits for every connection to close."""

    def __init__(self, config, *, streams_end: list[asyncio.Event], stop: StopClock):
        super().__init__(config)
        self._streams_end, self._stop = streams_end, stop

    async def shutdown(self, sockets=None) -> None:
        self._stop.start()
        log.info("stopping: no new connections; answers in flight get up to %.0f s", self._stop.grace)
        for event in self._streams_end:
            event.set()
        await super().shutdown(sockets)


def _stream_stops(app) -> list[asyncio.Event]:
    """The events that end the heartbeat streams of the Gradio apps mounted on `app`."""
    from starlette.routing import Mount

    return [route.app.stop_event for route in app.routes
            if isinstance(route, Mount) and isinstance(getattr(route.app, "stop_event", None), asyncio.Event)]


@contextlib.contextmanager
def _stop_signals_end_quietly():
    """uvicorn catches SIGTERM and SIGINT while it serves, and once it has shut down raises the
    signal again for the handler that was there before: Python's defaults would then kill the
    process by SIGTERM (status -15, as if the stop had failed) or print a KeyboardInterrupt
    traceback. The stop asked for is done, so that handler does nothing and the caller returns."""
    if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
        yield
        return
    stops = (signal.SIGTERM, signal.SIGINT)
    before = {sig: signal.signal(sig, lambda *_: None) for sig in stops}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
