"""Presentation above the engine: an `Answer` (data) as Markdown, plain text or JSON, the source
viewer's HTML, and conversation exports. Used by `app.py` and the CLI; the engine never imports it."""

from ..disclaimer import describe_article
from .export import conversation_markdown
from .markdown import answer_json, escape_md, render_markdown, render_text
from .sections import SUGGESTIONS, neighbouring_sections, section_html, section_view

__all__ = [
    "SUGGESTIONS", "answer_json", "conversation_markdown", "describe_article", "escape_md", "neighbouring_sections", "render_markdown",
    "render_text", "section_html", "section_view",
]
