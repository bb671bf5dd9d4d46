"""Building the index: idempotence, --force, staleness, broken corpus files, crashes mid-write."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ingest import CorpusError
from qa.errors import IndexStaleError
from qa.index.layout import resolve_build
from qa.index import load_store
from tests.conftest import ROOT

ARTICLE = "articles/symptom-database-foot-drop.md"


def test_rebuild_is_idempotent_and_force_re_embeds(corpus_copy, tmp_path, build, embedder):
    index = tmp_path / "index"
    first = build(corpus_copy, index)
    assert first.status == "built"
    calls = []
    second = build(corpus_copy, index, embedder_factory=lambda: calls.append(1) or embedder)
    assert second.status == "up to date" and calls == [], "an unchanged corpus must not be re-embedded"
    assert second.build_dir == first.build_dir
    forced = build(corpus_copy, index, force=True, embedder_factory=lambda: calls.append(1) or embedder)
    assert forced.status == "built" and calls == [1]
    assert forced.build_dir != first.build_dir
    assert resolve_build(index) == forced.build_dir
    assert forced.manifest.corpus == first.manifest.corpus


def test_changed_corpus_file_marks_index_stale_and_rebuild_picks_it_up(corpus_copy, tmp_path, build):
    index = tmp_path / "index"
    build(corpus_copy, index)
    load_store(index, corpus_dir=corpus_copy)  # fresh: loads
    path = corpus_copy / ARTICLE
    path.write_text(path.read_text(encoding="utf-8").replace("Toe taps: Sit", "Toe taps:  Sit"), encoding="utf-8")
    with pytest.raises(IndexStaleError) as err:
        load_store(index, corpus_dir=corpus_copy)
    assert ARTICLE in str(err.value) and "python -m ingest" in str(err.value)
    assert build(corpus_copy, index).status == "built"
    load_store(index, corpus_dir=corpus_copy)


@pytest.mark.parametrize("content, problem", [
    (b"# Title\n\nNo front matter here.\n", "no YAML front matter"),
    (b"---\npublisher: X\n---\n\nSome text.\n", "no `title`"),
    (b"---\ntitle: Empty\n---\n\n## Only a heading\n", "body is empty"),
    (b"---\ntitle: Latin-1\n---\n\nCaf\xe9 au lait.\n", "not UTF-8"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (b"---\ntitle: [unclosed\n---\n\nText.\n", "not valid YAML"),
])
def test_broken_corpus_file_fails_the_run_and_keeps_the_old_index(corpus_copy, tmp_path, build, content, problem):
    index = tmp_path / "index"
    good = build(corpus_copy, index)
    bad = corpus_copy / "articles" / "broken.md"
    bad.write_bytes(content)
    with pytest.raises(CorpusError) as err:
        build(corpus_copy, index, force=True)
    assert "broken.md" in str(err.value) and problem in str(err.value)
    assert resolve_build(index) == good.build_dir
    load_store(index)


def test_sentence_missing_from_the_original_capture_is_refused(corpus_copy, tmp_path, build):
    path = corpus_copy / ARTICLE
    path.write_text(path.read_text(encoding="utf-8").replace("Foot pain or cramping", "Foot pain or no cramping"),
                    encoding="utf-8")
    with pytest.raises(CorpusError, match="not in its original capture"):
        build(corpus_copy, tmp_path / "index")


def test_crash_while_writing_leaves_the_previous_index_live(corpus_copy, tmp_path, build, monkeypatch):
    index = tmp_path / "index"
    good = build(corpus_copy, index)
    before = load_store(index)

    def explode(*args, **kwargs):
        raise OSError("disk full (simulated)")

    import qa.index.terms  # write_artifacts imports the writer from here at call time

    monkeypatch.setattr(qa.index.terms, "write_terms", explode)
    with pytest.raises(OSError, match="simulated"):
        build(corpus_copy, index, force=True)
    assert resolve_build(index) == good.build_dir
    after = load_store(index)
    assert after.manifest == before.manifest
    assert not list((index / "builds").glob("*.tmp")), "the half-written build was not cleaned up"


def test_cli_reports_a_broken_file_with_its_name_and_exit_code(corpus_copy, tmp_path):
    (corpus_copy / "articles" / "broken.md").write_text("no front matter\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "ingest", "--corpus", str(corpus_copy), "--index", str(tmp_path / "i")],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 1
    assert "broken.md" in proc.stderr and "front matter" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_quiet_cli_build_prints_only_its_summary(corpus_copy, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "ingest", "--quiet", "--corpus", str(corpus_copy), "--index",
                           str(tmp_path / "i")], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("index built:") and len(proc.stdout.splitlines()) == 1
    assert proc.stderr == "", proc.stderr  # no model-loading progress bar, no stage lines


class CountingEmbedder:
    """The real model, counting the texts it is asked to encode."""

    def __init__(self, embedder):
        self.embedder, self.texts = embedder, []

    def encode(self, texts, **kwargs):
        self.texts.extend(texts)
        return self.embedder.encode(texts, **kwargs)


def test_no_change_run_decides_from_hashes_without_parsing(corpus_copy, tmp_path, build, monkeypatch):
    index = tmp_path / "index"
    first = build(corpus_copy, index)

    def parse_refused(path):
        raise AssertionError(f"{path} was parsed on a no-change run")

    monkeypatch.setattr("ingest.corpus.parse_file", parse_refused)
    again = build(corpus_copy, index)
    assert again.status == "up to date" and again.build_dir == first.build_dir


def test_adding_an_article_embeds_only_its_text_and_reuses_the_rest(corpus_copy, tmp_path, build, embedder):
    from ingest.importer import add_articles

    index = tmp_path / "index"
    first = build(corpus_copy, index)
    source = tmp_path / "gait.txt"
    source.write_text("Gait training after foot drop\n\nMethods\n\nPatients walked daily with a brace. "
                      "Toe taps were done seated.\n\nMost improved within weeks.\n", encoding="utf-8")
    [added] = add_articles([source], corpus_copy)
    counting = CountingEmbedder(embedder)
    second = build(corpus_copy, index, embedder_factory=lambda: counting)
    assert second.status == "built" and second.build_dir != first.build_dir
    store = load_store(index, corpus_dir=corpus_copy)  # verified, fresh, and live
    new_id = added.article.removeprefix("articles/").removesuffix(".md")
    new_chunks = [c for c in store.chunks if c.article_id == new_id]
    new_sentences = [s for s in store.sentences if s.article_id == new_id]
    assert new_chunks and second.embedded == len(counting.texts) == len(new_sentences)
    assert all("Gait training" in t or "Methods" in t for t in counting.texts)
    # reused rows are the vectors a full re-embedding gives
    forced = build(corpus_copy, tmp_path / "full", force=True)
    full = load_store(tmp_path / "full")
    assert forced.embedded == len(full.sentences)
    import numpy as np
    assert np.allclose(store.sentence_vectors, full.sentence_vectors, atol=1e-5)


def test_removing_an_article_loads_no_model(corpus_copy, tmp_path, build):
    index = tmp_path / "index"
    build(corpus_copy, index)
    (corpus_copy / "articles" / "droracle-medical-management-foot-drop.md").unlink()
    result = build(corpus_copy, index, embedder_factory=lambda: pytest.fail("the model was loaded"))
    assert result.status == "built" and result.embedded == 0
    assert list(load_store(index, corpus_dir=corpus_copy).articles) == ["symptom-database-foot-drop"]


def test_editing_one_paragraph_re_embeds_only_that_paragraph(corpus_copy, tmp_path, build, embedder):
    index = tmp_path / "index"
    build(corpus_copy, index)
    path = corpus_copy / ARTICLE
    text = path.read_text(encoding="utf-8")
    assert "Foot pain or cramping" in text
    path.write_text(text.replace("Foot pain or cramping", "Foot pain"), encoding="utf-8")
    counting = CountingEmbedder(embedder)
    result = build(corpus_copy, index, embedder_factory=lambda: counting)
    assert result.status == "built" and 0 < result.embedded <= 3, counting.texts
    assert all("Foot pain" in t for t in counting.texts)


def test_an_index_of_an_older_format_is_refused_and_a_rebuild_reuses_its_vectors(corpus_copy, tmp_path, build):
    """Upgrading QuoteQA: the server refuses the old build with the fix, and `python -m ingest`
    (no --force) rebuilds it without loading the model, from the old build's sentence vectors."""
    import hashlib
    import json

    from qa.errors import IndexCorruptError
    from qa.index.layout import FORMAT_VERSION, MANIFEST, MANIFEST_SHA256

    index = tmp_path / "index"
    build(corpus_copy, index)
    before = load_store(index)
    old = resolve_build(index)
    data = json.loads((old / MANIFEST).read_text())
    data["format_version"] = FORMAT_VERSION - 1  # what a build by the previous release says
    (old / MANIFEST).write_text(json.dumps(data))
    digest = hashlib.sha256((old / MANIFEST).read_bytes()).hexdigest()
    (old / MANIFEST_SHA256).write_text(f"{digest}  {MANIFEST}\n")
    with pytest.raises(IndexCorruptError, match=f"format version {FORMAT_VERSION - 1}.*python -m ingest"):
        load_store(index)
    result = build(corpus_copy, index, embedder_factory=lambda: pytest.fail("the model was loaded"))
    assert result.status == "built" and result.embedded == 0
    after = load_store(index, corpus_dir=corpus_copy)
    assert after.manifest.format_version == FORMAT_VERSION
    assert (after.sentence_vectors == before.sentence_vectors).all()


