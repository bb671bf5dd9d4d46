"""The page: its components (`Page`, by name), laid out inside gr.Blocks, and their events wired to
the handlers; the `/ask` API registered beside them.

Handlers return `PageUpdate`s; `page_values` turns one into the dict of component -> value Gradio
takes. No answering and no HTML of answers here.
"""

# No `from __future__ import annotations`: Gradio reads `evt: gr.EventData` and `request: gr.Request`
# as types to know what to pass.
from dataclasses import dataclass
from functools import wraps
from html import escape

from .api import BATCH_SIZE
from .assets import Assets
from .header import NOTICE
from .update import PageUpdate

UNDO_S = 10  # "Undo new conversation" is offered for this long
# What the page's events update, in this order: clients of the event protocol read the results by
# position, and the questions the page holds (`asked`) from the last one.
OUTPUTS = ("box", "chat", "turns", "ratings", "source", "header", "suggested", "tools", "undo", "scope", "chip",
           "asked")


@dataclass(frozen=True)
class Page:
    """The page's components, by name (PageUpdate's fields name the ones an event may change)."""
    header: object
    turns: object  # gr.State: the answers so far
    ratings: object  # gr.State: turn -> Rating
    # The questions of the conversation, held by the page itself: when the server has dropped this
    # session's state (past --sessions), they bring the conversation back (Handlers.restore).
    asked: object
    # The ids of the articles the next questions are asked of ([]: all), held by the page like
    # `asked`; "Ask about this article" in the viewer sets it, the chip (`chip`) shows and removes it.
    scope: object
    chat: object
    box: object
    chip: object
    send: object
    new: object
    undo: object
    suggested: tuple  # the suggested-question buttons
    tools: object  # "Export conversation" and "Print", offered once there is a conversation to keep
    export: object
    print: object
    export_file: object  # never shown: the page downloads it as soon as it is made
    cleared: object  # gr.State: what "New conversation" cleared, for "Undo"
    undo_timer: object
    source: object
    find: object  # "Find an article": words of a title, publisher or tag
    found: object  # the articles found, each opening in the viewer

    def outputs(self, *names: str) -> list:
        """The components of `names`, in that order, each suggestion button in its place."""
        return [c for name in names for c in (self.suggested if name == "suggested" else (getattr(self, name),))]


def page_values(page: Page, update: PageUpdate, outputs: list):
    """`update` as Gradio's dict of component -> value; Gradio leaves the components it omits as
    they are. Nothing to change: gr.skip() (Gradio takes no empty dict)."""
    import gradio as gr

    values = {}
    for name, value in update.given().items():
        if name == "suggested":
            values.update(zip(page.suggested, value, strict=True))
        else:
            values[getattr(page, name)] = value
    stray = {id(c) for c in values} - {id(c) for c in outputs}
    if stray:
        raise ValueError(f"{update} changes components this event does not output")
    return values or gr.skip()


def build_ui(handlers, api, assets: Assets):
    """The chat page in gr.Blocks, wired to `handlers` (chatpage.Handlers), with Gradio's `/ask`
    API served by `api` (chatpage.GradioAsk)."""
    import gradio as gr

    with gr.Blocks(title="QuoteQA") as demo:
        page = page_components(handlers, assets)
        _wire(handlers, page, assets)
        # Always on the page, so that Gradio's own messages ("Queue is full") are read with it too.
        gr.HTML(f"<p>{escape(handlers.engine.disclaimer)}</p>", elem_id="qqa-footer")
        gr.api(api.ask, api_name="ask", batch=True, max_batch_size=BATCH_SIZE)
    return demo


def page_components(handlers, assets: Assets) -> Page:
    """The page's components, created in page order (inside an open gr.Blocks)."""
    import gradio as gr
    from qa.present import VIEWER_HINT

    ui = {"header": gr.HTML(handlers.service.page_header(), elem_id="qqa-header"), "turns": gr.State([]),
          "ratings": gr.State({}), "asked": gr.JSON([], visible=False), "scope": gr.JSON([], visible=False)}
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            ui.update(_conversation_column(handlers, assets))
        with gr.Column(scale=2, min_width=300, elem_id="qqa-side"):
            with gr.Accordion(f"Articles ({len(handlers.engine.articles):,})", open=False, elem_id="qqa-articles"):
                ui["find"] = gr.Textbox(label="Find an article", placeholder="words of its title, publisher or tags",
                                        lines=1, max_lines=1, max_length=200, elem_id="qqa-find")
                ui["found"] = gr.HTML(handlers.find(""), elem_id="qqa-found", js_on_load=assets.found_js, padding=False)
            ui["source"] = gr.HTML(VIEWER_HINT, elem_id="qqa-source", js_on_load=assets.source_js)
    return Page(**ui)


