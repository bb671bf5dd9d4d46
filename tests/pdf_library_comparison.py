"""Compare PDF text libraries on the test PDFs: `python -m tests.pdf_library_comparison [--ours]`.

Each library's own plain-text extraction of the `pdf_samples` PDFs is scored against the words the
PDF was written from: words kept (a multiset share), words in order (the longest matching run
share, difflib), running header/footer lines left in, hyphenated words given back whole, and time
per page. `--ours` adds the importer's own reading (`ingest.pdf`), which is built on the winner.

A measurement, not a test: it prints a Markdown table for docs/pdf-import.md.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path

from tests.pdf_samples import Sample, standard_samples

INVISIBLE = str.maketrans("", "", "\u00ad\ufffe\x02")


def _pypdfium2(path: Path) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    return "\n".join(page.get_textpage().get_text_range() for page in pdf)


def _pdfminer(path: Path) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(str(path))


def _pdfplumber(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def _pypdf(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def _ours(path: Path) -> str:
    from ingest.pdf import read_pdf

    return "\n".join(b.text for b in read_pdf(path.read_bytes()).draft.blocks)


LIBRARIES = {"pypdfium2 5.15 (get_text_range)": _pypdfium2, "pdfminer.six 20260107 (extract_text)": _pdfminer,
             "pdfplumber 0.11 (extract_text)": _pdfplumber, "pypdf 7.1 (extract_text)": _pypdf}


def score(sample: Sample, text: str) -> dict[str, float]:
    got = text.translate(INVISIBLE).split()
    want = sample.words()
    kept = sum((Counter(want) & Counter(got)).values()) / len(want)
    matcher = SequenceMatcher(None, want, got, autojunk=False)
    in_order = sum(block.size for block in matcher.get_matching_blocks()) / len(want)
    furniture = sum(text.count(line) for line in sample.furniture() if not line.isdigit() and len(line) > 3)
    whole = sum(1 for word in sample.hyphenated if word in got) / max(len(sample.hyphenated), 1)
    return {"kept": kept, "in_order": in_order, "furniture": furniture, "whole": whole}


def measure(reader, sample: Sample, runs: int = 3) -> tuple[dict[str, float], float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        text = reader(sample.path)
        times.append(time.perf_counter() - start)
    return score(sample, text), sorted(times)[runs // 2] / sample.pages * 1000


def main(argv: list[str]) -> int:
    readers = dict(LIBRARIES, **({"ingest.pdf (ours, on pypdfium2)": _ours} if "--ours" in argv else {}))
    with tempfile.TemporaryDirectory() as tmp:
        samples = standard_samples(Path(tmp))
        print("| library | PDF | words kept | in order | header/footer lines left | hyphenated words whole | ms/page |")
        print("|---|---|---|---|---|---|---|")
        for name, reader in readers.items():
            for label, sample in samples.items():
                s, ms = measure(reader, sample)
                print(f"| {name} | {label} | {s['kept']:.1%} | {s['in_order']:.1%} | {s['furniture']:.0f} | "
                      f"{s['whole']:.0%} | {ms:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
