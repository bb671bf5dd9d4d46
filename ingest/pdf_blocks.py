"""Turn a PDF's lines, in reading order and without furniture, into headings and paragraphs, and
note where each page starts in the text.

- Body style: the font size (and weight) most of the characters have.
- A heading is a line of one segment, at most 20 words, in a font at least 12% larger than the
  body, or bold where the body is not; consecutive lines of one heading style make one heading
  (over 25 words it is taken back as a paragraph: a bold paragraph is not a heading). Heading
  styles, largest first, are levels 2, 3, ... (`##`, `###`; the title is front matter).
- A paragraph ends where the gap to the next line is larger than the document's usual gap
  between lines by 0.3 em, where the font size changes, before and after a table row (a line of
  several cells, kept as one paragraph per row), and at a column or page end after a line that
  closes a sentence when the next starts with a capital.
- Lines are joined with a space, or at a line-end hyphen by `pdf_hyphens.join_lines`.

Page starts are character offsets into the blocks' texts joined by blank lines ("\\n\\n"), which
is exactly the text the importer writes to `originals/<slug>.txt`. Does not read the PDF or
decide the title; see `pdf.py`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from statistics import median

from .draft import DraftBlock
from .pdf_hyphens import join_lines, vocabulary
from .pdf_layout import Line

MAX_HEADING_WORDS = 20
SENTENCE_END = (".", "?", "!", ":", '"', "”", ")")


@dataclass(frozen=True)
class Style:
    size: float
    bold: bool


@dataclass(frozen=True)
class Blocks:
    blocks: tuple[DraftBlock, ...]
    page_starts: tuple[int, ...]  # per page: offset of its first character in "\n\n".join(block texts)
    hyphens: Counter  # "joined", "joined-unsure", "kept" -> count
    unsure_joins: tuple[str, ...]  # words joined at a line end that the document never writes whole
    rows: int  # table rows kept as paragraphs


def body_style(lines: list[Line]) -> Style:
    sizes, bold = Counter(), Counter()
    for line in lines:
        sizes[line.size] += len(line.text)
        bold[line.bold] += len(line.text)
    return Style(sizes.most_common(1)[0][0] if sizes else 10.0, bold[True] > bold[False])


def heading_style(line: Line, body: Style) -> Style | None:
    if line.cells > 1 or len(line.text.split()) > MAX_HEADING_WORDS or not any(c.isalpha() for c in line.text):
        return None
    bigger = line.size >= body.size * 1.12
    bolder = line.bold and not body.bold and line.size >= body.size * 0.95
    return Style(round(line.size * 2) / 2, line.bold) if bigger or bolder else None


def _usual_gap(lines: list[Line]) -> float:
    gaps = [b.top - a.bottom for a, b in zip(lines, lines[1:])
            if (a.page, a.column, a.size) == (b.page, b.column, b.size) and b.top > a.top]
    return median(gaps) if gaps else 0.0


def _continues(prev: Line, line: Line, styles: tuple, usual: float) -> bool:
    """Whether `line` goes on the block `prev` ended."""
    if styles[0] != styles[1] or prev.cells > 1 or line.cells > 1 or abs(prev.size - line.size) > 0.5:
        return False
    if (prev.page, prev.column) != (line.page, line.column) or line.top < prev.top:
        return not (prev.text.endswith(SENTENCE_END) and not line.text[:1].islower())
    return line.top - prev.bottom <= usual + 0.3 * line.size


def build_blocks(lines: list[Line], pages: int) -> Blocks:
    body = body_style(lines)
    styles = [heading_style(line, body) for line in lines]
    levels = {s: min(k + 2, 6) for k, s in enumerate(sorted({s for s in styles if s}, key=lambda s: (-s.size, not s.bold)))}
    vocab = vocabulary(line.text for line in lines)
    usual = _usual_gap(lines)
    texts: list[str] = []
    kinds: list[Style | None] = []
    firsts: dict[int, tuple[int, int]] = {}  # page -> (block, offset)
    hyphens, unsure = Counter(), []
    for k, line in enumerate(lines):
        if k and _continues(lines[k - 1], line, (styles[k - 1], styles[k]), usual):
            joined, how = join_lines(texts[-1], line.text, vocab)
            texts[-1] = joined
            hyphens[how] += 1
            if how == "joined-unsure":
                unsure.append(joined[:len(joined) - len(line.text)].split()[-1] + line.text.split()[0])
        else:
            texts.append(line.text)
            kinds.append(styles[k])
        firsts.setdefault(line.page, (len(texts) - 1, len(texts[-1]) - len(line.text)))
    blocks = _blocks(texts, kinds, levels)
    rows = sum(1 for line in lines if line.cells > 1)
    return Blocks(blocks, _page_starts(texts, firsts, pages), hyphens, tuple(unsure), rows)


def _blocks(texts: list[str], kinds: list[Style | None], levels: dict[Style, int]) -> tuple[DraftBlock, ...]:
    out = []
    for text, style in zip(texts, kinds):
        if style and len(text.split()) <= 25:
            out.append(DraftBlock("heading", text, level=levels[style]))
        else:
            out.append(DraftBlock("paragraph", text))
    return tuple(out)


def _page_starts(texts: list[str], firsts: dict[int, tuple[int, int]], pages: int) -> tuple[int, ...]:
    starts_of_blocks, at = [], 0
    for text in texts:
        starts_of_blocks.append(at)
        at += len(text) + 2
    end = max(at - 2, 0)
    starts: list[int] = [0] * pages
    following = end
    for page in range(pages, 0, -1):  # a page without text starts where the next one does
        if page in firsts:
            block, offset = firsts[page]
            following = starts_of_blocks[block] + offset
        starts[page - 1] = following
    starts[0] = 0
    return tuple(starts)