def test_a_rebuild_parses_only_the_articles_that_changed_and_gives_the_records_a_full_build_gives(
        corpus_copy, tmp_path, build, monkeypatch):
    import ingest.corpus

    index = tmp_path / "index"
    build(corpus_copy, index)
    path = corpus_copy / ARTICLE
    path.write_text(path.read_text(encoding="utf-8").replace("Foot pain or cramping", "Foot pain"), encoding="utf-8")
    parsed = []
    real = ingest.corpus.parse_file
    monkeypatch.setattr(ingest.corpus, "parse_file", lambda p: parsed.append(p.name) or real(p))
    build(corpus_copy, index)
    assert parsed == [path.name]  # the other article came from the live build's records
    monkeypatch.undo()
    build(corpus_copy, tmp_path / "full", force=True)
    rebuilt, full = load_store(index), load_store(tmp_path / "full")
    assert (rebuilt.articles, rebuilt.chunks, rebuilt.sentences) == (full.articles, full.chunks, full.sentences)


def test_an_edited_original_capture_is_checked_again_though_its_article_did_not_change(corpus_copy, tmp_path, build):
    index = tmp_path / "index"
    build(corpus_copy, index)
    original = next((corpus_copy / "originals").glob("000_*"))  # the capture of ARTICLE
    original.write_text(original.read_text(encoding="utf-8").replace("Foot pain or cramping", "Foot ache"),
                        encoding="utf-8")
    with pytest.raises(CorpusError, match="Foot pain or cramping.*not in its original capture"):
        build(corpus_copy, index)


