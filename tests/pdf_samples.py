"""Test PDFs written with reportlab from a known text, so a test knows every word an importer must
give back, in order.

The text is a corpus article's (headings, paragraphs, list items as paragraphs) plus a small
table. `write_sample` lays it out itself, line by line, so it knows what it did: which words it
hyphenated at a line end ("treat-" / "ment"), what the running header and footer say, where the
headings are. A word that has a hyphen of its own ("ankle-foot") is never broken, so the expected
text has no judgment call in it (the importer's rule for those is tested apart).

Layouts (`Layout`): one column or two, ragged or justified, lines drawn in reading order or row by
row across the columns (as some producers write them), a title block across the first page.

Does not read PDFs; the tests and `tests/pdf_library_comparison.py` do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PAGE_W, PAGE_H = 595.0, 842.0  # A4 in points
MARGIN, TOP, BOTTOM = 56.0, 760.0, 80.0  # text area; header above TOP, footer below BOTTOM
BODY, BODY_SIZE = "Times-Roman", 10.0
HEADING_SIZES = {2: (15.0, "Helvetica-Bold"), 3: (12.5, "Helvetica-Bold"), 4: (10.5, "Times-Bold")}
GUTTER = 22.0
TABLE = (("Device", "Used for", "Fitting"),
         ("Ankle-foot orthosis", "Severe drop", "Custom"),
         ("Leaf spring", "Mild weakness", "Ready-made"),
         ("Stimulator", "Central causes", "Programmed"))


@dataclass(frozen=True)
class Block:
    kind: str  # "heading", "paragraph" or "row" (a table row; `cells` holds its cells)
    text: str
    level: int = 0  # heading level as the importer should give it (2 = largest)
    cells: tuple[str, ...] = ()


@dataclass(frozen=True)
class Layout:
    columns: int = 1
    justify: bool = False
    interleave: bool = False  # draw lines row by row across columns, header last, footer first
    title_block: tuple[str, ...] = ()  # lines under the title, across the page (authors, dates, DOI)
    header: tuple[str, str] = ("Foot drop: a clinical summary", "Foot drop: a clinical summary")  # odd, even pages
    footer: str = "Page {n} of {total}"
    break_compounds: bool = False  # may break "follow-up" at its own hyphen at a line end


@dataclass(frozen=True)
class Line:
    text: str
    x: float
    y: float
    font: str
    size: float
    width: float = 0.0  # justified to this width when > 0


@dataclass(frozen=True)
class Sample:
    path: Path
    title: str
    blocks: tuple[Block, ...]
    pages: int
    hyphenated: tuple[str, ...]  # words split across a line end
    layout: Layout = field(default_factory=Layout)
    first_lines: tuple[str, ...] = ()  # per page, the first line of text placed on it (page 1: the title)

    def words(self) -> list[str]:
        """The body's words in reading order: the lines under the title, then the blocks (the title
        is front matter)."""
        body = [w for b in self.blocks for w in (" ".join(b.cells) if b.cells else b.text).split()]
        return " ".join(self.layout.title_block).split() + body

    def furniture(self) -> list[str]:
        return sorted(set(self.layout.header)) + [self.layout.footer.format(n=n, total=self.pages)
                                                  for n in range(1, self.pages + 1)]


def article_blocks(path: Path, *, table_after: int | None = None) -> tuple[str, tuple[Block, ...]]:
    """A corpus article's title and body as blocks (list items as paragraphs), with `TABLE`
    after block `table_after` when given."""
    from ingest.parse import parse_file

    parsed = parse_file(path)
    blocks = [Block("heading", b.text, level=len(b.section) + 1) if b.kind == "heading" else Block("paragraph", b.text)
              for b in parsed.blocks]
    if table_after is not None:
        blocks[table_after:table_after] = [Block("row", "", cells=row) for row in TABLE]
    return parsed.meta["title"], tuple(blocks)


def write_sample(path: Path, title: str, blocks: tuple[Block, ...], layout: Layout, *,
                 metadata_title: str | None = None) -> Sample:
    """Lay `blocks` out under `title`, write the PDF to `path`, and say what was drawn."""
    from reportlab.pdfgen.canvas import Canvas

    setter = _Setter(layout)
    setter.title(title)
    for block in blocks:
        setter.block(block)
    canvas = Canvas(str(path), pagesize=(PAGE_W, PAGE_H), invariant=1)
    canvas.setTitle(metadata_title if metadata_title is not None else title)
    canvas.setAuthor("Test Author")
    total = len(setter.pages)
    for n, lines in enumerate(setter.pages, start=1):
        _draw_page(canvas, lines, layout, n, total)
        canvas.showPage()
    canvas.save()
    firsts = tuple(lines[0].text for lines in setter.pages)
    return Sample(path, title, blocks, total, tuple(setter.hyphenated), layout, firsts)


def _draw_page(canvas, lines: list[Line], layout: Layout, n: int, total: int) -> None:
    header = Line(layout.header[(n + 1) % 2], MARGIN if n % 2 == 0 else 0, TOP + 28, "Helvetica", 8)
    footer = Line(layout.footer.format(n=n, total=total), 0, BOTTOM - 36, "Helvetica", 8)
    header = header if header.x else _right(header)
    footer = _centred(footer)
    order = [header] + lines + [footer]
    if layout.interleave:
        order = [footer] + sorted(lines, key=lambda line: (-line.y, line.x)) + [header]
    for line in order:
        text = canvas.beginText(line.x, line.y)
        text.setFont(line.font, line.size)
        gaps = line.text.count(" ")
        if line.width and gaps:
            text.setWordSpace((line.width - _width(line.text, line.font, line.size)) / gaps)
        text.textLine(line.text)
        canvas.drawText(text)


def _width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font, size)


def _right(line: Line) -> Line:
    return Line(line.text, PAGE_W - MARGIN - _width(line.text, line.font, line.size), line.y, line.font, line.size)


def _centred(line: Line) -> Line:
    return Line(line.text, (PAGE_W - _width(line.text, line.font, line.size)) / 2, line.y, line.font, line.size)


class _Setter:
    """Fills columns top to bottom, page after page, remembering every line it placed."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self.pages: list[list[Line]] = [[]]
        self.column, self.top = 0, TOP
        self.y = TOP
        self.hyphenated: list[str] = []
        width = PAGE_W - 2 * MARGIN
        self.col_width = (width - GUTTER * (layout.columns - 1)) / layout.columns

    def title(self, title: str) -> None:
        full = PAGE_W - 2 * MARGIN
        for text in _wrap(title.split(), full, "Helvetica-Bold", 18.0, self.hyphenated, split=""):
            self._put(Line(text, 0, 0, "Helvetica-Bold", 18.0), 24.0)
        self.y -= 6
        for text in self.layout.title_block:
            self._put(Line(text, 0, 0, "Helvetica", 9.0), 13.0)
        self.top = self.y - 14  # the columns start under the title block
        self.y = self.top

    def block(self, block: Block) -> None:
        if block.kind == "row":
            return self._row(block.cells)
        size, font = HEADING_SIZES[block.level] if block.kind == "heading" else (BODY_SIZE, BODY)
        self.y -= 10 if block.kind == "heading" else 5
        split = ("compounds" if self.layout.break_compounds else "words") if block.kind != "heading" else ""
        lines = _wrap(block.text.split(), self.col_width, font, size, self.hyphenated, split=split)
        for k, text in enumerate(lines):
            justify = self.layout.justify and block.kind == "paragraph" and k < len(lines) - 1
            self._put(Line(text, 0, 0, font, size, self.col_width if justify else 0), size * 1.25,
                      keep=3 if block.kind == "heading" else 1)

    def _row(self, cells: tuple[str, ...]) -> None:
        stops = (0.0, 0.42, 0.72)
        for k, cell in enumerate(cells):  # each cell fits its column: the table is small on purpose
            if _width(cell, BODY, 8.5) > self.col_width * ((stops + (1.0,))[k + 1] - stops[k]) - 6:
                raise ValueError(f"table cell {cell!r} is too wide for the column")
        if self.y - 12 < BOTTOM:
            self._next_column()
        y = self.y - 12
        for k, cell in enumerate(cells):
            self.pages[-1].append(Line(cell, self._x() + stops[k] * self.col_width, y, BODY, 8.5))
        self.y = y

    def _put(self, line: Line, leading: float, keep: int = 1) -> None:
        """Place `line` (its x relative to the column) under the previous one, in the next column if full."""
        if self.y - leading * keep < BOTTOM:
            self._next_column()
        self.y -= leading
        self.pages[-1].append(Line(line.text, self._x() + line.x, self.y, line.font, line.size, line.width))

    def _x(self) -> float:
        return MARGIN + self.column * (self.col_width + GUTTER)

    def _next_column(self) -> None:
        self.column += 1
        if self.column == self.layout.columns:
            self.pages.append([])
            self.column, self.top = 0, TOP
        self.y = self.top