def _conversation_column(handlers, assets: Assets) -> dict:
    """The conversation, the question box and the buttons under it, by name."""
    import gradio as gr
    from qa.present import SUGGESTIONS

    examples = handlers.service.examples
    ui = {"chat": gr.HTML(handlers.conversation([], {}), elem_id="qqa-chat", js_on_load=assets.chat_js,
                          padding=False, apply_default_css=True),
          "box": gr.Textbox(label="Your question", placeholder="e.g. " + (examples[0] if examples else ""),
                            lines=1, max_lines=4, elem_id="qqa-question", autofocus=True, max_length=1000),
          "chip": gr.HTML("", elem_id="qqa-scope", js_on_load=assets.scope_js, padding=False)}
    gr.HTML(NOTICE)
    with gr.Row():
        ui["send"] = gr.Button("Ask", variant="primary", min_width=80, elem_id="qqa-ask")
        ui["new"] = gr.Button("New conversation", min_width=160, elem_id="qqa-new")
        ui["undo"] = gr.Button("Undo new conversation", visible=False, min_width=160, elem_id="qqa-undo")
    with gr.Row():
        ui["suggested"] = tuple(gr.Button("", visible=False, size="sm", elem_classes=["qqa-suggest"])
                                for _ in range(SUGGESTIONS))
    with gr.Row(visible=False, elem_id="qqa-tools") as ui["tools"]:
        ui["export"] = gr.Button("Export conversation", size="sm", min_width=120, elem_id="qqa-export")
        ui["print"] = gr.Button("Print", size="sm", min_width=80, elem_id="qqa-print")
    ui["export_file"] = gr.File(visible=False, interactive=False, elem_id="qqa-export-file")
    ui["cleared"] = gr.State(None)
    ui["undo_timer"] = gr.Timer(UNDO_S, active=False)
    return ui


def _named(page: Page, handler, outputs: list):
    """`handler` (which returns a PageUpdate) as Gradio calls it: same parameters, the dict of
    component -> value out."""
    @wraps(handler)
    def run(*args):
        return page_values(page, handler(*args), outputs)

    return run


def _wire(handlers, page: Page, assets: Assets) -> None:
    """Connect the components' events to the handlers; none of them is part of the public API."""
    import gradio as gr

    outs = page.outputs(*OUTPUTS)
    # "once": a second Enter while the first question is answered is dropped, not asked again.
    private = dict(api_visibility="private")
    ask = dict(private, trigger_mode="once")
    respond, held = _named(page, handlers.respond, outs), [page.turns, page.ratings, page.asked, page.scope]
    page.box.submit(respond, [page.box, *held], outs, **ask)
    page.send.click(respond, [page.box, *held], outs, **ask)
    for button in page.suggested:  # the question is the button's own label
        button.click(respond, [button, *held], outs, **ask)

    # Gradio hands event data to a parameter annotated with its type.
    def on_chat(t, r, a, s, evt: gr.EventData):
        data = dict(getattr(evt, "_data", None) or {})
        return page_values(page, handlers.on_chat(t, r, data, a, s), outs)

    # "always_last": a press while the last one is handled (rating, undo, a citation) runs after it,
    # in order, instead of being dropped as "once" would
    page.chat.click(on_chat, held, outs, trigger_mode="always_last", **private)
    _wire_scope(handlers, page)

    def on_export(t, a, request: gr.Request):  # the session names the export's private folder
        return handlers.export(t, request.session_hash or "no-session", a)

    page.export.click(on_export, [page.turns, page.asked], page.export_file, **private).then(
        None, page.export_file, None, js=assets.export_js, **private)
    page.print.click(None, None, None, js=assets.print_js, **private)
    cleared = page.outputs(*OUTPUTS, "export_file", "cleared", "undo_timer")
    page.new.click(_named(page, handlers.clear, cleared), held, cleared, **private)
    undone = page.outputs(*OUTPUTS, "cleared", "undo_timer")
    page.undo.click(_named(page, handlers.undo, undone), page.cleared, undone, **private)
    expired = page.outputs("undo", "cleared", "undo_timer")
    page.undo_timer.tick(_named(page, handlers.undo_expired, expired), None, expired, **private)


def _wire_scope(handlers, page: Page) -> None:
    """"Ask about this article" in the source viewer, and the scope chip's remove button."""
    import gradio as gr

    scoped = page.outputs("scope", "chip")

    def on_source(evt: gr.EventData):
        return page_values(page, handlers.on_source(dict(getattr(evt, "_data", None) or {})), scoped)

    page.source.click(on_source, None, scoped, api_visibility="private")
    page.chip.click(_named(page, handlers.unscope, scoped), None, scoped, api_visibility="private")
    _wire_articles(handlers, page)


def _wire_articles(handlers, page: Page) -> None:
    """The article finder: each word typed narrows the list; a found article opens in the viewer."""
    import gradio as gr

    private = dict(api_visibility="private")
    page.find.input(handlers.find, page.find, page.found, trigger_mode="always_last", **private)
    page.find.submit(handlers.find, page.find, page.found, **private)

    def on_found(evt: gr.EventData):
        return handlers.open_article(dict(getattr(evt, "_data", None) or {}))

    page.found.click(on_found, None, page.source, **private)
