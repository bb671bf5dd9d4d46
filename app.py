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
from html import escape as html_escape
from pathlib import Path

log = logging.getLogger("quoteqa.app")

QUEUE_SIZE = 16  # waiting requests beyond this get Gradio's immediate "queue is full" error
CONCURRENCY = 2  # one request per core; a request takes ~15 ms of CPU
BATCH_SIZE = 16  # /ask calls waiting together are answered with one model call
FILE_LIMIT = "16kb"  # the app takes no uploads; keep the route that exists anyway small
SESSIONS = 500  # sessions whose state is kept (a chat tab, or one /ask call); the oldest is dropped beyond:
# tens of KB each, more with every turn. A dropped chat comes back (Handlers.restore).
# a page whose session was dropped gets back at most this many of its latest turns: as many as the
# engine reads of a conversation (Settings.max_history), so a page claiming fifty costs eight answers
RESTORE_TURNS = 8
CACHE_CLEANUP = (60, 600)  # every minute, delete Gradio's served copies of files older than 10 minutes
EXPORT_MAX_AGE_S = 600  # exports are deleted when their session ends, or after 10 minutes
UNDO_S = 10  # "Undo new conversation" is offered for this long

CSS = """
#qqa-header h1 { font-size: 1.6rem; margin: 0 0 .2em 0; }
#qqa-header details summary, .qqa-turn summary { cursor: pointer; }
.qqa-log { max-height: 68vh; overflow-y: auto; padding: .25rem .75rem; border: 1px solid var(--border-color-primary);
           border-radius: 8px; }
.qqa-turn { padding: .6rem 0 .9rem 0; border-bottom: 1px solid var(--border-color-primary); scroll-margin-top: .5rem; }
.qqa-turn h2.qqa-q { font-size: 1.05rem; margin: .2em 0 .5em 0; }
.qqa-quote { margin: .4em 0; padding: .2em .8em; border-left: 4px solid #2563eb; }
.qqa-quote ul { margin: .2em 0 .2em 1.2em; }
.qqa-lead { font-style: italic; margin: 0; }
.qqa-cite { background: none; border: none; padding: 0 .15em; color: var(--link-text-color, #1d4ed8);
            text-decoration: underline; font-weight: 600; cursor: pointer; font-size: inherit; }
.qqa-cite:focus-visible, .qqa-turn button:focus-visible { outline: 2px solid #1d4ed8; outline-offset: 2px; }
.qqa-gap { font-weight: 600; border-left: 4px solid #b45309; padding-left: .6em; }
.qqa-withheld { font-weight: 600; border-left: 4px solid #b91c1c; padding-left: .6em; }
.qqa-caution { display: inline-block; font-size: .85rem; font-weight: 600; color: #92400e; background: #fef3c7;
            border-radius: 4px; padding: 0 .35em; margin-left: .2em; }
.qqa-sources ol { list-style: none; padding-left: .2em; }
.qqa-sources, .qqa-disclaimer, .qqa-listnote, .qqa-searched, .qqa-meta, .qqa-path { font-size: .9rem; }
.qqa-disclaimer summary { font-style: italic; }
.qqa-actions { display: flex; flex-wrap: wrap; gap: .4em; align-items: center; margin-top: .4em; }
.qqa-actions button, .qqa-example { border: 1px solid var(--border-color-primary); border-radius: 6px;
            padding: .15em .6em; background: var(--button-secondary-background-fill); color: inherit; cursor: pointer; }
.qqa-actions button[aria-pressed='true'] { background: #1d4ed8; color: #fff; border-color: #1d4ed8; }
.qqa-reason input { margin: 0 .3em; padding: .1em .3em; border: 1px solid #6b7280; border-radius: 4px; }
.qqa-example { text-align: left; font-weight: normal; }
.qqa-empty ul, .qqa-offer ul { list-style: none; padding: 0; } .qqa-empty li, .qqa-offer li { margin: .3em 0; }
.qqa-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.qqa-notice { font-size: .9rem; margin: .2em 0; }
#qqa-side { position: sticky; top: .5rem; align-self: flex-start; }
#qqa-source { max-height: 85vh; overflow-y: auto; }
.qqa-source mark, .qqa-listnote mark { background: #ffe58a; color: #1a1a1a; padding: 0 .1em; }
.qqa-source h2 { font-size: 1.2rem; margin: 0 0 .25em 0; }
.qqa-source h3 { font-size: 1rem; margin: .8em 0 .2em 0; }
.qqa-meta, .qqa-path { margin: .1em 0; }
.qqa-ref { font-variant: small-caps; font-size: .85em; background: #eef2f7; color: #1f2937; border-radius: 3px; padding: 0 .3em; }
.show-api, .show-api * { color: var(--body-text-color) !important; }  /* Gradio's grey fails 4.5:1 */
#qqa-ask { background: #1d4ed8; border-color: #1d4ed8; color: #fff; }
#qqa-ask:hover { background: #1e40af; }
/* pinned to the bottom of the conversation's box, so that it shows with the answer it points to;
   on a phone (no box: the answer may be taller than the screen) to the bottom of the screen for a
   few seconds, then in its place (CHAT_JS adds qqa-settled) */
.qqa-repeat { font-weight: 600; position: sticky; bottom: 0; margin: 0; padding: .5em .25em;
              background: var(--background-fill-primary, #fff); border-top: 1px solid var(--border-color-primary); }
.qqa-banner { border-left: 4px solid #d97706; padding: .4em .8em; background: #fff7ed; color: #7c2d12; }
.qqa-close { display: none; }
/* On a phone the viewer sits below everything: a citation opens it over the page instead, with a
   Close button (and Escape) that returns to the citation (SOURCE_JS). */
@media (max-width: 700px) {
  .qqa-log { max-height: none; } #qqa-side { position: static; } #qqa-source { max-height: none; }
  .qqa-repeat { position: fixed; left: 0; right: 0; bottom: 0; z-index: 900; padding: .75em 1em;
                box-shadow: 0 -2px 8px rgba(0, 0, 0, .15); }
  .qqa-repeat.qqa-settled { position: static; box-shadow: none; padding: .5em .25em; }
  #qqa-side.qqa-open { position: fixed; inset: 0; width: 100vw; height: 100vh; height: 100dvh; max-width: none;
                       z-index: 1000; margin: 0; padding: .75rem 1rem 2rem; box-sizing: border-box;
                       overflow-y: auto; background: var(--background-fill-primary, #fff); }
  #qqa-side.qqa-open .qqa-close { display: block; position: sticky; top: 0; margin-left: auto; z-index: 1;
                       border: 1px solid var(--border-color-primary); border-radius: 6px; padding: .4em 1em;
                       background: var(--button-secondary-background-fill); color: inherit; font-weight: 600; }
}
/* Printed (the Print button or Ctrl+P): the whole conversation, sources open (CHAT_JS opens every
   fold before printing), the disclaimer once (the page's footer), no buttons, fields or viewer. */
@media print {
  #qqa-header details, #qqa-header .qqa-banner, #qqa-question, #qqa-notice, #qqa-side, #qqa-tools, #qqa-undo,
  #qqa-ask, #qqa-new, .qqa-suggest, .qqa-actions, .qqa-turn .qqa-disclaimer, .qqa-repeat, .qqa-empty ul, .qqa-offer,
  footer, .show-api { display: none !important; }
  .qqa-log { max-height: none !important; overflow: visible !important; border: none; }
  .qqa-cite { text-decoration: none; color: inherit; }
  .qqa-turn h2.qqa-q { break-after: avoid; }
  .qqa-quote { break-inside: avoid; }
  details > summary { list-style: none; }
}
"""

