"""QuoteQA's chat for clinicians, in the browser.

    python app.py [--host 127.0.0.1] [--port 7860] [--index index] [--corpus corpus]

Loads the model and the index once (building the index first if it is missing; switching to a
new build when `python -m ingest` swaps one in while serving), then serves a Gradio chat: verbatim quotes with [n] citations, a source viewer, suggested follow-ups, feedback
and export. This module is an adapter: answers come from `qa`, formatting from `qa.present`;
here are only the page, the handlers and the launch settings.

Login (optional): QUOTEQA_AUTH="user:password[,user2:password2]" or QUOTEQA_AUTH_FILE=path (one
user:password a line). Feedback goes to --feedback (default feedback/feedback.jsonl).
"""

import argparse
import logging
import os
import sys
import time
import uuid
from pathlib import Path

log = logging.getLogger("quoteqa.app")

QUEUE_SIZE = 16  # waiting requests beyond this get Gradio's immediate "queue is full" error
CONCURRENCY = 2  # one request per core; a request takes ~15 ms of CPU
BATCH_SIZE = 16  # /ask calls waiting together are answered with one model call
FILE_LIMIT = "16kb"  # the app takes no uploads; keep the route that exists anyway small
SESSIONS = 1000  # browser sessions whose state is kept; the oldest is dropped beyond (bounds memory)
CACHE_CLEANUP = (60, 600)  # every minute, delete Gradio's served copies of files older than 10 minutes
EXPORT_MAX_AGE_S = 600  # exports are deleted when their session ends, or after 10 minutes

