"""The two query encoders, the bundled MiniLM on onnxruntime (the default) and on PyTorch: the same
vectors, an index served by the runtime it was built for, and a damaged export refused with the fix."""

from __future__ import annotations

import numpy as np
import pytest

import qa
from qa.errors import IndexCorruptError, ModelError, QuoteQAError
from tests.conftest import CORPUS

QUESTIONS = ["What causes foot drop?", "Is foot drop painful?", "What brace is used for foot drop?",
             "What operations are available for foot drop?", "How long does recovery take?"]


def test_onnx_and_torch_encoders_give_the_same_vectors(engine, embedder, torch_embedder):
    texts = [s.text for s in engine._store.sentences] + ["", "a", "word " * 400]  # empty, one letter, truncated
    onnx, torch = embedder.encode(texts), torch_embedder.encode(texts)
    assert onnx.shape == torch.shape == (len(texts), 384)
    assert float((onnx * torch).sum(axis=1).min()) > 0.9999
    stored = engine._store.sentence_vectors
    for question in QUESTIONS:  # the same nearest sentences, in the same order
        a, b = stored @ embedder.encode([question])[0], stored @ torch_embedder.encode([question])[0]
        assert list(np.argsort(-a)[:5]) == list(np.argsort(-b)[:5]), question


@pytest.mark.parametrize("word", ["look", "asthma", "peroneal", "Gaucher", "AFO", "foot-drop", "ÉTUDE", ""])
def test_both_encoders_read_words_with_the_same_vocabulary(embedder, torch_embedder, word):
    # the abstention rules ask the vocabulary how rare a word is: both runtimes must answer alike
    assert embedder.word_pieces(word) == torch_embedder.word_pieces(word)
    assert embedder.word_rank(word) == torch_embedder.word_rank(word)


def test_an_index_is_served_by_the_encoder_it_was_built_for(built_index, engine):
    served = qa.load(built_index)
    assert served.manifest.encoder == "onnx" and served.encoder == "onnx"
    by_torch = served.with_encoder("torch")  # the same index, questions encoded by PyTorch
    for question in QUESTIONS:
        assert [q.text for q in served.ask(question).quotes] == [q.text for q in by_torch.ask(question).quotes]
    with pytest.raises(ModelError) as refused:
        qa.load(built_index, encoder="torch")
    assert "built for the onnx encoder" in str(refused.value)
    assert "python -m ingest --force --encoder torch" in str(refused.value)


def test_a_torch_build_answers_as_the_onnx_one(corpus_copy, tmp_path, build, torch_embedder, engine, built_index):
    index = tmp_path / "index"
    result = build(corpus_copy, index, encoder="torch", embedder_factory=lambda: torch_embedder)
    assert result.manifest.encoder == "torch" and "encoder.onnx" not in result.manifest.artifacts
    assert "encoder" not in result.manifest.to_json()  # what builds made before the ONNX encoder look like
    served = qa.load(index)
    assert served.encoder == "torch"
    for question in QUESTIONS:
        assert [q.text for q in served.ask(question).quotes] == [q.text for q in engine.ask(question).quotes]
    # a server that insisted on ONNX does not quietly move to PyTorch when the index is rebuilt for it
    with pytest.raises(ModelError):
        qa.load(built_index, encoder="onnx").reloaded(index)
    # a plain rebuild keeps the runtime; switching it re-encodes nothing (the vectors are the same)
    assert build(corpus_copy, index).status == "up to date"
    switched = build(corpus_copy, index, encoder="onnx")
    assert switched.status == "built" and switched.embedded == 0 and switched.manifest.encoder == "onnx"
    assert qa.load(index).encoder == "onnx"


def test_a_damaged_or_unwritable_export_cache_is_handled(tmp_path, embedder):
    from qa.onnx_encoder import exported

    cache = tmp_path / "cache"
    first = exported(cache=cache)
    first.chmod(0o644)
    first.write_bytes(b"damaged")  # a write through a hard link: the recorded sha256 no longer matches
    again = exported(cache=cache)
    assert again == first and again.stat().st_size > 1_000_000 and again.stat().st_mode & 0o222 == 0
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(ModelError) as refused:
        exported(cache=blocker / "cache")
    assert "QUOTEQA_CACHE" in str(refused.value) and "--encoder torch" in str(refused.value)


def test_a_damaged_onnx_encoder_is_refused_with_the_fix(index_copy, build):
    encoder = next(index_copy.glob("builds/*/encoder.onnx"))
    data = bytearray(encoder.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped bit in the weights: the file still parses
    encoder.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError) as damaged:
        qa.load(index_copy)
    assert "encoder.onnx" in str(damaged.value) and "python -m ingest" in str(damaged.value)
    # the fix: a plain rebuild links the export again and reuses every vector (nothing to re-encode)
    mended = build(CORPUS, index_copy)
    assert mended.status == "built" and mended.embedded == 0
    assert qa.load(index_copy).ask(QUESTIONS[0]).quotes
    encoder = next(p for p in index_copy.glob("builds/*/encoder.onnx") if p.parent == mended.build_dir)
    encoder.unlink()  # a hard link to the run's cached export: replace it, never write through it
    encoder.write_bytes(b"not a model")
    with pytest.raises(QuoteQAError) as unreadable:
        qa.load(index_copy)
    assert "python -m ingest --force" in str(unreadable.value)