# The conversation's buttons become one "click" event with what was pressed; copying stays in the
# browser. After a new answer (or the last question asked again) the view moves to that answer's
# top (its question and first quote), not to the bottom; after any other re-render the reader's
# place in the log is kept.
CHAT_JS = """
let seen = element.querySelectorAll('.qqa-turn').length;
// Printing shows every fold (sources, partial lists) and puts them back as they were after.
const opened = [];
// Gradio's container hides what overflows it (custom CSS cannot reach it: Gradio scopes it inside),
// which cut a long conversation's last printed page, the disclaimer with it.
const container = () => element.closest('.gradio-container');
window.addEventListener('beforeprint', () => {
  element.querySelectorAll('.qqa-turn details:not([open])').forEach((d) => { d.open = true; opened.push(d); });
  if (container()) container().style.overflow = 'visible';
});
window.addEventListener('afterprint', () => {
  opened.splice(0).forEach((d) => { d.open = false; });
  if (container()) container().style.overflow = '';
});
let keep = null;
const log = () => element.querySelector('.qqa-log');
function copy(text, button) {
  const done = () => { button.textContent = 'Copied'; setTimeout(() => { button.textContent = 'Copy answer'; }, 2000); };
  if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(text).then(done, () => {}); return; }
  const area = document.createElement('textarea'); area.value = text; document.body.appendChild(area);
  area.select(); document.execCommand('copy'); area.remove(); done();
}
element.addEventListener('click', (ev) => {
  const b = ev.target.closest('button[data-action]');
  if (!b || !element.contains(b)) return;
  const d = b.dataset;
  if (d.action === 'copy') { copy(b.parentElement.querySelector('.qqa-copytext').value, b); return; }
  keep = log() ? log().scrollTop : null;
  const data = {action: d.action, turn: Number(d.turn ?? -1), number: Number(d.n ?? 0), rating: d.rating || '', text: d.text || ''};
  if (d.action === 'reason') { const input = element.querySelector('#qqa-reason-' + d.turn); data.text = input ? input.value : ''; }
  if (d.action === 'cite') {
    window.qqaCited = true; window.qqaFrom = {turn: d.turn, n: d.n};
    if (window.qqaOpenSource) window.qqaOpenSource();
  }
  trigger('click', data);
});
element.addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter' && ev.target.matches('.qqa-reason input')) {
    ev.preventDefault(); ev.target.parentElement.querySelector('button[data-action=reason]').click();
  }
});
watch('value', () => {
  const turns = element.querySelectorAll('.qqa-turn');
  const repeat = element.querySelector('.qqa-repeat');
  if (turns.length > seen || repeat) { turns[turns.length - 1].scrollIntoView({block: 'start'}); }
  if (repeat) { setTimeout(() => repeat.classList.add('qqa-settled'), 8000); }
  else if (keep !== null && log()) { log().scrollTop = keep; }
  seen = turns.length; keep = null;
});
"""

