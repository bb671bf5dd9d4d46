"""Write a complete index build and switch `current` to it atomically.

A build is written into `builds/<name>.tmp/`, checksummed into its manifest, renamed, and only
then made live by replacing the `current` symlink with one `os.replace`: a reader (or a crash)
sees the old build or the new one, never half of either. Old builds beyond `KEEP_OLD_BUILDS` and
folders left by a killed run are pruned afterwards. One writer at a time (`index_lock`).

Takes records and vectors that are already made; does not parse, chunk or embed (see `ingest`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import shutil
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator, Mapping, Sequence

import numpy as np

from ..errors import QuoteQAError
from . import layout as mf
from .amounts import amounts
from .records import Article, Chunk, Sentence, to_json
from .windows import make_windows, window_texts

KEEP_OLD_BUILDS = 2  # a reader that resolved `current` just before a swap still finds its files
FLAT_LIMIT = 20_000  # sentences searched exactly up to here (~3 ms a query); an IVF index above (vectors.py)


@dataclass(frozen=True)
class BuildContent:
    """Everything one build holds, made by the caller; row i of a vector matrix is record i."""
    articles: Sequence[Article]
    chunks: Sequence[Chunk]
    sentences: Sequence[Sentence]
    chunk_texts: Sequence[str]  # each chunk with its title and section path: their stems are the articles' words
    sentence_texts: Sequence[str]  # what the model embedded, per sentence (and what the sentence counts count)
    sentence_vectors: np.ndarray
    corpus_dir: Path  # the lexicon and the disclaimer are copied from here
    fingerprint: Mapping[str, str]  # corpus file -> sha256
    model_id: str
    model_sha256: str
    encoder: str = "torch"  # the runtime the vectors were made with and queries are encoded by
    encoder_file: Path | None = None  # for "onnx": the exported model, linked into the build
    left_out: Mapping[str, str] = field(default_factory=dict)  # corpus file -> why it cannot be read (--skip-broken)


def _log(msg: str, quiet: bool) -> None:
    if not quiet:
        print(msg, file=sys.stderr, flush=True)


@contextlib.contextmanager
def index_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index folder's writer lock; a second writer is refused at once, with the reason."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise QuoteQAError(f"Another `python -m ingest` is building {index_dir}; wait for it to finish.") from exc
        yield


def current_manifest_if_valid(index_dir: Path, *, any_format: bool = False) -> mf.Manifest | None:
    """The live build's manifest when every artifact but the ONNX encoder checks out (see
    `encoder_intact`); None when there is no usable build. With `any_format`, a build of an
    earlier format version counts too (its vectors can be reused; it cannot be served)."""
    try:
        build = mf.resolve_build(index_dir)
        manifest = mf.read_manifest(build, any_format=any_format)
        mf.verify_artifacts(build, manifest, skip=(mf.ENCODER,))
        return manifest
    except QuoteQAError:
        return None


def encoder_intact(index_dir: Path, manifest: mf.Manifest) -> bool:
    """Whether the live build's `encoder.onnx` (if it has one) checks out. A damaged one is relinked
    by the next build, which can still reuse the build's vectors: they do not depend on the file."""
    try:
        mf.verify_artifacts(mf.resolve_build(index_dir), replace(manifest, artifacts={
            k: v for k, v in manifest.artifacts.items() if k == mf.ENCODER}))
        return True
    except QuoteQAError:
        return False


def write_build(index_dir: Path, content: BuildContent, *, quiet: bool = True) -> tuple[mf.Manifest, Path]:
    """Write `content` as a new build beside the live one and switch `current` to it.
    The caller holds `index_lock`."""
    builds = index_dir / mf.BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    name = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)
    tmp = builds / f"{name}.tmp"
    tmp.mkdir()
    _log(f"Writing build {name} ...", quiet)
    try:
        index_type = write_artifacts(tmp, content)
        artifacts = {p.relative_to(tmp).as_posix(): mf.file_sha256(p) for p in sorted(tmp.rglob("*")) if p.is_file()}
        manifest = mf.Manifest(
            format_version=mf.FORMAT_VERSION, pipeline_version=mf.PIPELINE_VERSION,
            model_id=content.model_id, model_sha256=content.model_sha256, dim=int(content.sentence_vectors.shape[1]),
            corpus=dict(content.fingerprint),
            counts={"articles": len(content.articles), "chunks": len(content.chunks),
                    "sentences": len(content.sentences)},
            built_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            artifacts=artifacts, index_type=index_type, encoder=content.encoder, left_out=dict(content.left_out),
        )
        mf.write_manifest(tmp, manifest)
        os.replace(tmp, builds / name)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _log(f"Switching {index_dir / mf.CURRENT} to build {name} ...", quiet)
    _swap_current(index_dir, name)
    prune(index_dir, name)
    return manifest, builds / name


