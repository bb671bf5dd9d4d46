"""Build the index folder from the corpus folder.

Steps: parse every article (one broken file fails the whole run), check every sentence against
the article's original capture, embed chunks and sentences, then write a complete build into a
temporary folder beside the live one and switch the `current` link to it with one atomic rename.
Until that rename the previous build stays live and whole, whatever fails or is killed.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from qa.index import (
    Article, BuildContent, Chunk, Manifest, Sentence, context_text, current_manifest_if_valid, index_lock,
    remove_unfinished_builds,
    sentence_context_text, write_build,
)
from qa.index import layout as mf

from .chunk import ChunkedArticle, chunk_article, pysbd_splitter
from .parse import CorpusError, parse_file


@dataclass(frozen=True)
class BuildResult:
    status: str  # "built" or "up to date"
    build_dir: Path
    manifest: Manifest
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
    from qa.embed import MODEL_ID, bundled_model_dir, check_weights

    t0 = time.perf_counter()
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    _log(f"Reading the corpus in {corpus_dir} ...", quiet)
    articles = load_corpus(corpus_dir)
    fingerprint = mf.corpus_fingerprint(corpus_dir)
    model_sha = check_weights(bundled_model_dir())
    with index_lock(index_dir):
        remove_unfinished_builds(index_dir)  # left by a killed run; also on runs that find nothing to do
        existing = current_manifest_if_valid(index_dir)
        if not force and existing is not None and not mf.changes_since(existing, fingerprint, model_sha256=model_sha):
            return BuildResult("up to date", mf.resolve_build(index_dir), existing, time.perf_counter() - t0)
        chunks, sentences, records = _number_sentences(articles)
        chunk_texts, sentence_texts = _context_texts(records, chunks, sentences)
        _log(f"Embedding {len(chunks)} chunks and {len(sentences)} sentences from {len(records)} articles ...", quiet)
        embedder = (embedder_factory or _default_embedder)()
        progress = not quiet and len(chunk_texts) > 256
        content = BuildContent(
            articles=records, chunks=chunks, sentences=sentences, chunk_texts=chunk_texts,
            sentence_texts=sentence_texts, chunk_vectors=embedder.encode(chunk_texts, progress=progress),
            sentence_vectors=embedder.encode(sentence_texts, progress=progress), corpus_dir=corpus_dir,
            fingerprint=fingerprint, model_id=MODEL_ID, model_sha256=model_sha)
        manifest, build_dir = write_build(index_dir, content, quiet=quiet)
    return BuildResult("built", build_dir, manifest, time.perf_counter() - t0)


def _context_texts(articles: list[Article], chunks: list[Chunk], sentences: list[Sentence]) -> tuple[list[str], list[str]]:
    """What BM25 indexes and the model embeds: chunks and sentences with their title/section context."""
    titles = {a.id: a.title for a in articles}
    by_id = {c.id: c for c in chunks}
    return ([context_text(titles[c.article_id], c) for c in chunks],
            [sentence_context_text(by_id[s.chunk_id], s) for s in sentences])


def _default_embedder():
    from qa.embed import Embedder

    return Embedder()
