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


@pytest.mark.parametrize("name", ["chunks.faiss", "sentences.npy", "chunks.jsonl", "articles.jsonl", "bm25/vocab.index.json"])
def test_flipped_bit_is_detected(index_copy, name):
    path = _artifact(index_copy, name)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError) as err:
        load_store(index_copy)
    assert name.split("/")[-1] in str(err.value) and "python -m ingest" in str(err.value)


@pytest.mark.parametrize("name", ["chunks.faiss", "sentences.jsonl"])
def test_truncated_file_is_detected(index_copy, name):
    path = _artifact(index_copy, name)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(IndexCorruptError, match="checksum"):
        load_store(index_copy)


def test_deleted_file_is_detected(index_copy):
    _artifact(index_copy, "chunks.faiss").unlink()
    with pytest.raises(IndexCorruptError, match="missing"):
        load_store(index_copy)


def test_edited_manifest_is_detected(index_copy):
    path = _artifact(index_copy, "manifest.json")
    data = json.loads(path.read_text())
    data["artifacts"]["chunks.faiss"] = "0" * 64
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


def test_faiss_search_equals_brute_force_cosine(built_index, embedder):
    import faiss

    store = load_store(built_index)
    vectors = store.vector_index.reconstruct_n(0, store.vector_index.ntotal)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    queries = embedder.encode(["What brace helps foot drop?", "nerve conduction studies", "surgery options"])
    scores, ids = store.vector_index.search(queries, 10)
    brute = queries @ vectors.T
    for q in range(len(queries)):
        expected = np.argsort(-brute[q], kind="stable")[:10]
        assert list(ids[q]) == list(expected)
        assert np.allclose(scores[q], brute[q][expected], atol=1e-5)
    assert isinstance(store.vector_index, faiss.IndexFlatIP)


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


def test_the_tokenizer_gives_the_terms_bm25s_gives(engine):
    """The indexes hold bm25s' terms: the project's own tokenizer must give the same ones for every
    text of the corpus and for odd input (accents, other scripts, contractions, nothing)."""
    import bm25s

    from qa.index.lexical import Tokenizer, _stemmer

    texts = [s.text for s in engine._store.sentences] + [c.text for c in engine.chunks]
    texts += ["", "  ", "É café naïve ÆON 12 a I x2 don't it's co-op", "ΑΒΓ δέλτα", "日本語のテキスト"]
    expected = bm25s.tokenize(texts, stopwords="en_plus", stemmer=_stemmer(), return_ids=False, show_progress=False)
    assert Tokenizer()(texts) == expected