# The export's file, once made: download it under its own name (the conversation and the time).
EXPORT_JS = """
(file) => {
  if (!file || !file.url) return;
  const a = document.createElement('a');
  a.href = file.url; a.download = file.orig_name || 'quoteqa-conversation.md';
  document.body.appendChild(a); a.click(); a.remove();
}
"""

# A citation was pressed: bring the first quoted sentence into view and move focus to the source;
# on a phone the viewer opens over the page. "Close" (phone), Escape and "Back to answer n" put
# focus back on the citation that opened it (CHAT_JS keeps which one in window.qqaFrom).
SOURCE_JS = """
const side = element.closest('#qqa-side') || element;
const phone = () => window.matchMedia('(max-width: 700px)').matches;
function back() {
  const open = side.classList.contains('qqa-open');
  side.classList.remove('qqa-open'); side.removeAttribute('role'); side.removeAttribute('aria-modal');
  const f = window.qqaFrom || {};
  const cite = document.querySelector(`#qqa-turn-${f.turn} .qqa-cite[data-n="${f.n}"]`)
    || document.querySelector(`#qqa-turn-${f.turn}`);
  if (cite) { cite.focus({preventScroll: true}); cite.scrollIntoView({block: 'center'}); }
  return open;
}
element.addEventListener('click', (ev) => {
  if (ev.target.closest('.qqa-close, .qqa-back')) { ev.preventDefault(); back(); }
});
document.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape' && side.classList.contains('qqa-open')) { ev.preventDefault(); back(); }
});
function show() {
  const title = element.querySelector('#qqa-source-title');
  if (title) title.focus({preventScroll: true});
  const mark = element.querySelector('mark');
  (mark || title || element).scrollIntoView({block: 'center'});
}
// called on the click itself, so that the same citation pressed again (no new value) still opens
window.qqaOpenSource = () => {
  if (phone()) {
    side.classList.add('qqa-open'); side.setAttribute('role', 'dialog'); side.setAttribute('aria-modal', 'true');
    side.setAttribute('aria-labelledby', 'qqa-source-title'); side.scrollTop = 0;
  }
  show();
};
watch('value', () => {
  if (!window.qqaCited) return;
  window.qqaCited = false;
  show();
});
"""


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

    if not (index / "current").exists() and not (index / "manifest.json").exists():
        from ingest import build_index

        print(f"No index at {index}: building it from {corpus} ...", file=sys.stderr, flush=True)
        result = build_index(corpus, index, encoder=encoder)
        print(f"Index built in {result.seconds:.1f} s.", file=sys.stderr, flush=True)
    engine = qa.load(index, encoder=encoder)
    return engine, stale_against(engine, corpus)


