"""Presentation above the engine: an `Answer` (data) as Markdown, plain text, JSON or the chat page's
HTML, the source viewer's HTML, and conversation exports. Used by the chat page (`chatpage/`) and
the CLI; the engine never imports it."""

from ..disclaimer import date_span, describe_article
from .articles import ArticleFinder, article_html, flagged, found_html
from .chat import conversation_html, disclaimer_parts, gap_sentence
from .export import conversation_markdown, export_name
from .labels import numbered
from .markdown import answer_json, escape_md, render_markdown, render_text
from .scoped import scope_chip_html
from .sections import SUGGESTIONS, neighbouring_sections, section_view
from .suggest import follow_up, questions_by_article
from .viewer import VIEWER_HINT, source_html

__all__ = [
    "SUGGESTIONS", "VIEWER_HINT", "ArticleFinder", "answer_json", "article_html", "flagged", "found_html", "conversation_html", "conversation_markdown", "date_span", "describe_article",
    "disclaimer_parts", "escape_md", "export_name", "follow_up", "gap_sentence", "neighbouring_sections", "numbered",
    "questions_by_article", "render_markdown", "render_text", "scope_chip_html", "section_view", "source_html",
]
