"""`python -m ingest add FILE.pdf`: every word kept and in order, running heads and page numbers
left out, hyphenation joined, headings found, pages located; refusals that say what to do.

The PDFs are written by `tests/pdf_samples.py` from the corpus articles, so the expected text is
known exactly: one column; two columns drawn row by row across the columns; a journal-style page
(title block, justified columns, alternating running heads, bare page numbers, file-name metadata).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from bisect import bisect_right
from collections import Counter
from pathlib import Path

import pytest

from ingest.importer import ImportRefused, add_articles
from ingest.parse import parse_file, parse_front_matter
from ingest.pdf_hyphens import join_lines, vocabulary
from tests.conftest import ROOT
from tests.pdf_samples import Block, Layout, standard_samples, write_sample

LAYOUTS = ("one-column", "two-column", "journal")


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    return standard_samples(tmp_path_factory.mktemp("pdfs"))


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name", LAYOUTS)
def test_every_word_kept_in_order_without_running_heads(samples, corpus_copy, name):
    sample = samples[name]
    [result] = add_articles([sample.path], corpus_copy)
    assert result.status == "added"
    article = parse_file(corpus_copy / result.article)
    words = " ".join(b.text for b in article.blocks).split()
    assert words == sample.words(), "0 words lost, none added, all in order"
    text = (corpus_copy / result.article).read_text(encoding="utf-8")
    for line in sample.furniture():
        assert not any(b.text == line for b in article.blocks), f"page furniture {line!r} kept"
    assert sample.layout.header[0] not in text and sample.layout.header[1] not in text
    assert sample.hyphenated and all(word in words or f"{word}." in words or f"{word}," in words
                                     for word in sample.hyphenated)
    assert not any(w.endswith("-") and w != "-" for w in words), "a line-end hyphen was left in"
    assert article.meta["title"] == sample.title


@pytest.mark.parametrize("name", LAYOUTS)
def test_headings_found_from_font_size_and_weight(samples, corpus_copy, name):
    sample = samples[name]
    [result] = add_articles([sample.path], corpus_copy)
    blocks = parse_file(corpus_copy / result.article).blocks
    want = [(b.text, b.level) for b in sample.blocks if b.kind == "heading"]
    got = [(b.text, len(b.section) + 1) for b in blocks if b.kind == "heading"]
    assert got == want
    rows = [" ".join(b.cells) for b in sample.blocks if b.kind == "row"]
    assert [b.text for b in blocks if b.text in rows] == rows, "each table row is a paragraph, in order"


def test_pdf_kept_and_each_page_located(samples, corpus_copy):
    sample = samples["two-column"]
    [result] = add_articles([sample.path], corpus_copy)
    meta, _ = parse_front_matter((corpus_copy / result.article).read_text(encoding="utf-8"))
    assert (corpus_copy / meta["original_pdf"]).read_bytes() == sample.path.read_bytes()
    pages = json.loads((corpus_copy / meta["pages"]).read_text(encoding="utf-8"))
    text = (corpus_copy / meta["original"]).read_text(encoding="utf-8")
    assert pages["pages"] == sample.pages and pages["text"] == meta["original"]
    starts = pages["page_starts"]
    assert starts[0] == 0 and starts == sorted(starts)
    for page, first_line in enumerate(sample.first_lines[1:], start=2):
        assert text[starts[page - 1]:].startswith(first_line.rstrip("-")), f"page {page}"
        # a quote's page: find it in the text, then bisect the page starts
        assert bisect_right(starts, text.index(first_line.rstrip("-"), starts[page - 1])) == page


def test_journal_front_matter_from_the_first_page(samples, corpus_copy):
    [result] = add_articles([samples["journal"].path], corpus_copy)
    meta = parse_file(corpus_copy / result.article).meta
    assert (meta["doi"], meta["published"], meta["author"]) == ("10.5555/fdj.2021.042", "2021-03-12", "Test Author")
    assert any("two columns" in note for note in result.did)
    # the metadata title is a file name ("Microsoft Word - fd.docx"): the first page's title is used
    assert meta["title"] == samples["journal"].title


def test_same_pdf_twice_is_not_added_again(samples, corpus_copy):
    [first] = add_articles([samples["one-column"].path], corpus_copy)
    [again] = add_articles([samples["one-column"].path], corpus_copy)
    assert again.status == "already in corpus" and again.article == first.article


def _text_less_pdfs(folder: Path) -> list[Path]:
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    drawing, scan = folder / "drawing.pdf", folder / "scan.pdf"
    canvas = Canvas(str(drawing))
    canvas.rect(100, 500, 200, 100, fill=1)
    canvas.circle(300, 300, 50)
    canvas.save()
    canvas = Canvas(str(scan))
    canvas.drawImage(ImageReader(Image.new("RGB", (60, 80), "white")), 50, 400, width=300, height=400)
    canvas.showPage()
    canvas.drawImage(ImageReader(Image.new("L", (60, 80), 128)), 50, 400, width=300, height=400)
    canvas.save()
    return [drawing, scan]


def test_text_less_pdf_is_refused_and_nothing_is_written(tmp_path, corpus_copy):
    before = _snapshot(corpus_copy)
    for pdf in _text_less_pdfs(tmp_path):
        with pytest.raises(ImportRefused) as err:
            add_articles([pdf], corpus_copy)
        message = str(err.value)
        assert pdf.name in message and "no text layer" in message and "does not do OCR" in message
    assert _snapshot(corpus_copy) == before


def _encrypted(folder: Path) -> Path:
    from reportlab.pdfgen.canvas import Canvas

    path = folder / "locked.pdf"
    canvas = Canvas(str(path), encrypt="secret")
    canvas.drawString(72, 700, "A protected protocol for foot drop.")
    canvas.save()
    return path


@pytest.mark.parametrize("make, problem", [
    (_encrypted, "encrypted (it needs a password"),
    (lambda folder: _write(folder / "broken.pdf", b"%PDF-1.7\n1 0 obj <<"), "cannot be opened"),
    (lambda folder: _write(folder / "renamed.pdf", b"PK\x03\x04 a zip file"), "not a PDF"),
    (lambda folder: _write(folder / "empty.pdf", b""), "empty"),
])
def test_unreadable_pdf_is_refused_with_its_fix(tmp_path, corpus_copy, samples, make, problem):
    bad = make(tmp_path)
    before = _snapshot(corpus_copy)
    with pytest.raises(ImportRefused) as err:
        add_articles([samples["one-column"].path, bad], corpus_copy)
    assert bad.name in str(err.value) and problem in str(err.value)
    assert _snapshot(corpus_copy) == before, "a refused batch leaves the corpus as it was"


def _write(path: Path, raw: bytes) -> Path:
    path.write_bytes(raw)
    return path


def test_truncated_pdf_is_refused(tmp_path, corpus_copy, samples):
    raw = samples["one-column"].path.read_bytes()
    bad = _write(tmp_path / "truncated.pdf", raw[:len(raw) // 3])
    with pytest.raises(ImportRefused, match="truncated.pdf.*(cannot be opened|damaged)"):
        add_articles([bad], corpus_copy)


def test_hyphen_rule_asks_the_document_how_it_spells_the_word():
    lines = ["We booked a follow-up visit and", "a second follow-", "up visit; the treat-", "ment worked."]
    vocab = vocabulary(lines)
    assert vocab["follow-up"] == 1 and "follow" not in vocab and "ment" not in vocab
    assert join_lines("a second follow-", "up visit;", vocab) == ("a second follow-up visit;", "kept")
    assert join_lines("the treat-", "ment worked.", vocab) == ("the treatment worked.", "joined-unsure")
    vocab_with = vocab + Counter({"treatment": 1})
    assert join_lines("the treat-", "ment worked.", vocab_with) == ("the treatment worked.", "joined")
    assert join_lines("SARS-CoV-", "2 infection", vocab) == ("SARS-CoV-2 infection", "kept")
    assert join_lines("ages 5 -", "10", vocab) == ("ages 5 - 10", "")


def test_a_compound_at_a_line_end_keeps_its_hyphen_in_a_pdf(tmp_path, corpus_copy):
    """A compound the document also writes whole on one line keeps its hyphen when a line end
    breaks it; the layout is forced by a narrow column."""
    written = "Plan a follow-up visit after surgery."
    for pad in range(1, 40):  # until the second follow-up stands at a line end
        text = "Every patient" + " needs" * pad + " a careful and complete follow-up after surgery."
        blocks = (Block("heading", "Aftercare", level=2), Block("paragraph", written), Block("paragraph", text))
        sample = write_sample(tmp_path / "followup.pdf", "Follow-up after foot drop surgery", blocks,
                              Layout(break_compounds=True, header=("", "")))
        if sample.hyphenated == ("follow-up",):
            break
    assert sample.hyphenated == ("follow-up",)
    [result] = add_articles([sample.path], corpus_copy)
    article = parse_file(corpus_copy / result.article)
    assert " ".join(b.text for b in article.blocks).split() == sample.words()


def test_cli_imports_a_pdf_and_reports_what_it_did(samples, corpus_copy):
    proc = subprocess.run([sys.executable, "-m", "ingest", "add", str(samples["journal"].path),
                           "--corpus", str(corpus_copy)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "added:" in proc.stdout and "read with pypdfium2" in proc.stdout and "left out" in proc.stdout
    assert "unknown front-matter key" not in proc.stdout + proc.stderr


def test_pdf_reading_is_not_slow(samples):
    import time

    from ingest.pdf import read_pdf

    raw = samples["journal"].path.read_bytes()
    start = time.perf_counter()
    read_pdf(raw)
    assert (time.perf_counter() - start) / samples["journal"].pages < 1.0, "seconds per page"
