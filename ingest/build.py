"""Build the index folder from the corpus folder.

Steps: parse every article (one broken file fails the whole run), check every sentence against
the article's original capture, embed chunks and sentences, then write a complete build into a
temporary folder beside the live one and switch the `current` link to it with one atomic rename.
Until that rename the previous build stays live and whole, whatever fails or is killed.
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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from qa import manifest as mf
from qa.errors import QuoteQAError
from qa.records import Article, Chunk, Sentence, context_text, sentence_context_text, to_json

from .chunk import ChunkedArticle, chunk_article, pysbd_splitter
from .parse import CorpusError, parse_file

KEEP_OLD_BUILDS = 2  # a reader that resolved `current` just before a swap still finds its files
FLAT_LIMIT = 20_000  # exact search up to here (~3 ms a query); an IVF index above (qa/vectors.py)


@dataclass(frozen=True)
class BuildResult:
    status: str  # "built" or "up to date"
    build_dir: Path
    manifest: mf.Manifest
    seconds: float


def _log(msg: str, quiet: bool) -> None:
    if not quiet:
        print(msg, file=sys.stderr, flush=True)


def _collapse(text: str) -> str:
    return " ".join(text.split())


def load_corpus(corpus_dir: Path) -> list[ChunkedArticle]:
    folder = corpus_dir / mf.ARTICLES_DIR
    paths = sorted(folder.glob("*.md"))
    if not paths:
        raise CorpusError(folder, "no articles (*.md files) found")
    split = pysbd_splitter()
    articles = []
    for path in paths:
        parsed = parse_file(path)
        chunked = chunk_article(parsed, split)
        article = replace(chunked.article, source_file=path.relative_to(corpus_dir).as_posix())
        chunked = replace(chunked, article=article)
        if parsed.meta.get("original"):
            check_against_original(chunked, corpus_dir / parsed.meta["original"], path)
        articles.append(chunked)
    if not (corpus_dir / mf.DISCLAIMER).is_file():
        raise CorpusError(corpus_dir / mf.DISCLAIMER, "the disclaimer file is missing; every answer ends with it")
    ids = [a.article.id for a in articles]
    if len(set(ids)) != len(ids):
        raise CorpusError(folder, "two articles share a file name")
    return articles


def check_against_original(chunked: ChunkedArticle, original: Path, source: Path) -> None:
    """Every sentence and lead-in must appear, whitespace aside, in the captured page."""
    try:
        page = _collapse(original.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(source, f"its `original` capture {original} cannot be read ({exc})") from exc
    for chunk, sentences in zip(chunked.chunks, chunked.sentences):
        for text in [s.text for s in sentences] + ([chunk.lead_in] if chunk.lead_in else []):
            if _collapse(text) not in page:
                raise CorpusError(source, f"the sentence {text[:80]!r} is not in its original capture {original.name}")


def _number_sentences(articles: list[ChunkedArticle]) -> tuple[list[Chunk], list[Sentence], list[Article]]:
    chunks, sentences = [], []
    for a in articles:
        chunks.extend(a.chunks)
        for group in a.sentences:
            base = len(sentences)
            sentences.extend([replace(s, id=base + k) for k, s in enumerate(group)])
    return chunks, sentences, [a.article for a in articles]


def _write_jsonl(path: Path, records) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(to_json(r), ensure_ascii=False) + "\n")


@contextlib.contextmanager
def _index_lock(index_dir: Path) -> Iterator[None]:
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise QuoteQAError(f"Another `python -m ingest` is building {index_dir}; wait for it to finish.") from exc
        yield


def current_manifest_if_valid(index_dir: Path) -> mf.Manifest | None:
    try:
        build = mf.resolve_build(index_dir)
        manifest = mf.read_manifest(build)
        mf.verify_artifacts(build, manifest)
        return manifest
    except QuoteQAError:
        return None


def _swap_current(index_dir: Path, build_name: str) -> None:
    link_tmp = index_dir / f".{mf.CURRENT}.{secrets.token_hex(4)}"
    os.symlink(f"{mf.BUILDS}/{build_name}", link_tmp)
    os.replace(link_tmp, index_dir / mf.CURRENT)  # atomic: readers see the old or the new build


def _prune(index_dir: Path, live: str) -> None:
    builds = index_dir / mf.BUILDS
    done = sorted((p for p in builds.iterdir() if p.is_dir() and p.name != live and not p.name.endswith(".tmp")),
                  key=lambda p: p.name)
    for old in done[:-KEEP_OLD_BUILDS] if KEEP_OLD_BUILDS else done:
        shutil.rmtree(old, ignore_errors=True)
    for tmp in builds.glob("*.tmp"):  # left by a killed run
        shutil.rmtree(tmp, ignore_errors=True)


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    *,
    force: bool = False,
    quiet: bool = False,
    embedder_factory: Callable[[], object] | None = None,
) -> BuildResult:
    """Build the index, or confirm it is up to date. `embedder_factory` lets a caller that already
    holds the model (tests, the app) lend it instead of loading it again."""
    from qa.embed import bundled_model_dir, check_weights

    t0 = time.perf_counter()
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    _log(f"Reading the corpus in {corpus_dir} ...", quiet)
    articles = load_corpus(corpus_dir)
    fingerprint = mf.corpus_fingerprint(corpus_dir)
    model_sha = check_weights(bundled_model_dir())
    with _index_lock(index_dir):
        existing = current_manifest_if_valid(index_dir)
        if (not force and existing is not None and dict(existing.corpus) == fingerprint
                and existing.pipeline_version == mf.PIPELINE_VERSION and existing.model_sha256 == model_sha):
            return BuildResult("up to date", mf.resolve_build(index_dir), existing, time.perf_counter() - t0)

        chunks, sentences, records = _number_sentences(articles)
        titles = {a.id: a.title for a in records}
        by_id = {c.id: c for c in chunks}
        chunk_texts = [context_text(titles[c.article_id], c) for c in chunks]
        sentence_texts = [sentence_context_text(by_id[s.chunk_id], s) for s in sentences]
        _log(f"Embedding {len(chunks)} chunks and {len(sentences)} sentences from {len(records)} articles ...", quiet)
        embedder = (embedder_factory or _default_embedder)()
        progress = not quiet and len(chunk_texts) > 256
        chunk_vecs = embedder.encode(chunk_texts, progress=progress)
        sentence_vecs = embedder.encode(sentence_texts, progress=progress)
        dim = embedder.dim

        manifest, build_dir = write_build(index_dir, corpus_dir, records, chunks, sentences, chunk_texts,
                                          sentence_texts, chunk_vecs, sentence_vecs,
                                          fingerprint=fingerprint, model_sha=model_sha, dim=dim, quiet=quiet)
    return BuildResult("built", build_dir, manifest, time.perf_counter() - t0)


def write_build(index_dir: Path, corpus_dir: Path, records, chunks, sentences, chunk_texts, sentence_texts,
                chunk_vecs, sentence_vecs, *, fingerprint: dict[str, str], model_sha: str, dim: int,
                quiet: bool = True) -> tuple[mf.Manifest, Path]:
    """Write a complete build beside the live one and switch `current` to it atomically.
    The caller holds the index lock. Used by `build_index` and by the scale benchmark."""
    from qa.embed import MODEL_ID

    builds = index_dir / mf.BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    name = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)
    tmp = builds / f"{name}.tmp"
    tmp.mkdir()
    _log(f"Writing build {name} ...", quiet)
    try:
        index_type = write_artifacts(tmp, records, chunks, sentences, chunk_texts, sentence_texts,
                                     chunk_vecs, sentence_vecs, corpus_dir)
        artifacts = {p.relative_to(tmp).as_posix(): mf.file_sha256(p) for p in sorted(tmp.rglob("*")) if p.is_file()}
        manifest = mf.Manifest(
            format_version=mf.FORMAT_VERSION, pipeline_version=mf.PIPELINE_VERSION,
            model_id=MODEL_ID, model_sha256=model_sha, dim=dim, corpus=fingerprint,
            counts={"articles": len(records), "chunks": len(chunks), "sentences": len(sentences)},
            built_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            artifacts=artifacts, index_type=index_type,
        )
        mf.write_json_atomic(tmp / mf.MANIFEST, manifest.to_json())
        os.replace(tmp, builds / name)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _log(f"Switching {index_dir / mf.CURRENT} to build {name} ...", quiet)
    _swap_current(index_dir, name)
    _prune(index_dir, name)
    return manifest, builds / name


def _default_embedder():
    from qa.embed import Embedder

    return Embedder()


def write_artifacts(folder: Path, articles, chunks, sentences, chunk_texts, sentence_texts, chunk_vecs,
                    sentence_vecs, corpus_dir: Path) -> str:
    from qa.lexical import Tokenizer, build_bm25, save_bm25
    from qa.vectors import build_vector_index, write_vector_index

    _write_jsonl(folder / mf.ARTICLES, articles)
    _write_jsonl(folder / mf.CHUNKS, chunks)
    _write_jsonl(folder / mf.SENTENCES, sentences)
    np.save(folder / mf.SENTENCE_VECTORS, sentence_vecs, allow_pickle=False)
    index, index_type = build_vector_index(chunk_vecs, flat_limit=FLAT_LIMIT)
    write_vector_index(index, folder / mf.CHUNK_VECTORS)
    tokenize = Tokenizer()
    save_bm25(build_bm25(tokenize(chunk_texts)), folder / mf.BM25_DIR)
    save_bm25(build_bm25(tokenize(sentence_texts)), folder / mf.SENTENCE_BM25_DIR)
    for name in mf.CORPUS_SIDE_FILES:
        src = corpus_dir / name
        if src.exists():
            shutil.copyfile(src, folder / name)
    return index_type
