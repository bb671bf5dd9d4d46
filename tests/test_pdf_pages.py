"""An imported PDF in answers: each quote says the page of the PDF it stands on, and the source
viewer opens the PDF the page serves at that page."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from ingest.importer import add_articles
from ingest.parse import parse_front_matter
from tests.conftest import running_app
from tests.pdf_samples import standard_samples


@pytest.fixture(scope="module")
def pdf_library(tmp_path_factory, embedder):
    """The real corpus plus the two-column test PDF, imported and built once."""
    import shutil

    from ingest import build_index
    from tests.conftest import CORPUS

    root = tmp_path_factory.mktemp("pdf-library")
    shutil.copytree(CORPUS, root / "corpus")
    (root / "pdfs").mkdir()
    sample = standard_samples(root / "pdfs")["two-column"]
    [result] = add_articles([sample.path], root / "corpus")
    build_index(root / "corpus", root / "index", quiet=True, embedder_factory=lambda: embedder)
    meta, _ = parse_front_matter((root / "corpus" / result.article).read_text(encoding="utf-8"))
    return root, sample, meta, result.article


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_every_sentence_of_an_imported_pdf_knows_its_page(pdf_library):
    import qa

    root, sample, meta, _ = pdf_library
    starts = json.loads((root / "corpus" / meta["pages"]).read_text(encoding="utf-8"))["page_starts"]
    text = (root / "corpus" / meta["original"]).read_text(encoding="utf-8")
    pages = [_flat(text[a:b]) for a, b in zip(starts, [*starts[1:], len(text)])]
    engine = qa.load(root / "index")
    pdf_id = next(a.id for a in engine.articles.values() if a.original_pdf)
    assert engine.articles[pdf_id].original_pdf == meta["original_pdf"]
    answer = engine.ask("Which devices are in the table of orthoses?", articles=[pdf_id])
    assert answer.quotes and all(q.page for q in answer.quotes)
    for q in answer.quotes:  # the quote's first words are on its page (or the page before runs into it)
        assert _flat(q.text)[:25] in pages[q.page - 1] + " " + (pages[q.page] if q.page < len(pages) else "")
    seen = sorted({q.page for q in engine.ask("What is foot drop?", articles=[pdf_id]).quotes})
    assert seen and all(1 <= p <= sample.pages for p in seen)
    others = engine.ask("What brace is used for foot drop?", articles=[a for a in engine.articles if a != pdf_id])
    assert others.quotes and all(q.page is None for q in others.quotes)  # not a PDF: no page


@pytest.mark.slow
def test_the_viewer_opens_the_pdf_the_page_serves_at_the_quoted_page(pdf_library, tmp_path):
    import re

    from qa.present import render_markdown

    root, sample, meta, _ = pdf_library
    with running_app(root / "index", tmp_path, corpus=root / "corpus") as url:
        from chatpage import Handlers, Service
        from qa.index import LiveIndex

        import qa

        engine = qa.load(root / "index")
        pdf_id = next(a.id for a in engine.articles.values() if a.original_pdf)
        handlers = Handlers(Service(LiveIndex(engine, root / "index", engine.reloaded), root / "corpus"),
                            tmp_path / "feedback.jsonl")
        answer = engine.ask("Which devices are in the table of orthoses?", articles=[pdf_id])
        page = answer.quotes[0].page
        assert f"[1, p. {page}]" in render_markdown(answer).replace("\\", "")
        viewer = handlers.source([answer], 0, 1)
        [link] = re.findall(r"href='(gradio_api/file=[^']+)'", viewer)
        assert link.endswith(f".pdf#page={page}") and f"Open the original PDF at page {page}" in viewer
        with urllib.request.urlopen(url + link.split("#")[0], timeout=30) as reply:
            assert reply.read() == sample.path.read_bytes()
        article = (root / "corpus" / "articles").resolve() / next((root / "corpus" / "articles").glob("*.md")).name
        with pytest.raises(urllib.error.HTTPError):  # only the originals folder is served
            urllib.request.urlopen(f"{url}gradio_api/file={article}", timeout=30)
