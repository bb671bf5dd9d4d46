"""The JSON API beside the chat page: `POST /api/v1/ask`, its OpenAPI description at
`/api/openapi.json` and readable docs at `/api/docs` (Swagger UI from the fastapi-offline
package's own files: nothing loads from the internet).

Concurrent calls are gathered into one `answer_batch` call on a worker thread (the engine encodes
a batch of questions in one model call): a batch takes every call waiting, and waits up to
`AskApi.gather_s` for more only while other calls are in flight -- a lone caller never waits. The guards (`guards.py`) apply as to
every route: body cap, CORS allow-list, security headers, the disclaimer on framework errors, and
failed sign-ins throttled. With a login configured, the API asks for HTTP Basic credentials.

Knows nothing of questions or answers: the app hands it `answer_batch` and `invalid`.
"""

import asyncio
import logging
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from .calls import MAX_HISTORY, MAX_HISTORY_ITEM_CHARS, ask_call_problem
from .guards import API_PREFIX, basic_credentials
from .logs import annotate, answer_fields

ASK_PATH = "/api/v1/ask"
DOCS_PATH, OPENAPI_PATH, DOCS_FILES = "/api/docs", "/api/openapi.json", "/api/docs-files"
STATUS_CODES = {"answered": 200, "abstained": 200, "invalid": 422, "error": 500}

Call = tuple  # (question, history), or (question, history, article ids, tags) for a scoped call
MAX_SCOPE_ARTICLES, MAX_SCOPE_TAGS = 1000, 50
log = logging.getLogger("quoteqa.api")


class AskBody(BaseModel):
    """One call: a question, the earlier questions of its conversation, and optionally the articles
    (by id or tag) it is asked of."""
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"question": "Can it be permanent?", "history": ["What is foot drop?"]},
                     {"question": "What brace is used?", "articles": ["droracle-medical-management-foot-drop"]}]})
    question: str = Field(description="The question, up to 1,000 characters.")
    history: list[str] = Field(default_factory=list, max_length=MAX_HISTORY, description=(
        "Earlier questions of the conversation, oldest first (not answers): a follow-up is read with "
        f"them. At most {MAX_HISTORY}, each up to {MAX_HISTORY_ITEM_CHARS:,} characters."))
    articles: list[str] = Field(default_factory=list, max_length=MAX_SCOPE_ARTICLES, description=(
        "Ids of the articles to answer from (an answer's quotes carry their `article_id`); empty: all "
        "articles. An unknown id gets status \"invalid\" naming it; articles that do not answer abstain."))
    tags: list[str] = Field(default_factory=list, max_length=MAX_SCOPE_TAGS, description=(
        "Front-matter tags (specialty, ward, document type): the articles carrying any of them are added "
        "to the scope. A tag no article carries gets status \"invalid\"."))


@dataclass(frozen=True)
class AskApi:
    """What the API needs from the app."""
    answer_batch: Callable[[Sequence[Call]], list[dict]]  # well-formed calls -> one answer JSON each, in order
    invalid: Callable[[str, str], dict]  # (question, what is wrong) -> an "invalid" answer JSON, disclaimer included
    auth: Sequence[tuple[str, str]] | None = None  # (user, password) pairs; None: no login
    max_batch: int = 16
    gather_s: float = 0.005  # how long the first call of a batch waits for others to join it
    workers: int = 2  # batches answered at once (threads)
    max_waiting: int = 256  # calls queued beyond this get 503 and Retry-After, not an ever longer wait


class Busy(Exception):
    """More calls are waiting than `AskApi.max_waiting`."""


class Batcher:
    """Joins concurrent calls into batches for `answer_batch`; `start()` inside the event loop."""

    def __init__(self, api: AskApi):
        self.api = api
        self._queue: asyncio.Queue | None = None
        self._tasks: list[asyncio.Task] = []
        self._in_flight = 0  # calls asked and not yet answered, queued or being answered

    def start(self) -> None:
        self._queue = asyncio.Queue()
        self._tasks = [asyncio.create_task(self._work()) for _ in range(self.api.workers)]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    @property
    def waiting(self) -> int:
        return self._queue.qsize() if self._queue is not None else 0

    async def ask(self, question: str, history: list[str], articles: Sequence[str] = (),
                  tags: Sequence[str] = ()) -> dict:
        if self._queue is None:
            raise RuntimeError("Batcher.start() was not called")
        if self._queue.qsize() >= self.api.max_waiting:
            raise Busy
        done = asyncio.get_running_loop().create_future()
        self._in_flight += 1
        try:
            call = (question, history, list(articles), list(tags)) if articles or tags else (question, history)
            await self._queue.put((call, done))
            return await done
        finally:
            self._in_flight -= 1

    async def _work(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._queue.get()]
            deadline = time.monotonic() + self.api.gather_s
            while len(batch) < self.api.max_batch:
                if not self._queue.empty():
                    batch.append(self._queue.get_nowait())
                    continue
                left = deadline - time.monotonic()
                if left <= 0 or self._in_flight <= len(batch):  # nobody else to wait for
                    break
                try:
                    batch.append(await asyncio.wait_for(self._queue.get(), left))
                except asyncio.TimeoutError:
                    break
            try:
                answers = await loop.run_in_executor(None, self.api.answer_batch, [call for call, _ in batch])
                if len(answers) != len(batch):
                    raise RuntimeError(f"answer_batch gave {len(answers)} answers for {len(batch)} calls")
            except Exception:  # answer_batch handles its own failures; this is a last resort
                log.exception("a batch of %d calls failed", len(batch))
                answers = [{**self.api.invalid(question, "Sorry, something went wrong while answering. Please try "
                                                         "again; if it keeps happening, tell the QuoteQA maintainers."),
                            "status": "error"} for (question, *_), _ in batch]
            for (_, done), answer in zip(batch, answers):
                if not done.done():
                    done.set_result(answer)