def stale_against(engine, corpus: Path) -> list[str]:
    from qa.index import changes_since, corpus_fingerprint

    return changes_since(engine.manifest, corpus_fingerprint(corpus)) if corpus.is_dir() else []


# What the page's events update, in order; `suggested` stands for the SUGGESTIONS buttons. `asked`
# stays last: clients of the event protocol read the questions the page holds from there.
OUTPUTS = ("box", "chat", "turns", "ratings", "source", "header", "suggested", "tools", "undo", "asked")


def outputs(**values) -> tuple:
    """One value for each of OUTPUTS, in order: those given, and "leave as it is" for the rest."""
    import gradio as gr
    from qa.present import SUGGESTIONS

    unknown = set(values) - set(OUTPUTS)
    assert not unknown, f"not an output of the page: {unknown}"
    out: list = []
    for name in OUTPUTS:
        if name == "suggested":
            out += values.get(name, [gr.skip()] * SUGGESTIONS)
        else:
            out.append(values.get(name, gr.skip()))
    return tuple(out)


def _history(turns: list) -> list[str]:
    """The questions a follow-up is read against: those answered or declined, not failed ones."""
    return [a.question for a in turns if a.status in ("answered", "abstained")]


class Handlers:
    """The page's callbacks; each turns engine output into component values."""

    def __init__(self, live, feedback_path: Path, corpus: Path):
        self.live = live  # qa.index.LiveIndex of engines: follows index rebuilds while serving
        self.corpus = corpus
        self.stale = {live.current.index_build: stale_against(live.current, corpus)}
        self.page_build = live.current.index_build  # whose header new pages open with (page_header)
        self.feedback_path = feedback_path
        from serving import ExportFiles

        self.exports = ExportFiles(max_age_s=EXPORT_MAX_AGE_S)  # per-session folders, random names, 0600
        self._questions: tuple[str, dict] = ("", {})  # (index build, article id -> questions a refusal offers)
        self.metrics = None  # serving.Metrics, when served: answers are counted by status

    def record(self, via: str, answer_json: dict, question: str = "") -> None:
        """An answer given through Gradio's queue: one log line, one count ("chat", "gradio-api")."""
        from serving import log_answer

        log_answer(via, answer_json, question)
        if self.metrics is not None:
            self.metrics.answered(answer_json.get("status", "error"), via)

    def metrics_state(self) -> dict:
        """What /metrics reports of the index: its build, its articles, the rebuilds loaded or refused."""
        engine = self.engine
        return {"index_build": engine.index_build, "articles": len(engine.articles), "reloads": dict(self.live.reloads)}

    @property
    def engine(self):
        return self.live.current

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
        its turns so far). Gradio keeps each value sent in the session's state, and the header
        lists every article: sent with every answer, it cost each session a copy of that list."""
        import gradio as gr

        build = shown[-1].index_build if shown else self.page_build
        return self.header() if self.engine.index_build != build else gr.skip()

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

    def restore(self, turns: list, asked) -> list:
        """The turns of a page whose session state the server dropped (past --sessions, the
        oldest go): asked again, in order, from the questions the page holds (`asked`). The same
        index gives the same answers; the thumbs pressed are not kept. Otherwise `turns` as is."""
        if turns or not isinstance(asked, list) or not asked:
            return turns
        questions = [q for q in (" ".join(q.split())[:1000] for q in asked if isinstance(q, str)) if q]
        # each read with the questions before it on the page, as it was first (the engine reads the last 8)
        calls = [(q, questions[:k]) for k, q in enumerate(questions)][-RESTORE_TURNS:]
        try:  # one model call for all of them
            turns = list(self.engine.ask_batch(calls))
        except Exception:  # each alone, so a failing one gets the error message, not all
            turns = [self.ask(q, h) for q, h in calls]
        log.info("restored a dropped session: asked its %d earlier question(s) again", len(turns))
        return turns

    def respond(self, message, turns, ratings, asked=None):
        """Answer a question typed, clicked as an example or suggested. An empty question does
        nothing; the same question as the last one is not asked again: the page says where its
        answer is and shows it."""
        import gradio as gr
        from qa.present import SUGGESTIONS, VIEWER_HINT

        message = " ".join((message or "").split())
        turns = self.restore(turns, asked) if message else turns  # nothing to ask: nothing to replay
        if not message:
            return outputs()
        if turns and turns[-1].question == message:
            # the box is left as it is: whatever was typed meanwhile is not wiped by this reply
            return outputs(chat=self.conversation(turns, ratings, repeated=True))
        answer, header = self.ask(message, _history(turns)), self.header_update(turns)
        self.record("chat", {"status": answer.status, "quotes": answer.quotes, "index_build": answer.index_build,
                             "ms": answer.ms}, message)
        turns = [*turns, answer]
        suggestions = self._suggestions(answer)
        buttons = [gr.update(value=s, visible=True) for s in suggestions]
        buttons += [gr.update(value="", visible=False)] * (SUGGESTIONS - len(buttons))
        return outputs(box="", chat=self.conversation(turns, ratings), turns=turns, ratings=ratings,
                       source=VIEWER_HINT, header=header, suggested=buttons, tools=gr.update(visible=True),
                       undo=gr.update(visible=False), asked=[a.question for a in turns])

    def conversation(self, turns, ratings, repeated: bool = False) -> str:
        """`ratings`: turn -> "up" or "down", with " noted" once a reason was recorded; `repeated`:
        the last question was just asked again."""
        from qa.present import conversation_html

        html = conversation_html(turns, {t: r.split()[0] for t, r in ratings.items()}, examples=self.examples,
                                 noted={t for t, r in ratings.items() if r.endswith(" noted")}, repeated=repeated,
                                 titles=[a.title for a in self.engine.articles.values()],
                                 questions=self.article_questions())
        # Gradio keeps this per session. In ASCII (“ as &#8220;, the same on screen) a Python string
        # takes one byte a character; one curly quote would make the whole of it take two.
        return html.encode("ascii", "xmlcharrefreplace").decode("ascii")

    def article_questions(self) -> dict[str, tuple[str, ...]]:
        """Each article's questions, which a refusal offers: worked out once per index build."""
        from qa.present import questions_by_article

        engine = self.engine
        if self._questions[0] != engine.index_build:
            self._questions = (engine.index_build, questions_by_article(engine))
        return self._questions[1]

    @property
    def examples(self) -> list[str]:
        return [e for a in self.engine.articles.values() if not a.retracted for e in (a.examples or (a.title,))][:6]

    def clear(self, turns, ratings, asked):
        """New conversation: the screen, the follow-up history, the ratings and the export, all
        empty; what was cleared is kept for "Undo" (`undo`) until the undo timer ticks."""
        import gradio as gr
        from qa.present import SUGGESTIONS, VIEWER_HINT

        kept = {"turns": turns, "ratings": ratings, "asked": asked} if turns else None
        return (*outputs(box="", chat=self.conversation([], {}), turns=[], ratings={}, source=VIEWER_HINT,
                         header=self.header_update([]), suggested=[gr.update(value="", visible=False)] * SUGGESTIONS,
                         tools=gr.update(visible=False), undo=gr.update(visible=kept is not None), asked=[]),
                gr.update(value=None), kept, gr.Timer(active=kept is not None))

    def undo(self, kept):
        """Bring back the conversation "New conversation" cleared, as it was (thumbs included)."""
        import gradio as gr

        if not kept:
            return (*outputs(undo=gr.update(visible=False)), None, gr.Timer(active=False))
        turns, ratings = kept["turns"], kept["ratings"]
        return (*outputs(chat=self.conversation(turns, ratings), turns=turns, ratings=ratings,
                         header=self.header_update([]), tools=gr.update(visible=True),
                         undo=gr.update(visible=False), asked=kept["asked"]), None, gr.Timer(active=False))

    def on_chat(self, turns, ratings, data: dict, asked=None):
        """A button inside the conversation: `cite` opens a source, `rate` and `reason` record
        feedback, `ask` asks an example question."""
        if data.get("action") == "ask":
            return self.respond(str(data.get("text", "")), turns, ratings, asked)
        restored = self.restore(turns, asked)
        values = self._on_turn(restored, ratings, data)
        if restored is turns:
            return values
        # the session had been dropped and its turns were asked again: keep them, show them
        import gradio as gr

        shown = values[3] if isinstance(values[3], dict) else ratings
        return outputs(chat=self.conversation(restored, shown), turns=restored, ratings=shown, source=values[4],
                       tools=gr.update(visible=bool(restored)), asked=[a.question for a in restored])

    def _on_turn(self, turns, ratings, data: dict):
        """`on_chat` for a button of one turn: a citation or a thumb."""
        action = data.get("action")
        try:
            turn = int(data.get("turn", -1))
        except (TypeError, ValueError):
            return outputs()
        if not 0 <= turn < len(turns):
            return outputs()
        if action == "cite":
            return outputs(source=self.source(turns, turn, data.get("number")))
        if action == "rate" and data.get("rating") in ("up", "down"):
            ratings = self.rate(turns, ratings, turn, data["rating"])
        elif action == "reason" and str(data.get("text", "")).strip() and turn in ratings:
            rating = ratings[turn].split()[0]
            self.feedback(turns[turn], rating, reason=" ".join(str(data["text"]).split())[:200])
            ratings = {**ratings, turn: f"{rating} noted"}
        else:
            return outputs()
        return outputs(chat=self.conversation(turns, ratings), ratings=ratings)

    def rate(self, turns, ratings, turn: int, rating: str) -> dict:
        """Press a thumb: record it; press the same thumb again: record an undo of it."""
        previous = ratings.get(turn, "").split()[0] if turn in ratings else None
        ratings = {k: v for k, v in ratings.items() if k != turn}
        if previous == rating:
            self.feedback(turns[turn], "undo", undoes=previous)
        else:
            self.feedback(turns[turn], rating, replaces=previous)
            ratings[turn] = rating
        return ratings

    def readiness(self) -> dict:
        """For `GET /readyz`: ready once the index is loaded and verified and the model is loaded
        (both happen before the server starts); not ready while a rebuilt index is being loaded."""
        engine = self.live.current
        if self.live.loading:
            return {"ready": False, "reason": "loading a rebuilt index", "index_build": engine.index_build}
        return {"ready": True, "index_build": engine.index_build}  # no login asked: nothing more than the build

    # source viewer ------------------------------------------------------------------------------

    def source(self, turns, turn: int, number) -> str:
        """The viewer for citation `number` of answer `turn`, numbered as the page numbers it."""
        from qa.present import numbered, source_html

        try:
            return source_html(self.engine, numbered(turns[:turn + 1])[turn], turn, int(number))
        except (TypeError, ValueError):
            return "<p class='qqa-meta'>Select a citation such as [1] to read its source.</p>"

    def _suggestions(self, answer) -> list[str]:
        """Follow-ups for the sections next to the quoted ones, topics only ("In Conclusion" is none)."""
        from qa.present import SUGGESTIONS, follow_up, neighbouring_sections

        found = (follow_up(heading) for _, heading in neighbouring_sections(self.engine, answer.quotes, limit=50))
        return list(dict.fromkeys(q for q in found if q))[:SUGGESTIONS]

    # feedback and export -----------------------------------------------------------------------

    def feedback(self, answer, rating: str, **extra) -> None:
        """Append one feedback line: "up", "down" or "undo" (of `undoes`), with an optional reason."""
        record = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "rating": rating, **{k: v for k, v in extra.items() if v},
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

    def export(self, turns, session: str = "no-session", asked=None):
        """A new file of the conversation as it is now, named for its first question and the time;
        the page downloads it at once (EXPORT_JS). Nothing asked: nothing to export."""
        import gradio as gr
        from qa.present import conversation_markdown, describe_article, export_name

        turns, engine = self.restore(turns, asked), self.engine
        if not turns:
            gr.Info("There is nothing to export yet: ask a question first.")
            return gr.update(value=None)
        builds = ", ".join(dict.fromkeys(a.index_build for a in turns))
        text = conversation_markdown(turns, disclaimer=engine.disclaimer, index_digest=builds,
                                     built_at=engine.manifest.built_at,
                                     articles=[describe_article(a) for a in engine.articles.values()])
        path = self.exports.write(session, text, name=export_name(turns))  # a new private file
        return gr.update(value=str(path))

    # the JSON API (gradio_client) ------------------------------------------------------------------

    def api_ask(self, question: str, history: list[str]) -> dict:
        """Answer `question` given earlier questions (oldest first); the same JSON as `python -m qa --json`.

        Served batched: Gradio passes lists of the queued calls' arguments (up to BATCH_SIZE) and
        the engine encodes them in one model call. The hints describe one call, as clients see it."""
        answers = self.answer_calls(list(zip(question, history)))
        for q, answer in zip(question, answers):
            self.record("gradio-api", answer, q if isinstance(q, str) else "")
        return (answers,)

    def answer_calls(self, calls: list) -> list[dict]:
        """The answer JSON of each (question, history) call, the batch encoded in one model call; a
        malformed call gets its own "invalid" answer and spoils none of the others."""
        from qa.present import answer_json
        from serving import ask_call_problem

        problems = [ask_call_problem(q, h) for q, h in calls]
        good = [(q, h or []) for (q, h), p in zip(calls, problems) if p is None]
        try:
            answered = iter(self.engine.ask_batch(good))
        except Exception:  # answer each one alone, so one failing call gets the error message, not all
            answered = iter([self.ask(q, h) for q, h in good])
        return [answer_json(next(answered)) if p is None else self.invalid(q, p) for (q, _), p in zip(calls, problems)]

    def invalid(self, question, problem: str) -> dict:
        """The JSON of an "invalid" answer: what is wrong with the call, and the disclaimer."""
        from dataclasses import replace

        from qa.present import answer_json

        return answer_json(replace(self.engine.error_answer(question if isinstance(question, str) else "", problem),
                                   status="invalid"))


