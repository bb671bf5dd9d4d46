"""The chat page's callbacks: each takes what the page holds (its turns, ratings and questions) and
returns a `PageUpdate` naming what changes. Answers come from `Service`, HTML from `qa.present`.

No layout and no wiring here (`layout.py`): a handler runs with hand-made `Answer`s and no server.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from .export import conversation_export
from .feedback import feedback_record, write_feedback
from .ratings import THUMBS, Rating, noted, press, thumbs, with_reason
from .update import KEEP, PageUpdate

EXPORT_MAX_AGE_S = 600  # exports are deleted when their session ends, or after 10 minutes
CITE_HINT = "<p class='qqa-meta'>Select a citation such as [1] to read its source.</p>"


@dataclass(frozen=True, kw_only=True)
class Cleared:
    """The conversation "New conversation" cleared, kept for "Undo" until the undo timer ticks."""
    turns: list
    ratings: dict[int, Rating]
    asked: list
    scope: list = field(default_factory=list)  # the article ids its questions were being asked of


def _history(turns: list) -> list[str]:
    """The questions a follow-up is read against: those answered or declined, not failed ones."""
    return [a.question for a in turns if a.status in ("answered", "abstained")]


def _asked(turns: list) -> list[str]:
    return [a.question for a in turns]


def _scope(scope) -> list[str]:
    """The article ids the page holds as its scope (what is not a list of ids counts as none)."""
    return [a for a in scope if isinstance(a, str)] if isinstance(scope, list) else []


class Handlers:
    """The page's callbacks; each turns engine output into component values."""

    def __init__(self, service, feedback_path: Path):
        self.service = service  # chatpage.Service: the live engine and what the page shares with /ask
        self.feedback_path = feedback_path
        from serving import ExportFiles

        self.exports = ExportFiles(max_age_s=EXPORT_MAX_AGE_S)  # per-session folders, random names, 0600

    @property
    def engine(self):
        return self.service.engine

    # answering ---------------------------------------------------------------------------------

    def restore(self, turns: list, asked) -> list:
        """The turns of a page whose session state the server dropped (past --sessions, the
        oldest go): its questions (`asked`) asked again (`Service.replay`). Otherwise `turns` as is."""
        replayed = None if turns else self.service.replay(asked)
        return turns if replayed is None else replayed

    def respond(self, message, turns, ratings, asked=None, scope=None) -> PageUpdate:
        """Answer a question typed, clicked as an example or suggested, from the articles of the
        page's `scope` when it holds one. An empty question does nothing; the same question as the
        last one, of the same articles, is not asked again: the page says where its answer is."""
        message, scope = " ".join((message or "").split()), _scope(scope)
        if not message:
            return PageUpdate()
        if any(a not in self.engine.articles for a in scope):
            return self._scope_gone(scope)
        turns = self.restore(turns, asked)
        if turns and turns[-1].question == message and list(turns[-1].scope) == scope:
            # the box is left as it is: whatever was typed meanwhile is not wiped by this reply
            return PageUpdate(chat=self.conversation(turns, ratings, repeated=True))
        answer, header = self.service.ask(message, _history(turns), scope), self.service.header_update(turns)
        self.service.record("chat", {"status": answer.status, "quotes": answer.quotes,
                                     "index_build": answer.index_build, "ms": answer.ms}, message)
        turns = [*turns, answer]
        return PageUpdate(box="", chat=self.conversation(turns, ratings), turns=turns, ratings=ratings,
                          source=_viewer_hint(), header=header, suggested=self._suggested(answer),
                          tools=_visible(True), undo=_visible(False), asked=_asked(turns))

    def _scope_gone(self, scope: list[str]) -> PageUpdate:
        """The page's scope names an article a rebuild took out: the question is not asked (not of
        the wrong articles, nor of all of them unasked), the reader is told, and the scope keeps
        what is still indexed; the question stays in the box to ask again."""
        import gradio as gr

        kept = [a for a in scope if a in self.engine.articles]
        gr.Warning("An article these questions were asked of is no longer in the index (it was rebuilt without "
                   "it), so the question was not asked. " + ("The scope now holds the others: ask again." if kept else
                   "The scope is removed: ask again to search all the indexed articles."))
        return PageUpdate(scope=kept, chip=self.chip(kept))

    def conversation(self, turns, ratings: dict[int, Rating], repeated: bool = False) -> str:
        """The conversation's HTML, each answer with its thumb and whether a reason was noted;
        `repeated`: the last question was just asked again."""
        from qa.present import conversation_html

        html = conversation_html(turns, thumbs(ratings), examples=self.service.examples,
                                 noted=with_reason(ratings), repeated=repeated,
                                 titles=self.service.lists().titles,
                                 questions=self.service.article_questions(), articles=self.engine.articles)
        # Gradio keeps this per session. In ASCII (“ as &#8220;, the same on screen) a Python string
        # takes one byte a character; one curly quote would make the whole of it take two.
        return html.encode("ascii", "xmlcharrefreplace").decode("ascii")

    def _suggested(self, answer=None) -> list:
        """One update per suggestion button: the follow-ups for the sections next to the quoted
        ones (topics only: "In Conclusion" is none), the buttons left over hidden."""
        import gradio as gr
        from qa.present import SUGGESTIONS, follow_up, neighbouring_sections

        near = neighbouring_sections(self.engine, answer.quotes, limit=50) if answer is not None else ()
        found = list(dict.fromkeys(q for q in (follow_up(heading) for _, heading in near) if q))[:SUGGESTIONS]
        return ([gr.update(value=s, visible=True) for s in found]
                + [gr.update(value="", visible=False)] * (SUGGESTIONS - len(found)))

    # a new conversation, and taking it back --------------------------------------------------------

    def clear(self, turns, ratings, asked, scope=None) -> PageUpdate:
        """New conversation: the screen, the follow-up history, the ratings, the scope and the
        export, all empty; what was cleared is kept for "Undo" (`undo`) until the undo timer ticks."""
        import gradio as gr

        kept = Cleared(turns=turns, ratings=ratings, asked=asked, scope=_scope(scope)) if turns else None
        return PageUpdate(box="", chat=self.conversation([], {}), turns=[], ratings={}, source=_viewer_hint(),
                          header=self.service.header_update([]), suggested=self._suggested(),
                          tools=_visible(False), undo=_visible(kept is not None), asked=[], scope=[], chip="",
                          export_file=gr.update(value=None), cleared=kept, undo_timer=gr.Timer(active=kept is not None))

    def undo(self, kept: Cleared | None) -> PageUpdate:
        """Bring back the conversation "New conversation" cleared, as it was (thumbs included)."""
        if not kept:
            return self.undo_expired()
        import gradio as gr

        return PageUpdate(chat=self.conversation(kept.turns, kept.ratings), turns=kept.turns, ratings=kept.ratings,
                          header=self.service.header_update([]), tools=_visible(True), undo=_visible(False),
                          asked=kept.asked, scope=kept.scope, chip=self.chip(kept.scope), cleared=None,
                          undo_timer=gr.Timer(active=False))

    @staticmethod
    def undo_expired() -> PageUpdate:
        """The undo timer ticked: "Undo new conversation" goes, and what it would have brought back."""
        import gradio as gr

        return PageUpdate(undo=_visible(False), cleared=None, undo_timer=gr.Timer(active=False))

    # the buttons inside the conversation --------------------------------------------------------

    def on_chat(self, turns, ratings, data: dict, asked=None, scope=None) -> PageUpdate:
        """A button inside the conversation: `cite` opens a source, `rate` and `reason` record
        feedback, `ask` asks an example question (of the scope), `everywhere` asks a scoped question
        its scope did not answer again of all the articles, and takes the scope away."""
        if data.get("action") == "ask":
            return self.respond(str(data.get("text", "")), turns, ratings, asked, scope)
        if data.get("action") == "everywhere":
            return replace(self.respond(str(data.get("text", "")), turns, ratings, asked, []), scope=[], chip="")
        restored = self.restore(turns, asked)
        update = self._on_turn(restored, ratings, data)
        if restored is turns:
            return update
        # the session had been dropped and its turns were asked again: keep them, show them
        shown = ratings if update.ratings is KEEP else update.ratings
        return replace(update, chat=self.conversation(restored, shown), turns=restored, ratings=shown,
                       tools=_visible(bool(restored)), asked=_asked(restored))

    def _on_turn(self, turns, ratings: dict[int, Rating], data: dict) -> PageUpdate:
        """`on_chat` for a button of one turn: a citation, a thumb, or the reason for a thumb."""
        action = data.get("action")
        try:
            turn = int(data.get("turn", -1))
        except (TypeError, ValueError):
            return PageUpdate()
        if not 0 <= turn < len(turns):
            return PageUpdate()
        if action == "cite":
            return PageUpdate(source=self.source(turns, turn, data.get("number")))
        if action == "rate" and data.get("rating") in THUMBS:
            ratings = self.rate(turns, ratings, turn, data["rating"])
        elif action == "reason" and str(data.get("text", "")).strip() and turn in ratings:
            self.feedback(turns[turn], ratings[turn].thumb, reason=" ".join(str(data["text"]).split())[:200])
            ratings = noted(ratings, turn)
        else:
            return PageUpdate()
        return PageUpdate(chat=self.conversation(turns, ratings), ratings=ratings)

    # the scope: which articles the next questions are asked of ----------------------------------

    def chip(self, scope) -> str:
        """The scope's chip by the question box ("" without a scope)."""
        from qa.present import scope_chip_html

        return scope_chip_html(_scope(scope), self.engine.articles)

    def find(self, query) -> str:
        """The article finder's list for `query` (its first matches by title; all articles when empty)."""
        import datetime

        from qa.present import found_html

        query = " ".join(query.split())[:200] if isinstance(query, str) else ""
        shown, total = self.service.lists().finder.find(query)
        return found_html(shown, total, query, len(self.engine.articles), datetime.date.today())

    def open_article(self, data: dict):
        """A found article pressed: the whole article in the viewer (or nothing, for anything else)."""
        import gradio as gr
        from qa.present import article_html

        article = data.get("article")
        if data.get("action") != "article" or not isinstance(article, str):
            return gr.skip()
        return article_html(self.engine, article)

    def on_source(self, data: dict) -> PageUpdate:
        """A button of the source viewer: "Ask about this article" scopes the next questions to it."""
        article = data.get("article")
        if data.get("action") != "scope" or not isinstance(article, str) or article not in self.engine.articles:
            return PageUpdate()
        return PageUpdate(scope=[article], chip=self.chip([article]))

    @staticmethod
    def unscope() -> PageUpdate:
        """The chip's remove button: the next questions are asked of every article again."""
        return PageUpdate(scope=[], chip="")

    def rate(self, turns, ratings: dict[int, Rating], turn: int, thumb: str) -> dict[int, Rating]:
        """Press a thumb: record it; press the same thumb again: record an undo of it."""
        previous = ratings.get(turn)
        ratings = press(ratings, turn, thumb)
        if turn in ratings:
            self.feedback(turns[turn], thumb, replaces=previous.thumb if previous else None)
        else:
            self.feedback(turns[turn], "undo", undoes=thumb)
        return ratings

    def source(self, turns, turn: int, number) -> str:
        """The viewer for citation `number` of answer `turn`, numbered as the page numbers it."""
        from qa.present import numbered, source_html

        try:
            return source_html(self.engine, numbered(turns[:turn + 1])[turn], turn, int(number), self.service.pdf_url)
        except (TypeError, ValueError):
            return CITE_HINT

    # feedback and export -----------------------------------------------------------------------

    def feedback(self, answer, rating: str, **extra) -> None:
        """Append one feedback line: "up", "down" or "undo" (of `undoes`), with an optional reason."""
        write_feedback(self.feedback_path, feedback_record(answer, rating, **extra), self.engine.disclaimer)

    def export(self, turns, session: str = "no-session", asked=None):
        """A new file of the conversation as it is now, named for its first question and the time;
        the page downloads it at once (export.js). Nothing asked: nothing to export."""
        import gradio as gr

        turns = self.restore(turns, asked)
        if not turns:
            gr.Info("There is nothing to export yet: ask a question first.")
            return gr.update(value=None)
        name, text = conversation_export(turns, self.engine)
        return gr.update(value=str(self.exports.write(session, text, name=name)))  # a new private file


def _visible(shown: bool):
    import gradio as gr

    return gr.update(visible=shown)


def _viewer_hint() -> str:
    from qa.present import VIEWER_HINT

    return VIEWER_HINT