def _wrap(words: list[str], width: float, font: str, size: float, hyphenated: list[str], *,
          split: str) -> list[str]:
    """Greedy line filling; with `split`, a long plain word that does not fit is hyphenated when its
    first part of at least four letters fits ("compounds": a hyphenated word breaks at its hyphen)."""
    lines, current = [], ""
    queue = list(words)
    while queue:
        word = queue.pop(0)
        trial = f"{current} {word}".strip()
        if _width(trial, font, size) <= width:
            current = trial
            continue
        head = _hyphen_head(current, word, width, font, size) if split else None
        if split == "compounds" and "-" in word.strip("-"):
            head = word.split("-")[0] if _width(f"{current} {word.split('-')[0]}-", font, size) <= width else None
        if head:
            hyphenated.append(word)
            lines.append(f"{current} {head}-".strip())
            current = word[len(head) + (1 if word[len(head):].startswith("-") else 0):]
        else:
            lines.append(current)
            current = word
    return lines + ([current] if current else [])


def _hyphen_head(current: str, word: str, width: float, font: str, size: float) -> str | None:
    if not (word.isalpha() and word.islower() and len(word) >= 8):
        return None
    for cut in range(len(word) - 4, 3, -1):
        if _width(f"{current} {word[:cut]}-".strip(), font, size) <= width:
            return word[:cut]
    return None