def basic_user(header: str | None, auth: Sequence[tuple[str, str]]) -> str | None:
    """The user an `Authorization: Basic …` header signs in as, or None when it does not.

    >>> basic_user("Basic YW5hOnB3", [("ana", "pw")]), basic_user("Basic YW5hOm5v", [("ana", "pw")])
    ('ana', None)
    """
    if (credentials := basic_credentials(header)) is None:
        return None
    user, password = credentials
    matches = [secrets.compare_digest(user.encode(), u.encode()) & secrets.compare_digest(password.encode(), p.encode())
               for u, p in auth]  # every pair compared: the time taken does not say which user exists
    return user if any(matches) else None


def docs_files() -> Path | None:
    """The folder of Swagger UI's script and style sheet that fastapi-offline ships (MIT)."""
    try:
        import fastapi_offline
    except ImportError:
        return None
    folder = Path(fastapi_offline.__file__).parent / "static"
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


ASK_RESPONSES = {
    401: {"description": "A login is configured and the request did not sign in."},
    413: {"description": "The request body is over the server's cap."},
    422: {"description": "The call is malformed or the question empty or too long: an answer with status "
                         "\"invalid\" and what to fix."},
    503: {"description": "Too many calls are waiting: send it again after Retry-After seconds."},
    500: {"description": "The answer failed: status \"error\"; the disclaimer still comes."}}


def refused(api, request: Request) -> JSONResponse | None:
    """A 401 with the disclaimer when a login is set and the request did not sign in; else None."""
    if api.auth and basic_user(request.headers.get("authorization"), api.auth) is None:
        return JSONResponse(api.invalid("", "Sign in: send your QuoteQA user name and password as HTTP Basic "
                                            "credentials."), status_code=401,
                            headers={"www-authenticate": 'Basic realm="QuoteQA", charset="UTF-8"'})
    return None


def add_api(parent, batcher: Batcher) -> None:
    """Add the API's routes to the FastAPI app `parent` (before Gradio is mounted at "/")."""
    api = batcher.api

    @parent.post(ASK_PATH, tags=["answers"], summary="Answer a question by quoting the indexed articles",
                 response_description="The answer as data: status, quotes with their citations, sources, the "
                                      "disclaimer (the same JSON as `python -m qa --json`).",
                 responses=ASK_RESPONSES)
    async def ask(body: AskBody, request: Request) -> JSONResponse:
        """Quotes, word for word, the passages of the indexed articles that answer the question, with
        numbered citations, or says that the articles do not answer it. Every response, errors
        included, ends with the institution's disclaimer."""
        if (denied := refused(api, request)) is not None:
            return denied
        if (problem := ask_call_problem(body.question, body.history)) is not None:
            annotate(request.scope, answer_status="invalid", quotes=0)
            return JSONResponse(api.invalid(body.question, problem), status_code=422)
        try:
            answer = await batcher.ask(body.question, body.history, body.articles, body.tags)
        except Busy:
            return JSONResponse({**api.invalid(body.question, "QuoteQA is answering many questions at once; "
                                                              "please send this one again in a few seconds."),
                                 "status": "error"}, status_code=503, headers={"retry-after": "2"})
        annotate(request.scope, **answer_fields(answer))
        return JSONResponse(answer, status_code=STATUS_CODES.get(answer.get("status"), 200))

    _add_malformed(parent, api)
    _add_docs(parent, lambda request: refused(api, request))


def _add_malformed(parent, api) -> None:
    """A body that is not a valid call, on the API's paths: 422 with what to fix, and the disclaimer."""
    @parent.exception_handler(RequestValidationError)
    async def malformed(request: Request, exc: RequestValidationError):
        if not request.url.path.startswith(API_PREFIX):
            raise exc
        if (denied := refused(api, request)) is not None:
            return denied  # a caller not signed in learns nothing of the call's shape
        annotate(request.scope, answer_status="invalid", quotes=0)
        problems = "; ".join("the body is not JSON" if e["type"] == "json_invalid" else
                             f"{'.'.join(str(p) for p in e['loc'][1:]) or 'body'}: {e['msg']}" for e in exc.errors())
        return JSONResponse(api.invalid("", f"The request is not a valid call ({problems}). Send JSON "
                                            "{\"question\": \"…\", \"history\": [\"…\"]} (optionally \"articles\": [ids], "
                                            "\"tags\": [tags])."), status_code=422)


def _add_docs(parent, deny) -> None:
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import PlainTextResponse
    from starlette.staticfiles import StaticFiles

    files = docs_files()
    if files is not None:
        parent.mount(DOCS_FILES, StaticFiles(directory=files), name="api-docs-files")

    @parent.get(OPENAPI_PATH, include_in_schema=False)
    async def openapi(request: Request):
        return deny(request) or JSONResponse(parent.openapi())

    @parent.get(DOCS_PATH, include_in_schema=False)
    async def docs(request: Request):
        if (denied := deny(request)) is not None:
            return denied
        if files is None:
            return PlainTextResponse(f"The interactive docs need the fastapi-offline package; the description "
                                     f"itself is at {OPENAPI_PATH}.", status_code=404)
        return get_swagger_ui_html(openapi_url=OPENAPI_PATH, title="QuoteQA API",
                                   swagger_js_url=f"{DOCS_FILES}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{DOCS_FILES}/swagger-ui.css",
                                   swagger_favicon_url=f"{DOCS_FILES}/favicon.png")
