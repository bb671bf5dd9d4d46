"""Load one build of the index folder into memory, verifying it first.

Checks, in order: the folder exists, the manifest parses and has this format version, every
artifact matches its sha256, the sentence vectors (and, on a large corpus, their IVF index) hold
as many vectors of the model's dimension as the manifest says, and (when a corpus folder is given) the corpus has not changed since the
build. Each failure raises an error that names the file and the fixing command.

Does not load the embedding model; `qa.engine.load` joins the two.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from . import layout as mf
from ..errors import IndexCorruptError, IndexStaleError, ModelError
from .records import (
    Article, Chunk, Sentence, article_from_json, chunk_from_json, sentence_from_json,
)
from .terms import Terms, read_terms


@dataclass(frozen=True)
class Store:
    build_dir: Path
    manifest: mf.Manifest
    articles: Mapping[str, Article]
    chunks: tuple[Chunk, ...]
    sentences: tuple[Sentence, ...]
    sentence_vectors: np.ndarray  # row i == sentences[i], L2-normalised
    terms: Terms  # the articles' stems and how many sentences use each
    lexicon_text: str
    disclaimer_template: str
    sentence_index: Any = None  # above the exact-search limit: a faiss IVF index over sentence_vectors
    windows: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int32))  # (first row, length)
    window_bm25: Any = None  # bm25s.BM25 over window texts, row i == windows[i]
    chunk_sentences: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    # (article id, section path) -> chunk rows, and article id -> its section paths, in article order
    section_chunks: Mapping[tuple[str, tuple[str, ...]], tuple[int, ...]] = field(default_factory=dict)
    article_sections: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)


def _read_jsonl(path: Path, parse: Callable[[dict], Any]) -> list[Any]:
    out = []
    try:
        with open(path, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if line.strip():
                    out.append(parse(json.loads(line)))
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise IndexCorruptError(str(path), f"record on line {n} is malformed ({exc})") from exc
    return out


def _bm25(folder: Path, expected_docs: int):
    from .lexical import load_bm25

    try:
        bm25 = load_bm25(folder)
    except (OSError, ValueError, KeyError, json.JSONDecodeError) as exc:
        raise IndexCorruptError(str(folder), f"cannot be read ({exc})") from exc
    if int(bm25.scores["num_docs"]) != expected_docs:
        raise IndexCorruptError(str(folder), "document count differs from the manifest")
    return bm25


def read_records(build: Path) -> tuple[dict[str, Article], tuple[Chunk, ...], tuple[Sentence, ...]]:
    """The articles (by id), chunks and sentences of a build folder, in their stored order."""
    articles = {a.id: a for a in _read_jsonl(build / mf.ARTICLES, article_from_json)}
    return (articles, tuple(_read_jsonl(build / mf.CHUNKS, chunk_from_json)),
            tuple(_read_jsonl(build / mf.SENTENCES, sentence_from_json)))


def load_store(index_dir: Path, *, model_sha256: str | None = None, dim: int | None = None,
               corpus_dir: Path | None = None, verified: tuple[str, ...] = ()) -> Store:
    """Read and verify the live build of `index_dir`. `model_sha256`/`dim` are the loaded model's
    (the index must have been embedded by it); with `corpus_dir`, refuse a build older than the
    corpus; `verified`: artifacts the caller has already checked against this manifest (the ONNX
    encoder, 90 MB, checked before onnxruntime read it) are not hashed twice."""
    build = mf.resolve_build(Path(index_dir))
    manifest = mf.read_manifest(build)
    mf.verify_artifacts(build, manifest, skip=verified)
    _check_model(manifest, index_dir, model_sha256, dim)
    if corpus_dir is not None:
        changes = mf.changes_since(manifest, mf.corpus_fingerprint(Path(corpus_dir)))
        if changes:
            raise IndexStaleError(changes)
    articles, chunks, sentences = read_records(build)
    counts = manifest.counts
    if (len(articles), len(chunks), len(sentences)) != (counts["articles"], counts["chunks"], counts["sentences"]):
        raise IndexCorruptError(str(build), "record counts differ from the manifest")
    disclaimer_path, lexicon_path = build / mf.DISCLAIMER, build / mf.LEXICON
    if not disclaimer_path.is_file():
        raise IndexCorruptError(str(disclaimer_path), "the disclaimer is missing")
    by_section, article_sections = _sections(chunks)
    windows = _windows(build, len(sentences))
    return Store(
        build_dir=build, manifest=manifest, articles=articles, chunks=chunks, sentences=sentences,
        sentence_vectors=_sentence_vectors(build, manifest, len(sentences)),
        sentence_index=_vector_index(build / mf.SENTENCE_INDEX, manifest, len(sentences))
        if manifest.index_type != "flat" else None,
        terms=read_terms(build / mf.TERMS, len(sentences)),
        windows=windows, window_bm25=_bm25(build / mf.WINDOW_BM25_DIR, len(windows)),
        lexicon_text=lexicon_path.read_text(encoding="utf-8") if lexicon_path.is_file() else "",
        disclaimer_template=disclaimer_path.read_text(encoding="utf-8"),
        chunk_sentences=_sentences_by_chunk(sentences), section_chunks=by_section,
        article_sections=article_sections,
    )


def _check_model(manifest: mf.Manifest, index_dir: Path, model_sha256: str | None, dim: int | None) -> None:
    if model_sha256 is not None and manifest.model_sha256 != model_sha256:
        raise ModelError(
            f"The index at {index_dir} was built with model weights {manifest.model_sha256[:12]}… "
            f"({manifest.model_id}) but weights {model_sha256[:12]}… are loaded. "
            f"Rebuild the index with `python -m ingest --force`."
        )
    if dim is not None and manifest.dim != dim:
        raise ModelError(f"The index has {manifest.dim}-dimensional vectors but the model makes {dim}. "
                         "Rebuild the index with `python -m ingest --force`.")


def _sentence_vectors(build: Path, manifest: mf.Manifest, count: int) -> np.ndarray:
    path = build / mf.SENTENCE_VECTORS
    try:  # memory-mapped: replicas on one machine share the pages, and a start reads only what it uses
        vectors = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise IndexCorruptError(str(path), f"cannot be read ({exc})") from exc
    if vectors.shape != (count, manifest.dim):
        raise IndexCorruptError(str(path), f"shape {vectors.shape} differs from the manifest")
    return np.ascontiguousarray(vectors, dtype=np.float32)


def _windows(build: Path, sentence_count: int) -> np.ndarray:
    path = build / mf.WINDOWS
    try:
        windows = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise IndexCorruptError(str(path), f"cannot be read ({exc})") from exc
    if windows.ndim != 2 or windows.shape[1] != 2 or (len(windows) and (
            windows.min() < 0 or int((windows[:, 0] + windows[:, 1]).max()) > sentence_count)):
        raise IndexCorruptError(str(path), "its windows do not fit the sentences")
    return windows.astype(np.int64)


def _vector_index(path: Path, manifest: mf.Manifest, count: int):
    from .vectors import read_vector_index

    try:
        index = read_vector_index(path, expected_count=count, dim=manifest.dim)
    except RuntimeError as exc:
        raise IndexCorruptError(str(path), f"FAISS cannot read it ({str(exc).splitlines()[0]})") from exc
    if index.ntotal != count or index.d != manifest.dim:
        raise IndexCorruptError(str(path), "vector count or dimension differs from the manifest")
    return index


def _sentences_by_chunk(sentences: tuple[Sentence, ...]) -> dict[str, tuple[int, ...]]:
    by_chunk: dict[str, list[int]] = {}
    for s in sentences:
        by_chunk.setdefault(s.chunk_id, []).append(s.id)
    return {k: tuple(v) for k, v in by_chunk.items()}


def _sections(chunks: tuple[Chunk, ...]):
    """(article id, section path) -> chunk rows, and article id -> its section paths, in article order."""
    by_section: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for row, c in enumerate(chunks):
        by_section.setdefault((c.article_id, c.section), []).append(row)
    article_sections: dict[str, tuple[tuple[str, ...], ...]] = {}
    for article_id, section in by_section:  # dicts keep first-seen order: the article's order
        article_sections[article_id] = article_sections.get(article_id, ()) + (section,)
    return {k: tuple(v) for k, v in by_section.items()}, article_sections
