"""QuoteQA's chat for clinicians, in the browser: the entry point.

    python app.py [--host 127.0.0.1] [--port 7860] [--index index] [--corpus corpus]

Loads the model and the index once (building the index first if it is missing; switching to a
new build when `python -m ingest` swaps one in while serving), then serves the chat page of
`chatpage` (verbatim quotes with [n] citations, a source viewer, suggested follow-ups, feedback and
export) behind the guards of `serving`. Here are only the settings (arguments, environment, login)
and the launch; the page, its handlers and the `/ask` API live in `chatpage/`.

Stops on SIGTERM (systemd) or Ctrl-C: the answers in flight finish first (at most
`serving.server.GRACE_SECONDS`), then the process exits with status 0 (`serving.serve`).

Login (optional): QUOTEQA_AUTH="user:password[,user2:password2]" or QUOTEQA_AUTH_FILE=path (one
user:password a line). Feedback goes to --feedback (default feedback/feedback.jsonl).
"""

import argparse
import logging
import os
import sys
from pathlib import Path

log = logging.getLogger("quoteqa.app")

QUEUE_SIZE = 16  # waiting requests beyond this get Gradio's immediate "queue is full" error
CONCURRENCY = 2  # one request per core; a request takes ~15 ms of CPU
FILE_LIMIT = "16kb"  # the app takes no uploads; keep the route that exists anyway small
SESSIONS = 500  # sessions whose state is kept (a chat tab, or one /ask call); the oldest is dropped beyond:
# tens of KB each, more with every turn. A dropped chat comes back (chatpage.Handlers.restore).
CACHE_CLEANUP = (60, 600)  # every minute, delete Gradio's served copies of files older than 10 minutes


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python app.py", description="Serve the QuoteQA chat.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--index", type=Path, default=Path("index"))
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--encoder", choices=("onnx", "torch"),
                        help="insist on this question encoder (default: the one the index was built for)")
    parser.add_argument("--feedback", type=Path, default=Path("feedback/feedback.jsonl"))
    parser.add_argument("--queue-size", type=int, default=QUEUE_SIZE,
                        help=f"requests that may wait; more get an immediate 'queue is full' (default {QUEUE_SIZE})")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY,
                        help=f"requests answered at once (default {CONCURRENCY}, one per core)")
    parser.add_argument("--sessions", type=int, default=SESSIONS,
                        help=f"browser sessions whose state is kept in memory; the oldest go first (default {SESSIONS})")
    parser.add_argument("--log-questions", action="store_true",
                        help="put each question in the log (for debugging only: questions may hold patient data)")
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


def prepare_engine(index: Path, corpus: Path, encoder: str | None = None):
    """Load the engine, building the index first when there is none. A damaged index stops the
    start with its fix; an index older than the corpus is served with a banner."""
    import qa
    from chatpage import stale_against

    if not (index / "current").exists() and not (index / "manifest.json").exists():
        from ingest import build_index

        print(f"No index at {index}: building it from {corpus} ...", file=sys.stderr, flush=True)
        result = build_index(corpus, index, encoder=encoder)
        print(f"Index built in {result.seconds:.1f} s.", file=sys.stderr, flush=True)
    engine = qa.load(index, encoder=encoder)
    return engine, stale_against(engine, corpus)


def main(argv: list[str] | None = None) -> int:
    # Before gradio or the model library is imported: no telemetry, no hub.
    from qa.embed import OFFLINE_ENV

    os.environ.update(OFFLINE_ENV)
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ.setdefault("GRADIO_SSR_MODE", "False")
    args = parse_args(argv)
    from serving import allowed_origins_from, setup_logging

    setup_logging(questions=args.log_questions)  # JSON lines; no question text unless asked for
    auth = read_auth(dict(os.environ))
    try:
        origins = allowed_origins_from(os.environ.get("QUOTEQA_ALLOWED_ORIGINS"))
        engine, stale = prepare_engine(args.index, args.corpus, args.encoder)
    except Exception as exc:  # a damaged index (its fix in the message), a broken corpus while building, ...
        print(f"QuoteQA cannot start: {exc}", file=sys.stderr)
        return 1
    if stale:
        log.warning("index is older than the corpus: %s", "; ".join(stale))
    serve_page(args, engine, auth, origins)
    return 0


def serve_page(args: argparse.Namespace, engine, auth, origins) -> None:
    """The chat page over `engine` (following rebuilds of args.index), served until stopped."""
    import gradio as gr
    from chatpage import BATCH_SIZE, GradioAsk, Handlers, Service, build_ui, load_assets
    from qa.index import LiveIndex
    from serving import AskApi, GuardSettings, Metrics, serve

    service = Service(LiveIndex(engine, args.index, engine.reloaded), args.corpus)
    handlers, gradio_ask, assets = Handlers(service, args.feedback), GradioAsk(service), load_assets()
    demo = build_ui(handlers, gradio_ask, assets)
    demo.queue(max_size=args.queue_size, default_concurrency_limit=args.concurrency)
    demo.state_session_capacity, demo.delete_cache = args.sessions, CACHE_CLEANUP

    def end_session(request: gr.Request):  # the tab went away: its exports go too
        handlers.exports.end_session(request.session_hash or "no-session")

    demo.unload(end_session)
    theme = gr.themes.Default(font=["system-ui", "Segoe UI", "Roboto", "sans-serif"],
                              font_mono=["ui-monospace", "Menlo", "monospace"])
    guards = GuardSettings(allowed_origins=origins, disclaimer=lambda: service.engine.disclaimer)
    try:
        api = AskApi(answer_batch=gradio_ask.answer_calls, invalid=gradio_ask.invalid, auth=auth, max_batch=BATCH_SIZE)
        service.metrics = Metrics(service.metrics_state)
        count = len(engine.articles)
        banner = f"index build {engine.index_build}, {count:,} article{'s' if count != 1 else ''}"
        serve(demo, host=args.host, port=args.port, guards=guards, ready=service.readiness, api=api,
              metrics=service.metrics, banner=banner, auth=auth,
              auth_message="QuoteQA: sign in with your hospital account." if auth else None,
              allowed_paths=[str(service.originals)],  # the imported PDFs, for the viewer's "Open the original PDF"
              enable_monitoring=False, max_file_size=FILE_LIMIT, run_history=False, footer_links=[],
              show_error=False, ssr_mode=False, pwa=False, mcp_server=False, theme=theme, css=assets.css)
    finally:
        handlers.exports.close()


if __name__ == "__main__":
    sys.exit(main())
