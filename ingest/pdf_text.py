"""The PDF library at the edge: open a PDF with pypdfium2 and give each page's words with their
place and font.

A word is a run of characters between spaces (the PDF's own or PDFium's generated ones) that
stand next to each other on one baseline. Positions are in points from the page's top-left
corner. PDFium writes a hyphen it sees at a line's end as U+0002; it is given back as "-" and the
joining is decided in `pdf_blocks`. Ligatures (ﬁ, ﬂ) are written out.

Raises `PdfRefused` with the fix for a broken, encrypted or empty PDF. Does not order lines or
decide what is a heading; see `pdf_layout` and `pdf_blocks`.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Mapping

LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                           "\x02": "-", "\u00ad": "-"})
BOLD_NAMES = ("bold", "black", "heavy", "semibold", "demi")
FORCE_BOLD = 1 << 18  # a font descriptor flag


class PdfRefused(ValueError):
    """The PDF cannot be imported; the message says why and what to do."""


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # font size in points
    bold: bool


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    width: float
    height: float
    words: tuple[Word, ...]


@dataclass(frozen=True)
class PdfContent:
    pages: tuple[Page, ...]
    metadata: Mapping[str, str]  # the document information dictionary: Title, Author, CreationDate, ...


def read_pages(raw: bytes) -> PdfContent:
    import pypdfium2 as pdfium

    pdf = _open(raw)
    try:
        pages = []
        for k in range(len(pdf)):
            page = pdf[k]
            width, height = page.get_size()
            pages.append(Page(k + 1, width, height, tuple(_words(page.get_textpage(), height))))
        metadata = {key: str(value).strip() for key, value in pdf.get_metadata_dict().items() if value}
    except pdfium.PdfiumError as exc:
        raise PdfRefused(f"the PDF is damaged ({exc}); open it in a PDF reader and save or print it to a new PDF, "
                         "then import that") from exc
    finally:
        pdf.close()
    return PdfContent(tuple(pages), metadata)


def _open(raw: bytes):
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    if not raw.lstrip()[:5] == b"%PDF-":
        raise PdfRefused("it is not a PDF (it does not start with %PDF-); export the document as PDF again")
    try:
        return pdfium.PdfDocument(raw)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise PdfRefused("the PDF is encrypted (it needs a password to open); save an unprotected copy "
                             "(e.g. `qpdf --decrypt --password=... in.pdf out.pdf`, or print it to PDF) and "
                             "import that") from exc
        raise PdfRefused(f"the PDF cannot be opened ({exc}); it may be truncated or damaged: download or export "
                         "it again, or open it in a PDF reader and save a new copy") from exc


def _words(textpage, height: float) -> list[Word]:
    """The page's words in PDFium's character order."""
    import pypdfium2.raw as pdfium_c

    words, run = [], []  # run: (character, left, top, right, bottom, index) of the word being read
    rect = pdfium_c.FS_RECTF()
    for i in range(textpage.count_chars()):
        char = chr(pdfium_c.FPDFText_GetUnicode(textpage, i)).translate(LIGATURES)
        if char.isspace() or not char or pdfium_c.FPDFText_IsGenerated(textpage, i) and char != "-":
            words.extend(_word(textpage, run, height))
            run = []
            continue
        pdfium_c.FPDFText_GetLooseCharBox(textpage, i, rect)
        box = (char, rect.left, height - rect.top, rect.right, height - rect.bottom, i)
        if run and not _adjacent(run[-1], box):
            words.extend(_word(textpage, run, height))
            run = []
        run.append(box)
    return words + _word(textpage, run, height)


def _adjacent(prev: tuple, box: tuple) -> bool:
    line_height = max(prev[4] - prev[2], 1.0)
    same_line = abs(box[4] - prev[4]) < line_height * 0.4
    return same_line and -line_height < box[1] - prev[3] < line_height * 0.2


def _word(textpage, run: list[tuple], height: float) -> list[Word]:
    import pypdfium2.raw as pdfium_c

    if not run:
        return []
    first = run[0][5]
    size = pdfium_c.FPDFText_GetFontSize(textpage, first)
    return [Word("".join(c[0] for c in run), min(c[1] for c in run), max(c[3] for c in run),
                 min(c[2] for c in run), max(c[4] for c in run), round(size, 1), _bold(textpage, first))]


def _bold(textpage, index: int) -> bool:
    import pypdfium2.raw as pdfium_c

    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    length = pdfium_c.FPDFText_GetFontInfo(textpage, index, name, len(name), ctypes.byref(flags))
    font = name.value[:max(length - 1, 0)].decode("latin-1").lower()
    return (any(mark in font for mark in BOLD_NAMES) or pdfium_c.FPDFText_GetFontWeight(textpage, index) >= 600
            or bool(flags.value & FORCE_BOLD))