def header_html(engine, stale: list[str]) -> str:
    """One h1, what the page does, and the build details folded into "About this index"."""
    from qa.present import describe_article

    escape = html_escape

    articles = "".join(f"<li>{escape(describe_article(a))}</li>" for a in engine.articles.values())
    text = (f"<h1>QuoteQA</h1><p>Answers are quoted word for word from {len(engine.articles)} indexed articles, "
            "each quote with its source. Nothing is written by the app itself.</p>"
            f"<details class='qqa-about'><summary>About this index</summary><ul>{articles}</ul>"
            f"<p>Index build <code>{escape(engine.index_build)}</code>, built {escape(engine.manifest.built_at)}.</p>"
            "</details>")
    if stale:
        listed = escape("; ".join(stale[:4]))
        text += (f"<div class='qqa-banner' role='alert'><strong>The index is older than the corpus</strong> "
                 f"({listed}). Answers come from the previous build. Run <code>python -m ingest</code> and restart.</div>")
    return text


NOTICE = ("<p class='qqa-notice' id='qqa-notice'><strong>Do not enter patient identifiers</strong> "
          "(names, dates of birth, record or NHS numbers, addresses): ask about the clinical question only.</p>")


def build_ui(handlers: Handlers):
    import gradio as gr

    engine = handlers.engine
    with gr.Blocks(title="QuoteQA") as demo:
        ui = _layout(handlers)
        _wire(handlers, ui)
        # Always on the page, so that Gradio's own messages ("Queue is full") are read with it too.
        gr.HTML(f"<p>{html_escape(engine.disclaimer)}</p>", elem_id="qqa-footer")
        gr.api(handlers.api_ask, api_name="ask", batch=True, max_batch_size=BATCH_SIZE)
    return demo


