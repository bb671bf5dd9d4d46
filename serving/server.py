"""Serve a Gradio Blocks behind the guards: a FastAPI parent app with Starlette's CORSMiddleware
(allow-list only; Gradio then leaves CORS to it) and `Guards`, the health checks and the JSON API
(`api.py`) on it, the Blocks mounted at "/", run by uvicorn. Does not build the page or answer
questions.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Callable

from .guards import GuardSettings, Guards
from .memory import TRIM_EVERY_SECONDS, prune_queue


def make_app(demo, guards: GuardSettings, prune_every: float = TRIM_EVERY_SECONDS,
             ready: Callable[[], dict[str, Any]] | None = None, api=None, **gradio_options: Any):
    """The ASGI app: `gradio_options` are `gr.mount_gradio_app`'s (auth, max_file_size, theme, ...).
    While it runs, the queue's finished sessions are dropped every `prune_every` seconds.
    `GET /healthz` says the process answers; `GET /readyz` is 200 when `ready()` says "ready": true
    (with what it reports, e.g. the index build) and 503 otherwise — for a proxy or an orchestrator.
    With `api` (an `api.AskApi`): `POST /api/v1/ask` and its docs (`api.py`)."""
    import gradio as gr
    from fastapi import FastAPI
    from starlette.middleware.cors import CORSMiddleware

    from .api import Batcher, add_api

    batcher = Batcher(api) if api is not None else None

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

    parent = FastAPI(title="QuoteQA API", version="1", docs_url=None, redoc_url=None, openapi_url=None,
                     lifespan=lifespan, description="Answers by quoting, word for word, the articles a hospital "
                     "indexed; every response ends with its disclaimer.")
    parent.state.batcher = batcher
    # No origin is echoed unless listed: Gradio alone echoes any Origin, with credentials, on a
    # host name that is not localhost.
    parent.add_middleware(CORSMiddleware, allow_origins=list(guards.allowed_origins), allow_credentials=True,
                          allow_methods=["GET", "POST"], allow_headers=["*"])
    parent.add_middleware(Guards, settings=guards)  # added last: the outermost, so its limits come first

    @parent.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @parent.get("/readyz", include_in_schema=False)
    def readyz():
        from fastapi.responses import JSONResponse

        state = ready() if ready else {"ready": True}
        return JSONResponse(state, status_code=200 if state.get("ready") else 503)

    if batcher is not None:
        add_api(parent, batcher)
    return gr.mount_gradio_app(parent, demo, path="/", **gradio_options)


def serve(demo, *, host: str, port: int, guards: GuardSettings, ready: Callable[[], dict[str, Any]] | None = None,
          api=None, **gradio_options: Any) -> None:
    """Run until interrupted (SIGINT/SIGTERM)."""
    import uvicorn

    from .memory import start_trimming

    app = make_app(demo, guards, ready=ready, api=api, server_name=host, server_port=port, **gradio_options)
    start_trimming()  # freed memory goes back to the system: RSS follows what is really in use
    print(f"QuoteQA is serving on http://{host}:{port}/", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False,
                timeout_graceful_shutdown=3)