ARTICLES = Path(__file__).resolve().parents[1] / "corpus" / "articles"
REAL_WORLD_BLOCK = ("J. Lee, K. Roe and the Foot Drop Study Group", "Department of Rehabilitation, Example Hospital",
                    "Received: 2 January 2021 · Published: 12 March 2021", "DOI: 10.5555/fdj.2021.042")


def both_articles() -> tuple[str, tuple[Block, ...]]:
    """The two corpus articles one after the other, the table after the first's sixth block."""
    title, first = article_blocks(ARTICLES / "droracle-medical-management-foot-drop.md", table_after=6)
    _, second = article_blocks(ARTICLES / "symptom-database-foot-drop.md")
    return title, first + second


def standard_samples(folder: Path) -> dict[str, Sample]:
    """The three PDFs the tests and the library comparison read: one column; two columns drawn
    row by row across the columns; a journal-style page (title block across the top, justified
    columns, alternating running heads, bare page numbers)."""
    title, blocks = both_articles()
    journal = Layout(columns=2, justify=True, title_block=REAL_WORLD_BLOCK, footer="{n}",
                     header=("Lee et al. · Orthoses for foot drop", "Foot Drop Journal 2021; 12(3): 41-49"))
    return {
        "one-column": write_sample(folder / "one-column.pdf", title, blocks, Layout()),
        "two-column": write_sample(folder / "two-column.pdf", title, blocks,
                                   Layout(columns=2, interleave=True, footer="- {n} -")),
        "journal": write_sample(folder / "journal.pdf", title, blocks, journal, metadata_title="Microsoft Word - fd.docx"),
    }