def _layout(handlers: Handlers) -> dict:
    """The page's components, by name (inside an open gr.Blocks)."""
    import gradio as gr
    from qa.present import SUGGESTIONS, VIEWER_HINT

    examples = handlers.examples
    ui = {"header": gr.HTML(handlers.page_header(), elem_id="qqa-header"), "turns": gr.State([]), "ratings": gr.State({}),
          # The questions of the conversation, held by the page itself: when the server has dropped
          # this session's state (past --sessions), they bring the conversation back (Handlers.restore).
          "asked": gr.JSON([], visible=False)}
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            ui["chat"] = gr.HTML(handlers.conversation([], {}), elem_id="qqa-chat", js_on_load=CHAT_JS,
                                 padding=False, apply_default_css=True)
            ui["box"] = gr.Textbox(label="Your question", placeholder="e.g. " + (examples[0] if examples else ""),
                                   lines=1, max_lines=4, elem_id="qqa-question", autofocus=True, max_length=1000)
            gr.HTML(NOTICE)
            with gr.Row():
                ui["send"] = gr.Button("Ask", variant="primary", min_width=80, elem_id="qqa-ask")
                ui["new"] = gr.Button("New conversation", min_width=160, elem_id="qqa-new")
                ui["undo"] = gr.Button("Undo new conversation", visible=False, min_width=160, elem_id="qqa-undo")
            with gr.Row():
                ui["suggested"] = [gr.Button("", visible=False, size="sm", elem_classes=["qqa-suggest"])
                                   for _ in range(SUGGESTIONS)]
            # offered once there is a conversation to keep
            with gr.Row(visible=False, elem_id="qqa-tools") as ui["tools"]:
                ui["export"] = gr.Button("Export conversation", size="sm", min_width=120, elem_id="qqa-export")
                ui["print"] = gr.Button("Print", size="sm", min_width=80, elem_id="qqa-print")
            # the export's file: never shown, the page downloads it as soon as it is made
            ui["export_file"] = gr.File(visible=False, interactive=False, elem_id="qqa-export-file")
            ui["cleared"] = gr.State(None)  # the conversation "New conversation" cleared, for "Undo"
            ui["undo_timer"] = gr.Timer(UNDO_S, active=False)
        with gr.Column(scale=2, min_width=300, elem_id="qqa-side"):
            ui["source"] = gr.HTML(VIEWER_HINT, elem_id="qqa-source", js_on_load=SOURCE_JS)
    return ui


