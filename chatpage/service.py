"""What the chat page and its `/ask` API share: the engine of the build being served (following
rebuilds through `qa.index.LiveIndex`), answering without a traceback, one log line and one count
per answer, readiness for `GET /readyz`, the header of the build served, and the lists the page
offers per build (example questions, the questions a refusal offers).

No components and no events here: `handlers.py` answers the page, `api.py` the `/ask` calls.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from pathlib import Path

from .header import header_html, stale_against
from .update import KEEP

log = logging.getLogger("quoteqa.app")  # the name the log lines have always carried
# a page whose session was dropped gets back at most this many of its latest turns: as many as the
# engine reads of a conversation (Settings.max_history), so a page claiming fifty costs eight answers
RESTORE_TURNS = 8


@dataclass(frozen=True, kw_only=True)
class BuildLists:
    """What the page offers of one build: its titles (the empty page names a few), example
    questions, each article's questions (a refusal offers them) and the article finder."""
    titles: tuple[str, ...]
    examples: tuple[str, ...]
    questions: dict[str, tuple[str, ...]]
    finder: object  # qa.present.ArticleFinder

    @classmethod
    def of(cls, engine) -> "BuildLists":
        from qa.present import ArticleFinder, questions_by_article

        shown = [a for a in engine.articles.values() if not a.retracted]
        return cls(titles=tuple(a.title for a in engine.articles.values()),
                   examples=tuple(e for a in shown for e in (a.examples or (a.title,)))[:6],
                   questions=questions_by_article(engine), finder=ArticleFinder(engine.articles))


class Service:
    def __init__(self, live, corpus: Path):
        self.live = live  # qa.index.LiveIndex of engines: follows index rebuilds while serving
        self.corpus = corpus
        self.stale = {live.current.index_build: stale_against(live.current, corpus)}
        self.page_build = live.current.index_build  # whose header new pages open with (page_header)
        self._lists: tuple[str, BuildLists | None] = ("", None)  # (index build, what the page offers of it)
        self.metrics = None  # serving.Metrics, when served: answers are counted by status

    @property
    def engine(self):
        return self.live.current

    # answering ---------------------------------------------------------------------------------

    def ask(self, question: str, history: list[str], articles=(), tags=()):
        """The engine's answer (of the articles of ids `articles` and tagged `tags` only, when given)."""
        try:
            return self.engine.ask(question, history, articles, tags)
        except Exception:  # never a traceback in the page: log it, answer with the disclaimer
            ref = uuid.uuid4().hex[:8]
            log.exception("error %s while answering", ref)
            return self.engine.error_answer(
                question, f"Sorry, something went wrong while answering (reference {ref}). "
                          "Please try again; if it keeps happening, tell the QuoteQA maintainers.")

    def ask_all(self, calls: list[tuple]) -> list:
        """The answers to (question, history[, articles, tags]) calls, encoded in one model call; if
        that fails, each is asked alone, so that a failing one gets the error message and not all of them."""
        try:
            return list(self.engine.ask_batch(calls))
        except Exception:
            return [self.ask(*call) for call in calls]

    def replay(self, asked) -> list | None:
        """The answers of a page whose session state the server dropped, asked again in order from
        the questions the page holds (`asked`), each read with the ones before it, as it was first;
        the latest RESTORE_TURNS only. The same index gives the same answers. None: `asked` holds
        no list of questions, there is nothing to replay."""
        if not isinstance(asked, list) or not asked:
            return None
        questions = [q for q in (" ".join(q.split())[:1000] for q in asked if isinstance(q, str)) if q]
        turns = self.ask_all([(q, questions[:k]) for k, q in enumerate(questions)][-RESTORE_TURNS:])
        log.info("restored a dropped session: asked its %d earlier question(s) again", len(turns))
        return turns

    def record(self, via: str, answer_json: dict, question: str = "") -> None:
        """An answer given through Gradio's queue: one log line, one count ("chat", "gradio-api")."""
        from serving import log_answer

        log_answer(via, answer_json, question)
        if self.metrics is not None:
            self.metrics.answered(answer_json.get("status", "error"), via)

    # what the server reports -----------------------------------------------------------------------

    def metrics_state(self) -> dict:
        """What /metrics reports of the index: its build, its articles, the rebuilds loaded or refused."""
        engine = self.engine
        return {"index_build": engine.index_build, "articles": len(engine.articles), "reloads": dict(self.live.reloads)}

    def readiness(self) -> dict:
        """For `GET /readyz`: ready once the index is loaded and verified and the model is loaded
        (both happen before the server starts); not ready while a rebuilt index is being loaded."""
        engine = self.engine
        if self.live.loading:
            return {"ready": False, "reason": "loading a rebuilt index", "index_build": engine.index_build}
        return {"ready": True, "index_build": engine.index_build}  # no login asked: nothing more than the build

    # what the page shows of the build ------------------------------------------------------------

    def header(self) -> str:
        engine = self.engine
        if engine.index_build not in self.stale:  # a rebuild was swapped in since the last look
            self.stale[engine.index_build] = stale_against(engine, self.corpus)
        return header_html(engine, self.stale[engine.index_build])

    def page_header(self) -> str:
        """The header a page opens with: part of the page's config, which all sessions share."""
        self.page_build = self.engine.index_build
        return self.header()

    def header_update(self, shown: list):
        """The header again only when the index build changed since the page showed it (`shown`:
        its turns so far), else KEEP. Gradio keeps each value sent in the session's state, and the
        header lists every article: sent with every answer, it cost each session a copy of that list."""
        build = shown[-1].index_build if shown else self.page_build
        return self.header() if self.engine.index_build != build else KEEP

    def pdf_url(self, path: str) -> str | None:
        """Where the page serves an imported PDF (`Article.original_pdf`, relative to the corpus):
        Gradio's file route, which the launch allows for the corpus's originals/ only."""
        pdf = (self.corpus / path).resolve()
        if pdf.suffix.lower() != ".pdf" or pdf.parent != self.originals or not pdf.is_file():
            return None
        return f"gradio_api/file={pdf}"

    @property
    def originals(self) -> Path:
        """The corpus's originals/ folder: the files the page may serve (the imported PDFs)."""
        return (self.corpus / "originals").resolve()

    def lists(self) -> "BuildLists":
        """What the page offers of the build being served, worked out once per build: at 5,000
        articles, walking them on every answer or keystroke would cost each one milliseconds."""
        engine = self.engine
        if self._lists[0] != engine.index_build:
            self._lists = (engine.index_build, BuildLists.of(engine))
        return self._lists[1]

    @property
    def examples(self) -> list[str]:
        return list(self.lists().examples)

    def article_questions(self) -> dict[str, tuple[str, ...]]:
        """Each article's questions, which a refusal offers."""
        return self.lists().questions