def test_many_articles_are_read_on_every_core_with_the_same_result_and_errors(corpus_copy, monkeypatch):
    """Above `PARALLEL_FROM` articles the corpus is read by a process pool: the records are those of
    one process, and a broken file still fails the run with its name and the fix."""
    import ingest.corpus
    from ingest import load_corpus

    articles = corpus_copy / "articles"
    for k in range(12):  # 26 articles: copies under new names (each is its own article)
        for src in sorted(articles.glob("*.md"))[:2]:
            (articles / f"copy{k:02d}-{src.name}").write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    one_process = load_corpus(corpus_copy)
    monkeypatch.setattr(ingest.corpus, "PARALLEL_FROM", 4)
    assert load_corpus(corpus_copy) == one_process and len(one_process) == 26
    (articles / "copy05-broken.md").write_text("no front matter\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="copy05-broken.md.*front matter.*python -m ingest"):
        load_corpus(corpus_copy)


def test_a_reused_article_still_warns_of_its_unknown_front_matter_key(corpus_copy, tmp_path, build):
    typo = corpus_copy / "articles" / "droracle-medical-management-foot-drop.md"
    typo.write_text(typo.read_text(encoding="utf-8").replace("---\n", "---\nreviewd_by: 2027-01-01\n", 1),
                    encoding="utf-8")
    index = tmp_path / "index"
    assert any("reviewd_by" in w for w in build(corpus_copy, index).warnings)
    other = corpus_copy / ARTICLE
    other.write_text(other.read_text(encoding="utf-8").replace("Foot pain or cramping", "Foot pain"), encoding="utf-8")
    again = build(corpus_copy, index)  # the file with the typo is taken from the live build's records
    assert again.status == "built" and any("reviewd_by" in w and typo.name in w for w in again.warnings)
