"""The page's CSS and JavaScript, kept as files in `chatpage/static/` and read once at start.

They ship as package data (pyproject.toml), so an installed copy finds them as an editable one
does. Reading them is all this module does: what they style and script is the page's business
(`layout.py` hands them to Gradio).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Assets:
    css: str  # the whole page's style, handed to the launch
    chat_js: str  # js_on_load of the conversation: its buttons, scrolling, printing
    source_js: str  # js_on_load of the source viewer: focus, the phone's overlay, Escape, "Ask about this article"
    scope_js: str  # js_on_load of the scope chip: its remove button
    found_js: str  # js_on_load of the article finder's list: opening an article in the viewer
    export_js: str  # downloads the export's file once it is made
    print_js: str  # the Print button


def static_text(name: str) -> str:
    """One file of `chatpage/static/`, as text; a missing one says which and why it matters."""
    path = resources.files(__package__).joinpath("static", name)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(f"chatpage/static/{name} is missing: reinstall QuoteQA (pip install .), "
                                "its package data holds the page's CSS and JavaScript") from None


def load_assets() -> Assets:
    """All of them, read now (call once, at start)."""
    return Assets(css=static_text("page.css"), chat_js=static_text("chat.js"), source_js=static_text("source.js"),
                  scope_js=static_text("scope.js"), found_js=static_text("found.js"),
                  export_js=static_text("export.js"), print_js=static_text("print.js"))