CSS = """
.qqa-source mark { background: #ffe58a; color: inherit; padding: 0 .1em; }
.qqa-source h3 { margin: 0 0 .25em 0; }
.qqa-meta, .qqa-path { color: var(--body-text-color-subdued); margin: .1em 0; }
.qqa-banner { border-left: 4px solid #d97706; padding: .4em .8em; background: #fff7ed; color: #7c2d12; }
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python app.py", description="Serve the QuoteQA chat.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--index", type=Path, default=Path("index"))
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--feedback", type=Path, default=Path("feedback/feedback.jsonl"))
    parser.add_argument("--queue-size", type=int, default=QUEUE_SIZE,
                        help=f"requests that may wait; more get an immediate 'queue is full' (default {QUEUE_SIZE})")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY,
                        help=f"requests answered at once (default {CONCURRENCY}, one per core)")
    parser.add_argument("--sessions", type=int, default=SESSIONS,
                        help=f"browser sessions whose state is kept in memory; the oldest go first (default {SESSIONS})")
    return parser.parse_args(argv)


def read_auth(env: dict[str, str]) -> list[tuple[str, str]] | None:
    """Users from QUOTEQA_AUTH ("u:p,u2:p2") or QUOTEQA_AUTH_FILE (one "u:p" a line); None: no login."""
    raw = env.get("QUOTEQA_AUTH", "")
    if env.get("QUOTEQA_AUTH_FILE"):
        raw = Path(env["QUOTEQA_AUTH_FILE"]).read_text(encoding="utf-8").replace("\n", ",")
    pairs = [item.strip().split(":", 1) for item in raw.split(",") if item.strip()]
    if any(len(p) != 2 or not p[0] or not p[1] for p in pairs):
        raise SystemExit("QUOTEQA_AUTH / QUOTEQA_AUTH_FILE must hold user:password pairs")
    return [(u, p) for u, p in pairs] or None


def prepare_engine(index: Path, corpus: Path):
    """Load the engine, building the index first when there is none. A damaged index stops the
    start with its fix; an index older than the corpus is served with a banner."""
    import qa

    if not (index / "current").exists() and not (index / "manifest.json").exists():
        from ingest import build_index

        print(f"No index at {index}: building it from {corpus} ...", file=sys.stderr, flush=True)
        result = build_index(corpus, index)
        print(f"Index built in {result.seconds:.1f} s.", file=sys.stderr, flush=True)
    engine = qa.load(index)
    return engine, stale_against(engine, corpus)


def stale_against(engine, corpus: Path) -> list[str]:
    from qa.index import changes_since, corpus_fingerprint

    return changes_since(engine.manifest, corpus_fingerprint(corpus)) if corpus.is_dir() else []


class Handlers:
    """The page's callbacks; each turns engine output into component values."""

    def __init__(self, live, feedback_path: Path, corpus: Path):
        self.live = live  # qa.index.LiveIndex of engines: follows index rebuilds while serving
        self.corpus = corpus
        self.stale = {live.current.index_build: stale_against(live.current, corpus)}
        self.feedback_path = feedback_path
        from serving import ExportFiles

        self.exports = ExportFiles(max_age_s=EXPORT_MAX_AGE_S)  # per-session folders, random names, 0600

    @property
    def engine(self):
        return self.live.current

    def header(self) -> str:
        engine = self.engine
        if engine.index_build not in self.stale:  # a rebuild was swapped in since the last look
            self.stale[engine.index_build] = stale_against(engine, self.corpus)
        return header_markdown(engine, self.stale[engine.index_build])

    # answering ---------------------------------------------------------------------------------

    def ask(self, question: str, history: list[str]):
        try:
            return self.engine.ask(question, history)
        except Exception:  # never a traceback in the page: log it, answer with the disclaimer
            ref = uuid.uuid4().hex[:8]
            log.exception("error %s while answering", ref)
            return self.engine.error_answer(
                question, f"Sorry, something went wrong while answering (reference {ref}). "
                          "Please try again; if it keeps happening, tell the QuoteQA maintainers.")

    def respond(self, message, chat, turns):
        import gradio as gr
        from qa.present import SUGGESTIONS, escape_md, render_markdown

        history = [a.question for a in turns if a.status in ("answered", "abstained")]
        answer = self.ask(message or "", history)
        turns = [*turns, answer]
        chat = [*chat, {"role": "user", "content": escape_md(message or "") or "(empty)"},
                {"role": "assistant", "content": render_markdown(answer)}]
        choices = [self._citation_label(s) for s in answer.sources]
        first = choices[0] if choices else None
        suggestions = self._suggestions(answer)
        buttons = [gr.update(value=s, visible=True) for s in suggestions]
        buttons += [gr.update(value="", visible=False)] * (SUGGESTIONS - len(buttons))
        return ("", chat, turns, gr.update(choices=choices, value=first, visible=bool(choices)),
                self.source(first, turns), self.header(), *buttons)

    def respond_example(self, chat, turns, evt):
        return self.respond(evt.value["text"], chat, turns)

    # source viewer ------------------------------------------------------------------------------

    @staticmethod
    def _citation_label(source) -> str:
        section = " › ".join(source.section) if source.section else "opening paragraphs"
        return f"[{source.number}] {source.title} — {section}"

    def source(self, choice: str | None, turns) -> str:
        from qa.present import section_html, section_view

        if not choice or not turns:
            return "<p class='qqa-meta'>Select a source to see the section it was quoted from.</p>"
        number = int(choice[1:choice.index("]")])
        quotes = [q for q in turns[-1].quotes if q.number == number]
        engine = self.engine
        if not quotes or quotes[0].article_id not in engine.articles:
            return "<p class='qqa-meta'>That source is no longer in the index; ask again.</p>"
        return f"<div class='qqa-source'>{section_html(section_view(engine, quotes), quotes[0])}</div>"

    def _suggestions(self, answer) -> list[str]:
        from qa.present import neighbouring_sections

        return [f"What do the articles say about {heading}?"
                for _, heading in neighbouring_sections(self.engine, answer.quotes)]

    # feedback and export -----------------------------------------------------------------------

    def feedback(self, turns, evt) -> None:
        index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        turn = int(index) // 2
        if not 0 <= turn < len(turns):
            return
        answer = turns[turn]
        record = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "rating": "up" if evt.liked else "down",
            "question": answer.question, "query": answer.query, "status": answer.status,
            "quotes": [{"text": q.text, "lead_in": q.lead_in, "chunk_id": q.chunk_id} for q in answer.quotes],
            "index_build": answer.index_build,
        }
        from serving import append_line

        try:
            append_line(self.feedback_path, record)  # the whole line or nothing
        except OSError as exc:
            import gradio as gr

            log.error("feedback could not be saved to %s: %s", self.feedback_path, exc)
            gr.Warning("Your feedback could not be saved (the server could not write it). Please tell the "
                       f"QuoteQA maintainers. {self.engine.disclaimer}")

    def export(self, turns, session: str = "no-session"):
        import gradio as gr
        from qa.present import conversation_markdown, describe_article

        engine = self.engine
        builds = ", ".join(dict.fromkeys(a.index_build for a in turns)) or engine.index_build
        text = conversation_markdown(turns, disclaimer=engine.disclaimer, index_digest=builds,
                                     built_at=engine.manifest.built_at,
                                     articles=[describe_article(a) for a in engine.articles.values()])
        path = self.exports.write(session, text)  # a new private file: never another session's
        return gr.update(value=str(path), visible=True)

    # the JSON API (gradio_client) ------------------------------------------------------------------

    def api_ask(self, question: str, history: list[str]) -> dict:
        """Answer `question` given earlier questions (oldest first); the same JSON as `python -m qa --json`.

        Served batched: Gradio passes lists of the queued calls' arguments (up to BATCH_SIZE) and
        the engine encodes them in one model call. The hints describe one call, as clients see it."""
        from dataclasses import replace

        from qa.present import answer_json
        from serving import ask_call_problem

        calls = list(zip(question, history))
        problems = [ask_call_problem(q, h) for q, h in calls]  # each call on its own: one bad call spoils none
        good = [(q, h or []) for (q, h), p in zip(calls, problems) if p is None]
        try:
            answered = iter(self.engine.ask_batch(good))
        except Exception:  # answer each one alone, so one failing call gets the error message, not all
            answered = iter([self.ask(q, h) for q, h in good])
        answers = [next(answered) if p is None else
                   replace(self.engine.error_answer(q if isinstance(q, str) else "", p), status="invalid")
                   for (q, _), p in zip(calls, problems)]
        return ([answer_json(a) for a in answers],)