def write_artifacts(folder: Path, content: BuildContent) -> str:
    """Every file of a build but the manifest; returns how the sentence vectors are searched:
    "flat" (exactly, from `sentences.npy` alone) or "ivf" (an inverted-file index beside them)."""
    from .lexical import Tokenizer, build_bm25, save_bm25
    from .reuse import write_embedding_keys
    from .terms import count_terms, write_terms
    from .vectors import build_vector_index, write_vector_index

    _write_jsonl(folder / mf.ARTICLES, content.articles)
    _write_jsonl(folder / mf.CHUNKS, content.chunks)
    _write_jsonl(folder / mf.SENTENCES, (replace(s, amounts=amounts(s.text)) for s in content.sentences))
    np.save(folder / mf.SENTENCE_VECTORS, content.sentence_vectors, allow_pickle=False)
    index_type = "flat"
    if len(content.sentence_vectors) > FLAT_LIMIT:
        index, index_type = build_vector_index(content.sentence_vectors, flat_limit=FLAT_LIMIT)
        write_vector_index(index, folder / mf.SENTENCE_INDEX)
    write_embedding_keys(folder, content.sentence_texts, content.model_sha256)
    tokenize = Tokenizer()
    write_terms(folder / mf.TERMS, count_terms(tokenize(content.sentence_texts), tokenize(content.chunk_texts)))
    by_id = {c.id: c for c in content.chunks}
    windows = make_windows(content.sentences, by_id)
    np.save(folder / mf.WINDOWS, windows, allow_pickle=False)
    save_bm25(build_bm25(tokenize(window_texts(windows, content.sentences, by_id))), folder / mf.WINDOW_BM25_DIR)
    if content.encoder_file is not None:  # a hard link: one copy on disk for every build, else a copy
        try:
            os.link(content.encoder_file, folder / mf.ENCODER)
        except OSError:
            shutil.copyfile(content.encoder_file, folder / mf.ENCODER)
    for name in mf.CORPUS_SIDE_FILES:
        src = content.corpus_dir / name
        if src.exists():
            shutil.copyfile(src, folder / name)
    return index_type


def _write_jsonl(path: Path, records) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(to_json(r), ensure_ascii=False) + "\n")


def _swap_current(index_dir: Path, build_name: str) -> None:
    link_tmp = index_dir / f".{mf.CURRENT}.{secrets.token_hex(4)}"
    os.symlink(f"{mf.BUILDS}/{build_name}", link_tmp)
    os.replace(link_tmp, index_dir / mf.CURRENT)  # atomic: readers see the old or the new build


def remove_unfinished_builds(index_dir: Path) -> list[str]:
    """Delete `builds/*.tmp` folders left by a killed run; the caller holds `index_lock`, so none
    of them is being written. Returns the names removed."""
    builds = index_dir / mf.BUILDS
    leftovers = sorted(builds.glob("*.tmp")) if builds.is_dir() else []
    for tmp in leftovers:
        shutil.rmtree(tmp, ignore_errors=True)
    return [p.name for p in leftovers]


def prune(index_dir: Path, live: str) -> None:
    """Remove builds older than the newest `KEEP_OLD_BUILDS` besides `live`, and leftover `.tmp` folders."""
    builds = index_dir / mf.BUILDS
    done = sorted((p for p in builds.iterdir() if p.is_dir() and p.name != live and not p.name.endswith(".tmp")),
                  key=lambda p: p.name)
    for old in done[:-KEEP_OLD_BUILDS] if KEEP_OLD_BUILDS else done:
        shutil.rmtree(old, ignore_errors=True)
    for tmp in builds.glob("*.tmp"):  # left by a killed run
        shutil.rmtree(tmp, ignore_errors=True)
