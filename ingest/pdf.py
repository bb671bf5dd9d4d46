"""Read a PDF article into a `Draft`, with the offsets where each page starts.

The steps, each its own module: words with place and font (`pdf_text`, pypdfium2), segments and
page furniture (`pdf_layout`, `pdf_furniture`), lines in reading order across columns
(`pdf_layout`), the title from the first page (here), headings and paragraphs with line-end
hyphens resolved (`pdf_blocks`, `pdf_hyphens`), front matter (`pdf_meta`).

A PDF without a text layer (a scan, or only drawings) is refused: QuoteQA does not do OCR.
Does not write files; `importer.py` keeps the PDF, the extracted text and the page offsets.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .draft import Draft
from .pdf_blocks import build_blocks
from .pdf_furniture import furniture
from .pdf_layout import Line, reading_order, segments
from .pdf_meta import front_matter
from .pdf_text import PdfContent, PdfRefused, read_pages

TITLE_SIZE = 1.3  # × body size: the first page's title print


@dataclass(frozen=True)
class PdfReading:
    draft: Draft
    page_starts: tuple[int, ...]  # per page: offset of its first character in the extracted text
    pages: int


def read_pdf(raw: bytes) -> PdfReading:
    content = read_pages(raw)
    empty = [p.number for p in content.pages if not p.words]
    if len(empty) == len(content.pages):
        raise PdfRefused(f"the PDF has no text layer (its {len(content.pages)} page(s) are images or drawings, "
                         "e.g. a scan); QuoteQA does not do OCR: run OCR first (e.g. `ocrmypdf in.pdf out.pdf`) "
                         "and import the result")
    size = _body_size(content)
    segs = [segments(page) for page in content.pages]
    drop = furniture(segs, size)
    lines = [line for page, page_segs, gone in zip(content.pages, segs, drop)
             for line in reading_order(page, [s for k, s in enumerate(page_segs) if k not in gone])]
    title, lines = _title(lines, size)
    found = front_matter(title, [s.text for s in segs[0]], content.metadata)
    blocks = build_blocks(lines, len(content.pages))
    did = [_summary(content, lines, blocks, sum(map(len, drop)))] + list(found.did)
    unsure = list(found.unsure) + _unsure(empty, blocks)
    draft = Draft(meta=found.meta, blocks=blocks.blocks, did=tuple(did), unsure=tuple(unsure))
    return PdfReading(draft, blocks.page_starts, len(content.pages))


def _body_size(content: PdfContent) -> float:
    sizes = Counter()
    for page in content.pages:
        for word in page.words:
            sizes[word.size] += len(word.text)
    return sizes.most_common(1)[0][0]


def _title(lines: list[Line], body_size: float) -> tuple[str | None, list[Line]]:
    """The first page's largest print, when it is at its top (among its first five lines) and
    clearly larger than the body: its lines are the title and leave the body."""
    first = [k for k, line in enumerate(lines) if line.page == 1]
    if not first:
        return None, lines
    largest = max(lines[k].size for k in first)
    if largest < body_size * TITLE_SIZE:
        return None, lines
    start = next(k for k in first if lines[k].size == largest)
    if start - first[0] >= 5:
        return None, lines
    end = start
    while end + 1 < len(lines) and lines[end + 1].page == 1 and abs(lines[end + 1].size - largest) < 0.5:
        end += 1
    title = " ".join(line.text for line in lines[start:end + 1]).replace("- ", "-")
    return title, lines[:start] + lines[end + 1:]


def _summary(content: PdfContent, lines: list[Line], blocks, removed: int) -> str:
    two = sorted({line.page for line in lines if line.column})
    headings = sum(1 for b in blocks.blocks if b.kind == "heading")
    columns = f"; pages {_ranges(two)} read as two columns" if two else ""
    return (f"{len(content.pages)} pages read with pypdfium2: {len(blocks.blocks)} blocks, {headings} headings from "
            f"font size/weight, {blocks.rows} table rows kept one paragraph each; {removed} running header/footer "
            f"lines and page numbers left out; line-end hyphens: {blocks.hyphens['joined'] + blocks.hyphens['joined-unsure']} "
            f"joined, {blocks.hyphens['kept']} kept{columns}")


def _unsure(empty: list[int], blocks) -> list[str]:
    notes = [f"pages {_ranges(empty)} have no text layer (scanned?): their content is not imported (no OCR)"] \
        if empty else []
    if blocks.unsure_joins:
        shown = ", ".join(blocks.unsure_joins[:8])
        notes.append(f"{len(blocks.unsure_joins)} words hyphenated at a line end were joined though the document never "
                     f"writes them whole (check for a compound such as follow-up): {shown}")
    return notes


def _ranges(pages: list[int]) -> str:
    """'1-3, 5' for [1, 2, 3, 5].

    >>> _ranges([1, 2, 3, 5])
    '1-3, 5'
    """
    out: list[list[int]] = []
    for p in pages:
        if out and p == out[-1][-1] + 1:
            out[-1].append(p)
        else:
            out.append([p])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in out)
