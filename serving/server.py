"""Serve a Gradio Blocks behind the guards: a FastAPI parent app with Starlette's CORSMiddleware
(allow-list only; Gradio then leaves CORS to it) and `Guards`, the health checks and the JSON API
(`api.py`) on it, the Blocks mounted at "/", run by uvicorn. Does not build the page or answer
questions.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Callable

from fastapi import Request

from .guards import GuardSettings, Guards
from .memory import TRIM_EVERY_SECONDS, prune_queue


def make_app(demo, guards: GuardSettings, prune_every: float = TRIM_EVERY_SECONDS,
             ready: Callable[[], dict[str, Any]] | None = None, api=None, metrics=None, **gradio_options: Any):
    """The ASGI app: `gradio_options` are `gr.mount_gradio_app`'s (auth, max_file_size, theme, ...).
    While it runs, the queue's finished sessions are dropped every `prune_every` seconds.
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
                     lifespan=_lifespan(demo, batcher, prune_every), description="Answers by quoting, word for word, the articles a hospital "
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


def _lifespan(demo, batcher, prune_every: float):
    """While the app runs: the queue's finished sessions pruned, and the API's batcher running."""
    @contextlib.asynccontextmanager
    async def lifespan(_app):
        pruning = asyncio.create_task(prune_queue(demo._queue, prune_every))
        if batcher is not None:
            batcher.start()
        try:
            yield
        finally:
            pruning.cancel()
            if batcher is not None:
                await batcher.stop()

    return lifespan


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
          api=None, metrics=None, banner: str = "", **gradio_options: Any) -> None:
    """Run until interrupted (SIGINT/SIGTERM); `banner` goes on the one startup line."""
    import uvicorn

    from .memory import start_trimming

    app = make_app(demo, guards, ready=ready, api=api, metrics=metrics, server_name=host, server_port=port,
                   **gradio_options)
    start_trimming()  # freed memory goes back to the system: RSS follows what is really in use
    print(f"QuoteQA is serving on http://{host}:{port}/{f' ({banner})' if banner else ''}", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, log_config=None,  # JSON lines: logs.py
                timeout_graceful_shutdown=3)