def header_markdown(engine, stale: list[str]) -> str:
    from qa.present import describe_article, escape_md

    articles = "; ".join(escape_md(describe_article(a)) for a in engine.articles.values())
    text = (f"## QuoteQA\nAnswers are quoted word for word from {len(engine.articles)} indexed articles: "
            f"{articles}. Index build `{engine.index_build}`, built {escape_md(engine.manifest.built_at)}.")
    if stale:
        listed = escape_md("; ".join(stale[:4]))
        text += (f"\n\n<div class='qqa-banner' role='alert'><strong>The index is older than the corpus</strong> "
                 f"({listed}). Answers come from the previous build. Run <code>python -m ingest</code> and restart.</div>")
    return text


def build_ui(handlers: Handlers):
    import gradio as gr
    from qa.present import escape_md

    engine = handlers.engine
    with gr.Blocks(title="QuoteQA") as demo:
        ui = _layout(handlers)
        _wire(handlers, ui)
        # Always on the page, so that Gradio's own messages ("Queue is full") are read with it too.
        gr.Markdown(f"*{escape_md(engine.disclaimer)}*", elem_id="qqa-footer")
        gr.api(handlers.api_ask, api_name="ask", batch=True, max_batch_size=BATCH_SIZE)
    return demo


def _layout(handlers: Handlers) -> dict:
    """The page's components, by name (inside an open gr.Blocks)."""
    import gradio as gr
    from qa.present import SUGGESTIONS

    examples = [e for a in handlers.engine.articles.values() for e in (a.examples or (a.title,))]
    ui = {"header": gr.Markdown(handlers.header(), elem_id="qqa-header"), "turns": gr.State([])}
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            ui["chat"] = gr.Chatbot(
                value=[], label="Conversation", elem_id="qqa-chat", height=520, sanitize_html=True,
                allow_tags=False, feedback_options=("Like", "Dislike"),
                examples=[{"text": e} for e in examples[:6]],
                placeholder="Ask a clinical question. Answers are quotes from the indexed articles only.",
            )
            with gr.Row():
                ui["box"] = gr.Textbox(label="Your question", placeholder="e.g. " + (examples[0] if examples else ""),
                                       lines=1, max_lines=4, scale=5, elem_id="qqa-question", autofocus=True)
                ui["send"] = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="qqa-ask")
            with gr.Row():
                ui["suggested"] = [gr.Button("", visible=False, size="sm", elem_classes=["qqa-suggest"])
                                   for _ in range(SUGGESTIONS)]
            with gr.Row():
                ui["new"] = gr.Button("New conversation", size="sm")
                ui["export"] = gr.Button("Export conversation (Markdown)", size="sm", elem_id="qqa-export")
            ui["export_file"] = gr.File(label="Conversation export", visible=False, interactive=False)
        with gr.Column(scale=2, min_width=300):
            ui["citations"] = gr.Radio(label="Sources of the last answer (select one to read the section)",
                                       choices=[], visible=False, elem_id="qqa-citations")
            ui["source"] = gr.HTML("<p class='qqa-meta'>Sources appear here after an answer.</p>", elem_id="qqa-source")
    return ui


