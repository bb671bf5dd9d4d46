"""`python -m ingest add`: plain text, web pages and Markdown into corpus articles, word for word.

The COVID-QA captures in ../shared/benchmarks are real input from outside the project; a handful
of them (one per header style, one with a reference list) is imported and built here, and
`words_lost` is the check the full 98-article run uses too.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.importer import ImportRefused, add_articles
from ingest.markdown_out import escape
from ingest.parse import parse_body, parse_file, parse_front_matter
from qa.index import load_store
from tests.conftest import COVIDQA, ROOT, require_covidqa

CAPTURES = COVIDQA / "corpus" / "originals"
# labelled header; unlabelled authors/date; a CDC page with no header; a 59-entry reference list
HANDFUL = ("1545.txt", "776.txt", "185.txt", "2683.txt")
CITATION = re.compile(r"^\[\d+\][.,;]?$")
HEADER_KEY = re.compile(r"^[A-Za-z]+:")
REFERENCE_NUMBER = re.compile(r"^\[?\d{1,4}[\].)]?$")


def _words(text: str) -> list[str]:
    return text.split()


def words_lost(original: str, article, front_matter: dict) -> list[str]:
    """Words of the original capture that are in neither the article's text nor its front matter
    (reference list included), header labels such as "DOI:" and converted "[12]" citations aside,
    plus text words that are not in the original. Empty: every word was kept, none added."""
    kept = Counter(_words(article.text))
    references = front_matter.get("references") or {}
    for value in [v for v in front_matter.values() if isinstance(v, str)] + list(references.values()):
        kept.update(_words(value))
    for word in list(kept):  # a title wrapped at a hyphen ("non-" / "pharmaceutical") was joined
        if "-" in word.strip("-"):
            head, tail = word.split("-", 1)
            kept.update([head + "-", tail])
    added = Counter(_words(article.text)) - Counter(_words(original))
    lost = []
    for word, n in (Counter(_words(original)) - kept).items():
        glued = HEADER_KEY.sub("", word)  # "DOI:10.3/x" is the label and the kept value
        if CITATION.match(word) and references or HEADER_KEY.fullmatch(word) or (glued != word and kept[glued]):
            continue
        if references and (REFERENCE_NUMBER.match(word) or word == "References"):  # the list's own labels
            continue
        lost.extend([word] * n)
    return lost + [f"+{w}" for w in added.elements()]


def text_in_order(original: str, article) -> bool:
    """The article text, word by word, is one run of the original (citations taken out as markers
    and the reference list moved to front matter aside)."""
    body = " ".join(w for w in _words(original) if not (CITATION.match(w) and article.references))
    return " ".join(_words(article.text)) in body


@pytest.fixture(scope="module")
def imported(tmp_path_factory, embedder):
    """The handful imported into a copy of the corpus, built, and loaded."""
    import shutil

    from ingest import build_index

    require_covidqa()
    corpus = tmp_path_factory.mktemp("covid") / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    results = add_articles([CAPTURES / name for name in HANDFUL], corpus)
    index = corpus.parent / "index"
    build_index(corpus, index, quiet=True, embedder_factory=lambda: embedder)
    return corpus, results, load_store(index)


def test_covidqa_captures_keep_every_word_and_their_doi(imported):
    corpus, results, store = imported
    assert [r.status for r in results] == ["added"] * len(HANDFUL)
    for result in results:
        article = store.articles[Path(result.article).stem]
        original = result.source.read_text(encoding="utf-8")
        front_matter, _ = parse_front_matter((corpus / result.article).read_text(encoding="utf-8"))
        assert words_lost(original, article, front_matter) == [], result.source.name
        assert text_in_order(original, article), result.source.name
        doi = re.search(r"^DOI:\s*(\S+)$", original, re.MULTILINE)
        assert article.doi == (doi.group(1) if doi else None)


def test_reference_list_and_header_become_front_matter(imported):
    corpus, results, store = imported
    by_name = {r.source.name: store.articles[Path(r.article).stem] for r in results}
    flaxman = by_name["2683.txt"]
    assert len(flaxman.references) == 59 and "[1]" not in flaxman.text
    # its citations are OCR'd superscripts ("estimates.1'8"), which no rule can tell from numbers:
    # no marker is invented, and the import says so
    assert not any(s.refs for s in store.sentences if s.article_id == flaxman.id)
    report = next(r for r in results if r.source.name == "2683.txt")
    assert any("bracketed citations left as text" in note for note in report.did + report.unsure)
    song = by_name["776.txt"]  # authors and date given without labels
    assert (song.author, song.published, song.license) == ("Song, Liting", "2014-05-07", "cc-by")
    bouvier = by_name["1545.txt"]
    assert "[1]" in bouvier.text and not bouvier.references, "no reference list: citations stay text"


def test_same_source_twice_makes_no_second_article(imported):
    corpus, results, _ = imported
    before = sorted(p.name for p in (corpus / "articles").iterdir())
    again = add_articles([CAPTURES / HANDFUL[0]], corpus)
    assert again[0].status == "already in corpus" and again[0].article == results[0].article
    assert sorted(p.name for p in (corpus / "articles").iterdir()) == before


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name, content, problem", [
    ("empty.txt", b"  \n\n", "empty"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("latin1.txt", b"Caf\xe9 au lait\n\nText.\n", "not UTF-8"),
    ("header-only.txt", b"A title\n\nDOI: 10.1/x\nLicense: cc-by\n", "no article text"),
    ("notes.docx", b"PK\x03\x04", "unsupported file type"),
])
def test_bad_source_is_refused_by_name_and_nothing_is_written(corpus_copy, tmp_path, name, content, problem):
    good = tmp_path / "good.txt"
    good.write_text("A good article\n\nIt has one sentence.\n", encoding="utf-8")
    bad = tmp_path / name
    bad.write_bytes(content)
    before = _snapshot(corpus_copy)
    with pytest.raises(ImportRefused) as err:
        add_articles([good, bad], corpus_copy)
    assert name in str(err.value) and problem in str(err.value)
    assert _snapshot(corpus_copy) == before, "a refused batch must leave the corpus as it was"


def test_cli_refuses_an_unreadable_source_and_reports_what_it_did(corpus_copy, tmp_path):
    missing = tmp_path / "missing.txt"
    proc = subprocess.run([sys.executable, "-m", "ingest", "add", str(missing), "--corpus", str(corpus_copy)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "missing.txt" in proc.stderr and "cannot be read" in proc.stderr
    assert "Nothing was added" in proc.stderr and "Traceback" not in proc.stderr
    page = tmp_path / "page.txt"
    page.write_text("Foot drop notes\nhttps://example.org/notes\nLicense: cc-by\n\nMethods\n\n"
                    "1. Not a list: this is prose.\n\nLockdown\n\nEnd of the text.\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "ingest", "add", str(page), "--corpus", str(corpus_copy),
                           "--publisher", "Example Clinic"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "added:" in proc.stdout and "did: front matter from the header: title, url, license" in proc.stdout
    assert "unsure: kept as text, may be a heading: 'Lockdown'" in proc.stdout
    parsed = parse_file(corpus_copy / "articles" / "foot-drop-notes.md")
    assert parsed.meta["publisher"] == "Example Clinic" and parsed.meta["license"] == "cc-by"
    assert [(b.kind, b.text) for b in parsed.blocks] == [
        ("heading", "Methods"), ("paragraph", "1. Not a list: this is prose."), ("paragraph", "Lockdown"),
        ("paragraph", "End of the text.")]


MARKDOWN_BAIT = ["1. one", "- dash", "+ plus", "* star", "# hash", "> quote", "---", "2) two", "*em* _em_",
                 "[link](http://x)", "<b>tag</b>", "&amp; &copy;", "`code`", "a \\ back", "![img](x)",
                 "C# and F#", "x <https://a.b>", "trailing  spaces  ", "=====", "    indented"]


def test_text_that_markdown_would_misread_reads_back_exactly(tmp_path, corpus_copy):
    source = tmp_path / "bait.txt"
    source.write_text("Markdown bait\n\n" + "\n\n".join(MARKDOWN_BAIT) + "\n", encoding="utf-8")
    [result] = add_articles([source], corpus_copy)
    blocks = parse_file(corpus_copy / result.article).blocks
    assert [(b.kind, b.text) for b in blocks] == [("paragraph", " ".join(t.split())) for t in MARKDOWN_BAIT]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab1 .-+*_#>[]()<>&!`\\=|~:;^")), min_size=1, max_size=30))
def test_escaped_prose_parses_back_to_itself(text):
    if not text.strip() or re.search(r"\[\^[^\]\s]+\]", text):
        return  # `[^N]` is the corpus's own marker syntax: the importer refuses such text (below)
    blocks = parse_body(escape(text))
    assert [(b.kind, b.text) for b in blocks] == [("paragraph", " ".join(text.split()))]


def test_text_containing_marker_syntax_is_refused_not_rewritten(tmp_path, corpus_copy):
    source = tmp_path / "marker.txt"
    source.write_text("Marker text\n\nThe corpus writes references as [^1] in its files.\n", encoding="utf-8")
    before = _snapshot(corpus_copy)
    with pytest.raises(ImportRefused, match="refused rather than written wrong"):
        add_articles([source], corpus_copy)
    assert _snapshot(corpus_copy) == before


def test_citations_become_markers_only_when_the_reference_list_covers_them(tmp_path, corpus_copy):
    listed = tmp_path / "listed.txt"
    listed.write_text("Listed\n\nFoot drop has many causes. [1] [2] Braces help [2] most patients.\n\n"
                      "References\n\n1. Smith J. Foot drop. 2008.\n\n2. Roe K. Braces. 2010.\n", encoding="utf-8")
    beyond = tmp_path / "beyond.txt"
    beyond.write_text("Beyond\n\nFoot drop has many causes. [3]\n\nReferences\n\n1. Smith J. Foot drop.\n",
                      encoding="utf-8")
    results = add_articles([listed, beyond], corpus_copy)
    first = parse_file(corpus_copy / results[0].article)
    assert first.references == {"1": "Smith J. Foot drop. 2008.", "2": "Roe K. Braces. 2010."}
    # after a sentence: markers; inside one ("Braces help [2] most"): text, so the quote stays exact
    assert [(b.text, b.markers) for b in first.blocks] == [
        ("Foot drop has many causes. Braces help [2] most patients.", ((26, "1"), (26, "2")))]
    second = parse_file(corpus_copy / results[1].article)
    assert second.blocks[0].text == "Foot drop has many causes. [3]" and not second.blocks[0].markers
    assert "beyond the 1 entries" in " ".join(results[1].unsure)


PAGE = """<html><head><title>Foot drop basics | Example Clinic</title>
<meta name="citation_doi" content="10.1000/xyz123"><meta name="author" content="Jane Roe">
<meta property="og:site_name" content="Example Clinic"></head>
<body><nav><a href="/">Home</a> <a href="/about">About us</a></nav>
<article><h1>Foot drop basics</h1>
<p>Foot drop is a difficulty lifting the front part of the foot. It is a sign of an underlying problem.</p>
<h2>Causes</h2>
<p>Common causes include <b>peroneal nerve</b> injury &amp; stroke (see *note*).</p>
<ul><li>Nerve injury</li><li>1. Muscle disorders</li></ul>
<h2>Treatment</h2><p>An ankle-foot orthosis [AFO] can hold the foot in position.</p></article>
<footer>Rate this page. Copyright 2025.</footer></body></html>"""


def test_saved_web_page_keeps_main_content_headings_and_doi(tmp_path, corpus_copy):
    source = tmp_path / "foot-drop.html"
    source.write_text(PAGE, encoding="utf-8")
    [result] = add_articles([source], corpus_copy, url="https://example.org/foot-drop")
    parsed = parse_file(corpus_copy / result.article)
    assert parsed.meta["doi"] == "10.1000/xyz123" and parsed.meta["url"] == "https://example.org/foot-drop"
    assert [(b.kind, b.text) for b in parsed.blocks] == [
        ("paragraph", "Foot drop is a difficulty lifting the front part of the foot. It is a sign of an "
                      "underlying problem."),
        ("heading", "Causes"),
        ("paragraph", "Common causes include peroneal nerve injury & stroke (see *note*)."),
        ("item", "Nerve injury"), ("item", "1. Muscle disorders"),
        ("heading", "Treatment"), ("paragraph", "An ankle-foot orthosis [AFO] can hold the foot in position.")]
    assert (corpus_copy / "originals" / f"{Path(result.article).stem}.html").read_text(encoding="utf-8") == PAGE
    assert "Rate this page" not in (corpus_copy / result.article).read_text(encoding="utf-8")


def test_markdown_without_front_matter_takes_its_title_from_the_first_heading(tmp_path, corpus_copy):
    source = tmp_path / "notes.md"
    source.write_text("# Gait training\n\nWalk daily.\n\n## Exercises\n\n- Toe taps\n  - seated\n", encoding="utf-8")
    [result] = add_articles([source], corpus_copy)
    parsed = parse_file(corpus_copy / result.article)
    assert parsed.meta["title"] == "Gait training" and result.article == "articles/gait-training.md"
    assert [(b.kind, b.text, b.depth) for b in parsed.blocks] == [
        ("paragraph", "Walk daily.", 0), ("heading", "Exercises", 0), ("item", "Toe taps", 0), ("item", "seated", 1)]


def test_known_front_matter_reaches_the_index_and_unknown_keys_warn_even_when_quiet(corpus_copy, tmp_path,
                                                                                   build, capsys):
    path = corpus_copy / "articles" / "symptom-database-foot-drop.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("---\n", "---\nlicense: cc-by\ndoi: 10.1/fd\npublished: 2024-01-02\n"
                                          "reviewd_by: Dr X\n", 1), encoding="utf-8")
    result = build(corpus_copy, tmp_path / "index")
    assert "reviewd_by" in capsys.readouterr().err
    assert [w for w in result.warnings if "reviewd_by" in w and "symptom-database-foot-drop.md" in w]
    article = load_store(tmp_path / "index").articles["symptom-database-foot-drop"]
    assert (article.license, article.doi, article.published) == ("cc-by", "10.1/fd", "2024-01-02")
    stored = [json.loads(line) for line in (result.build_dir / "articles.jsonl").read_text().splitlines()]
    assert any(s["doi"] == "10.1/fd" and s["license"] == "cc-by" for s in stored)


def test_comment_only_lexicon_is_an_empty_lexicon():
    from qa.lexicon import parse_lexicon

    assert parse_lexicon("# synonyms will go here\n# - [AFO, brace]\n").size == 0
    with pytest.raises(ValueError, match="expected a YAML list"):
        parse_lexicon("AFO: brace\n")
