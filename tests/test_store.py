"""Loading the index: every kind of damage is detected with a message that names the file and the fix."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qa.errors import IndexCorruptError, IndexMissingError, ModelError
from qa.index import load_store


def _artifact(index: Path, name: str) -> Path:
    return (index / "current").resolve() / name


@pytest.mark.parametrize("name", ["sentences.npy", "terms.json", "chunks.jsonl", "articles.jsonl",
                                  "bm25_windows/vocab.index.json"])
def test_flipped_bit_is_detected(index_copy, name):
    path = _artifact(index_copy, name)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError) as err:
        load_store(index_copy)
    assert name.split("/")[-1] in str(err.value) and "python -m ingest" in str(err.value)


@pytest.mark.parametrize("name", ["sentences.npy", "sentences.jsonl"])
def test_truncated_file_is_detected(index_copy, name):
    path = _artifact(index_copy, name)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(IndexCorruptError, match="checksum"):
        load_store(index_copy)


def test_deleted_file_is_detected(index_copy):
    _artifact(index_copy, "terms.json").unlink()
    with pytest.raises(IndexCorruptError, match="missing"):
        load_store(index_copy)


def test_edited_manifest_is_detected(index_copy):
    path = _artifact(index_copy, "manifest.json")
    data = json.loads(path.read_text())
    data["artifacts"]["sentences.npy"] = "0" * 64
    path.write_text(json.dumps(data))
    with pytest.raises(IndexCorruptError, match="manifest.json.*checksum does not match manifest.sha256"):
        load_store(index_copy)
    path.write_text("{not json")
    with pytest.raises(IndexCorruptError, match="manifest"):
        load_store(index_copy)


def test_missing_index_says_how_to_build_it(tmp_path):
    with pytest.raises(IndexMissingError, match="python -m ingest"):
        load_store(tmp_path / "nowhere")


def test_index_built_with_another_model_is_refused(built_index):
    with pytest.raises(ModelError, match="--force"):
        load_store(built_index, model_sha256="f" * 64)


def test_nearest_sentences_are_the_brute_force_cosine_neighbours(built_index, embedder):
    """A corpus under the exact-search limit keeps its vectors once (no FAISS file) and finds
    exactly what brute force finds."""
    from qa.index.vectors import nearest

    store = load_store(built_index)
    assert store.sentence_index is None and store.manifest.index_type == "flat"
    assert not _artifact(built_index, "sentences.faiss").exists()
    vectors = store.sentence_vectors
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    queries = embedder.encode(["What brace helps foot drop?", "nerve conduction studies", "surgery options"])
    scores, ids = nearest(vectors, None, queries, 10)
    brute = queries @ vectors.T
    for q in range(len(queries)):
        expected = np.argsort(-brute[q], kind="stable")[:10]
        assert list(ids[q]) == list(expected)
        assert np.allclose(scores[q], brute[q][expected], atol=1e-5)


def test_sentence_vectors_are_the_model_encoding_of_their_context(built_index, embedder):
    from qa.index.records import sentence_context_text

    store = load_store(built_index)
    chunk = {c.id: c for c in store.chunks}
    sample = store.sentences[::17]
    fresh = embedder.encode([sentence_context_text(chunk[s.chunk_id], s) for s in sample])
    assert np.allclose(fresh, store.sentence_vectors[[s.id for s in sample]], atol=1e-4)


def test_large_indexes_use_ivf_that_agrees_with_exact_search(built_index, tmp_path):
    """Above the flat limit the builder picks IVF; after a write/read round trip it still finds
    what brute force finds (vectors: noisy copies of real sentence embeddings, as in eval.scale)."""
    import faiss

    from qa.index.vectors import IVF_NPROBE, build_vector_index, read_vector_index, write_vector_index

    base = load_store(built_index).sentence_vectors
    rng = np.random.default_rng(7)
    vectors = base[rng.integers(0, len(base), 6000)] + rng.normal(0, 0.025, (6000, base.shape[1])).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index, kind = build_vector_index(vectors, flat_limit=5000)
    assert kind == "ivf" and isinstance(index, faiss.IndexIVFFlat)
    write_vector_index(index, tmp_path / "v.faiss")
    index = read_vector_index(tmp_path / "v.faiss", expected_count=6000, dim=base.shape[1])
    assert index.nprobe == IVF_NPROBE and index.ntotal == 6000
    queries = vectors[rng.choice(6000, 100, replace=False)] + rng.normal(0, 0.01, (100, base.shape[1])).astype(np.float32)
    exact = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    _, found = index.search(queries, 10)
    recall = np.mean([len(set(exact[i]) & set(found[i])) / 10 for i in range(100)])
    assert recall >= 0.95, recall
    small, kind = build_vector_index(vectors[:100], flat_limit=5000)
    assert kind == "flat"


def test_a_corpus_above_the_exact_search_limit_is_searched_through_a_stored_ivf_index(corpus_copy, tmp_path,
                                                                                     build, monkeypatch, embedder):
    import faiss

    import qa.index.write
    from qa import Engine
    from qa.index.vectors import nearest

    monkeypatch.setattr(qa.index.write, "FLAT_LIMIT", 40)  # the foot-drop corpus has 90 sentences
    build(corpus_copy, tmp_path / "index")
    store = load_store(tmp_path / "index")
    assert store.manifest.index_type == "ivf" and isinstance(store.sentence_index, faiss.IndexIVFFlat)
    assert "sentences.faiss" in store.manifest.artifacts and store.sentence_index.ntotal == len(store.sentences)
    query = embedder.encode(["What brace helps foot drop?"])
    assert set(nearest(store.sentence_vectors, store.sentence_index, query, 5)[1][0]) <= set(range(len(store.sentences)))
    answer = Engine(store, embedder).ask("What brace is used for foot drop?")
    assert answer.status == "answered" and "orthos" in " ".join(q.text for q in answer.quotes).lower()


def test_the_tokenizer_gives_the_terms_bm25s_gives(engine):
    """The indexes hold bm25s' terms: the project's own tokenizer must give the same ones for every
    text of the corpus and for odd input (accents, other scripts, contractions, nothing)."""
    import bm25s

    from qa.index.lexical import Tokenizer, _stemmer

    texts = [s.text for s in engine._store.sentences] + [c.text for c in engine.chunks]
    texts += ["", "  ", "É café naïve ÆON 12 a I x2 don't it's co-op", "ΑΒΓ δέλτα", "日本語のテキスト"]
    expected = bm25s.tokenize(texts, stopwords="en_plus", stemmer=_stemmer(), return_ids=False, show_progress=False)
    assert Tokenizer()(texts) == expected