def _wire(handlers: Handlers, ui: dict) -> None:
    """Connect the components' events to the handlers; none of them is part of the public API."""
    import gradio as gr

    chat, turns, box, suggested = ui["chat"], ui["turns"], ui["box"], ui["suggested"]
    outputs = [box, chat, turns, ui["citations"], ui["source"], ui["header"], *suggested]
    private = dict(api_visibility="private")
    ui["box"].submit(handlers.respond, [box, chat, turns], outputs, **private)
    ui["send"].click(handlers.respond, [box, chat, turns], outputs, **private)
    for button in suggested:
        button.click(handlers.respond, [button, chat, turns], outputs, **private)

    # Gradio hands event data to a parameter annotated with its type.
    def on_example(c, t, evt: gr.SelectData):
        return handlers.respond_example(c, t, evt)

    def on_like(t, evt: gr.LikeData):
        handlers.feedback(t, evt)

    chat.example_select(on_example, [chat, turns], outputs, **private)
    ui["citations"].change(handlers.source, [ui["citations"], turns], ui["source"], **private)
    chat.like(on_like, [turns], None, **private)

    def on_export(t, request: gr.Request):  # the session names the export's private folder
        return handlers.export(t, request.session_hash or "no-session")

    ui["export"].click(on_export, [turns], ui["export_file"], **private)
    ui["new"].click(lambda: ("", [], [], gr.update(choices=[], value=None, visible=False), "", handlers.header(),
                             *[gr.update(visible=False)] * len(suggested)), None, outputs, **private)


def main(argv: list[str] | None = None) -> int:
    # Before gradio or the model library is imported: no telemetry, no hub.
    from qa.embed import OFFLINE_ENV

    os.environ.update(OFFLINE_ENV)
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ.setdefault("GRADIO_SSR_MODE", "False")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = parse_args(argv)
    auth = read_auth(dict(os.environ))

    from qa.errors import QuoteQAError

    try:
        engine, stale = prepare_engine(args.index, args.corpus)
    except QuoteQAError as exc:
        print(f"QuoteQA cannot start: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a broken corpus while building, for example
        print(f"QuoteQA cannot start: {exc}", file=sys.stderr)
        return 1
    if stale:
        log.warning("index is older than the corpus: %s", "; ".join(stale))

    import gradio as gr
    from qa.index import LiveIndex
    from serving import GuardSettings, allowed_origins_from, serve

    handlers = Handlers(LiveIndex(engine, args.index, engine.reloaded), args.feedback, args.corpus)
    demo = build_ui(handlers)
    demo.queue(max_size=args.queue_size, default_concurrency_limit=args.concurrency)
    demo.state_session_capacity, demo.delete_cache = args.sessions, CACHE_CLEANUP

    def end_session(request: gr.Request):  # the tab went away: its exports go too
        handlers.exports.end_session(request.session_hash or "no-session")

    demo.unload(end_session)
    theme = gr.themes.Default(font=["system-ui", "Segoe UI", "Roboto", "sans-serif"],
                              font_mono=["ui-monospace", "Menlo", "monospace"])
    try:
        origins = allowed_origins_from(os.environ.get("QUOTEQA_ALLOWED_ORIGINS"))
    except ValueError as exc:
        print(f"QuoteQA cannot start: {exc}", file=sys.stderr)
        return 1
    guards = GuardSettings(allowed_origins=origins, disclaimer=lambda: handlers.engine.disclaimer)
    try:
        serve(demo, host=args.host, port=args.port, guards=guards, auth=auth,
              auth_message="QuoteQA: sign in with your hospital account." if auth else None,
              enable_monitoring=False, max_file_size=FILE_LIMIT, run_history=False, footer_links=["api"],
              show_error=False, ssr_mode=False, pwa=False, mcp_server=False, theme=theme, css=CSS)
    finally:
        handlers.exports.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
