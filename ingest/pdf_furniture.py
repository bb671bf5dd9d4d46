"""Find a PDF's page furniture: running headers and footers, and page numbers.

A segment is furniture when it is its page's first or last text (nothing above or below it) and
- its text, digits aside ("Page 3 of 9" ~ "Page # of #"), stands at the same height (±3 pt) at
  the top or bottom of at least two pages and of a third of them; or
- another page's header or footer was found at its height and it is small print (an alternating
  running head: the journal's name on even pages, the authors on odd ones); or
- it is a bare page number ("7", "- 7 -", "Page 7", "7 of 9", "vii").

Does not look inside the text body: a sentence repeated in the body is text.
"""

from __future__ import annotations

import re
from collections import defaultdict

from .pdf_layout import Segment

PAGE_NUMBER = re.compile(r"^[\s\-–—|]*(?:page\s+)?(?:\d{1,4}|[ivxlc]{1,6})(?:\s*(?:of|/)\s*\d{1,4})?[\s\-–—|]*$",
                         re.IGNORECASE)
SAME_HEIGHT = 3.0


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _edges(segs: list[Segment]) -> list[Segment]:
    """The segments with nothing above them or nothing below them."""
    if not segs:
        return []
    first = min(s.bottom for s in segs)
    last = max(s.top for s in segs)
    return [s for s in segs if s.bottom - first < 1.0 or s.top > last - 1.0]


def furniture(pages: list[list[Segment]], body_size: float) -> list[set[int]]:
    """Per page, the indexes of its furniture segments (into that page's list)."""
    edges = [_edges(segs) for segs in pages]
    seen: dict[tuple[str, int], set[int]] = defaultdict(set)  # (shape, height) -> pages
    for k, segs in enumerate(edges):
        for s in segs:
            seen[(_shape(s.text), round(s.bottom / SAME_HEIGHT))].add(k)
    need = max(2, -(-len(pages) // 3))
    running = {key for key, on in seen.items() if len(on) >= need}
    heights = {h for _, h in running}
    out = []
    for segs, edge in zip(pages, edges):
        ids = {id(s) for s in edge if _is_furniture(s, running, heights, body_size)}
        out.append({k for k, s in enumerate(segs) if id(s) in ids})
    return out


def _is_furniture(seg: Segment, running: set, heights: set, body_size: float) -> bool:
    height = round(seg.bottom / SAME_HEIGHT)
    if any((_shape(seg.text), h) in running for h in (height - 1, height, height + 1)):
        return True
    small = max(w.size for w in seg.words) < body_size
    if small and any(h in heights for h in (height - 1, height, height + 1)):
        return True
    return bool(PAGE_NUMBER.match(seg.text))