def _wire(handlers: Handlers, ui: dict) -> None:
    """Connect the components' events to the handlers; none of them is part of the public API."""
    import gradio as gr

    chat, turns, ratings, box, suggested = ui["chat"], ui["turns"], ui["ratings"], ui["box"], ui["suggested"]
    asked, undo, cleared, timer = ui["asked"], ui["undo"], ui["cleared"], ui["undo_timer"]
    named = {**ui, "suggested": None}
    outs = [c for name in OUTPUTS for c in (suggested if name == "suggested" else [named[name]])]
    # "once": a second Enter while the first question is answered is dropped, not asked again.
    private = dict(api_visibility="private")
    ask = dict(private, trigger_mode="once")
    box.submit(handlers.respond, [box, turns, ratings, asked], outs, **ask)
    ui["send"].click(handlers.respond, [box, turns, ratings, asked], outs, **ask)
    for button in suggested:
        button.click(handlers.respond, [button, turns, ratings, asked], outs, **ask)

    # Gradio hands event data to a parameter annotated with its type.
    def on_chat(t, r, a, evt: gr.EventData):
        return handlers.on_chat(t, r, dict(getattr(evt, "_data", None) or {}), a)

    chat.click(on_chat, [turns, ratings, asked], outs, **private)

    def on_export(t, a, request: gr.Request):  # the session names the export's private folder
        return handlers.export(t, request.session_hash or "no-session", a)

    ui["export"].click(on_export, [turns, asked], ui["export_file"], **private).then(
        None, ui["export_file"], None, js=EXPORT_JS, **private)
    ui["print"].click(None, None, None, js="() => { window.print(); }", **private)
    ui["new"].click(handlers.clear, [turns, ratings, asked], [*outs, ui["export_file"], cleared, timer], **private)
    undo.click(handlers.undo, cleared, [*outs, cleared, timer], **private)
    timer.tick(lambda: (gr.update(visible=False), None, gr.Timer(active=False)), None, [undo, cleared, timer],
               **private)


