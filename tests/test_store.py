"""Loading the index: every kind of damage is detected with a message that names the file and the fix."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from qa.errors import IndexCorruptError, IndexMissingError, ModelError
from qa.store import load_store


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
    with pytest.raises(IndexCorruptError, match="chunks.faiss"):
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
    from qa.records import sentence_context_text

    store = load_store(built_index)
    chunk = {c.id: c for c in store.chunks}
    sample = store.sentences[::17]
    fresh = embedder.encode([sentence_context_text(chunk[s.chunk_id], s) for s in sample])
    assert np.allclose(fresh, store.sentence_vectors[[s.id for s in sample]], atol=1e-4)
