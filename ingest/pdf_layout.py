"""Put a page's words into lines in reading order, across columns, whatever order the PDF drew them in.

1. Words on one baseline, left to right, make a *segment*; a gap wider than 1.5 em starts a new
   one (a column gutter or a table's cell gap; the em of the smaller print).
2. A page has two columns when a vertical band in its middle third is crossed by at most a
   quarter of its segments and has at least four segments wholly on each side. Segments that
   cross it (a title, a full-width table) *span*.
3. Reading order: top to bottom, spanning segments cut the page into bands; within a band the
   left column is read before the right one.
4. Segments of one column on one baseline make a `Line`; more than one is a table row (`cells`).

Three or more columns are read as two or one (documented limit). Does not remove running heads
(`pdf_furniture`, which works on segments before this orders them) or build paragraphs (`pdf_blocks`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .pdf_text import Page, Word

SPLIT_GAP = 1.5  # em: a wider gap between words on one baseline starts a new segment


@dataclass(frozen=True)
class Segment:
    words: tuple[Word, ...]
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass(frozen=True)
class Line:
    page: int
    column: int  # 0: the page's only column or across both; 1 left; 2 right
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # the font size of most of its characters
    bold: bool  # every word bold
    cells: int = 1  # segments on this baseline in this column: > 1 is a table row


def segments(page: Page) -> list[Segment]:
    """The page's words grouped by baseline, split at wide gaps."""
    rows: list[list[Word]] = []
    for word in sorted(page.words, key=lambda w: (w.bottom, w.x0)):
        if rows and abs(rows[-1][0].bottom - word.bottom) < 0.35 * max(word.size, 1.0):
            rows[-1].append(word)
        else:
            rows.append([word])
    out = []
    for row in rows:
        row.sort(key=lambda w: w.x0)
        start = 0
        for k in range(1, len(row) + 1):
            if k == len(row) or row[k].x0 - row[k - 1].x1 > SPLIT_GAP * max(min(row[k].size, row[k - 1].size), 1.0):
                out.append(_segment(row[start:k]))
                start = k
    return out


def _segment(words: list[Word]) -> Segment:
    return Segment(tuple(words), words[0].x0, words[-1].x1, min(w.top for w in words), max(w.bottom for w in words))


def gutter(page: Page, segs: list[Segment]) -> float | None:
    """The x of the gap between two columns, or None for a one-column page."""
    if len(segs) < 8:
        return None
    crossing = {x: sum(1 for s in segs if s.x0 < x < s.x1)
                for x in range(int(page.width * 0.33), int(page.width * 0.67) + 1)}
    fewest = min(crossing.values())
    runs: list[list[int]] = []
    for x in sorted(x for x, n in crossing.items() if n == fewest):
        if runs and x == runs[-1][-1] + 1:
            runs[-1].append(x)
        else:
            runs.append([x])
    widest = max(runs, key=len)
    x = (widest[0] + widest[-1]) / 2
    left, right = sum(1 for s in segs if s.x1 <= x), sum(1 for s in segs if s.x0 >= x)
    return x if fewest <= len(segs) * 0.25 and left >= 4 and right >= 4 else None


def reading_order(page: Page, segs: list[Segment]) -> list[Line]:
    """The segments as lines, in reading order."""
    x = gutter(page, segs)
    if x is None:
        return _lines(page.number, 0, segs)
    out: list[Line] = []
    band: list[Segment] = []
    for seg in sorted(segs, key=lambda s: (s.top, s.x0)):
        if seg.x0 < x < seg.x1:
            out.extend(_band(page.number, band, x))
            out.extend(_lines(page.number, 0, [seg]))
            band = []
        else:
            band.append(seg)
    return out + _band(page.number, band, x)


def _band(page: int, band: list[Segment], x: float) -> list[Line]:
    return _lines(page, 1, [s for s in band if s.x1 <= x]) + _lines(page, 2, [s for s in band if s.x0 >= x])


def _lines(page: int, column: int, segs: list[Segment]) -> list[Line]:
    rows: list[list[Segment]] = []
    for seg in sorted(segs, key=lambda s: (s.bottom, s.x0)):
        size = max(seg.words[0].size, 1.0)
        if rows and abs(rows[-1][0].bottom - seg.bottom) < 0.35 * size:
            rows[-1].append(seg)
        else:
            rows.append([seg])
    return [_line(page, column, sorted(row, key=lambda s: s.x0)) for row in rows]


def _line(page: int, column: int, row: list[Segment]) -> Line:
    words = [w for s in row for w in s.words]
    sizes = Counter()
    for w in words:
        sizes[w.size] += len(w.text)
    return Line(page, column, " ".join(w.text for w in words), row[0].x0, row[-1].x1,
                min(s.top for s in row), max(s.bottom for s in row), sizes.most_common(1)[0][0],
                all(w.bold for w in words), len(row))