def main(argv: list[str] | None = None) -> int:
    # Before gradio or the model library is imported: no telemetry, no hub.
    from qa.embed import OFFLINE_ENV

    os.environ.update(OFFLINE_ENV)
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ.setdefault("GRADIO_SSR_MODE", "False")
    args = parse_args(argv)
    from serving import setup_logging

    setup_logging(questions=args.log_questions)  # JSON lines; no question text unless asked for
    auth = read_auth(dict(os.environ))

    from qa.errors import QuoteQAError

    try:
        engine, stale = prepare_engine(args.index, args.corpus, args.encoder)
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
    from serving import AskApi, GuardSettings, Metrics, allowed_origins_from, serve

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
        api = AskApi(answer_batch=handlers.answer_calls, invalid=handlers.invalid, auth=auth, max_batch=BATCH_SIZE)
        handlers.metrics = Metrics(handlers.metrics_state)
        banner = f"index build {engine.index_build}, {len(engine.articles):,} article{'s' if len(engine.articles) != 1 else ''}"
        serve(demo, host=args.host, port=args.port, guards=guards, ready=handlers.readiness, api=api,
              metrics=handlers.metrics, banner=banner, auth=auth,
              auth_message="QuoteQA: sign in with your hospital account." if auth else None,
              enable_monitoring=False, max_file_size=FILE_LIMIT, run_history=False, footer_links=[],
              show_error=False, ssr_mode=False, pwa=False, mcp_server=False, theme=theme, css=CSS)
    finally:
        handlers.exports.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
