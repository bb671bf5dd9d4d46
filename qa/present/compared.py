"""An answer's figures in words: "The articles give different figures for …" side by side (each
figure, its sentence, article, date and setting), and "N articles agree on …". The chat page's
table (`templates/figures.html`), and the lines the plain text, the Markdown and the export share.
"""

from __future__ import annotations

from typing import Sequence

from markupsafe import Markup

from ..answer import Answer, FigureItem, Figures
from .cautions import caution_text
from .escape import escape_md
from .templating import render


# under the side-by-side figures: the sentences are the evidence, the comparison is the reader's
READ_THEM = "Each figure is quoted in its article's sentence: check that they measure the same thing before comparing them."


def differ_heading(f: Figures) -> str:
    return f"The articles give different figures for “{f.measure}”:"


def agree_heading(f: Figures) -> str:
    return f"{len(f.items)} articles agree on “{f.measure}”:"


def about(item: FigureItem) -> str:
    """The article, its date and the setting its sentence names: "Title, 2020; in South Korea"."""
    said, caution = item.title + (f", {item.date}" if item.date else ""), caution_text(item)
    return said + (f"; {item.setting}" if item.setting else "") + (f" ({caution})" if caution else "")


def figure_lines(answer: Answer, bullet: str = "  - ", quoted: str = "  ") -> list[str]:
    """Plain-text lines: each measure's heading, then a line a figure with its sentence and [n]."""
    lines: list[str] = []
    for f, heading, differ in _blocks(answer):
        lines.append(heading)
        for item in f.items:
            lines += [f"{bullet}{item.value} [{item.number}] — {about(item)}", f"{quoted}  “{item.quote}”"]
        lines += [READ_THEM, ""] if differ else [""]
    return lines


def figures_markdown(answer: Answer) -> list[str]:
    """Markdown blocks: each measure's heading, then a bullet a figure, its sentence quoted."""
    return [f"*{escape_md(heading)}*\n\n" + "\n".join(
        f"- **{escape_md(i.value)}** \\[{i.number}\\] {escape_md(about(i))}: “{escape_md(i.quote)}”" for i in f.items)
        + (f"\n\n*{escape_md(READ_THEM)}*" if differ else "") for f, heading, differ in _blocks(answer)]


def _blocks(answer: Answer) -> list[tuple[Figures, str, bool]]:
    """(figures, heading, whether they differ), differences first."""
    return [(f, differ_heading(f), True) for f in answer.differences] + \
        [(f, agree_heading(f), False) for f in answer.agreement]


def figures_html(answer: Answer, turn: int) -> Markup:
    """The chat page's side-by-side table of different figures, and the line of an agreement."""
    def rows(items: Sequence[FigureItem]) -> list[dict]:
        return [{"value": i.value, "number": i.number, "title": i.title, "date": i.date, "setting": i.setting,
                 "quote": i.quote, "caution": caution_text(i)} for i in items]

    return render("figures.html", turn=turn, read_them=READ_THEM,
                  differences=[{"heading": differ_heading(f), "rows": rows(f.items)} for f in answer.differences],
                  agreement=[{"heading": agree_heading(f), "rows": rows(f.items)} for f in answer.agreement])
