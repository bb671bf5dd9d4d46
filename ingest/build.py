"""Build the index folder from the corpus folder.

Steps: hash the corpus files and stop if the live build was made from exactly these (no parsing);
otherwise read every article (`corpus.py`: unchanged ones from the live build's records, the
others parsed on every core and checked against their original capture; one broken file fails
the whole run), embed the distinct sentence texts the live build has no vector for
(see `qa.index.reuse`), then write a complete build into a
temporary folder beside the live one and switch the `current` link to it with one atomic rename.
Until that rename the previous build stays live and whole, whatever fails or is killed.
"""

from __future__ import annotations

import datetime
import sys
import time
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np

from qa.index import (
    NO_VECTORS, Article, BuildContent, Chunk, Manifest, Sentence, StoredVectors, context_text,
    current_manifest_if_valid, embedding_keys, encoder_intact, index_lock, remove_unfinished_builds,
    sentence_context_text,
    stored_vectors, write_build,
)
from qa.index import layout as mf

from .chunk import ChunkedArticle
from .corpus import print_warning, load_corpus, unchanged_articles

OVERDUE_NAMED = 10  # articles past their review date named one by one in a build's warnings; then a count


@dataclass(frozen=True)
class BuildResult:
    status: str  # "built" or "up to date"
    build_dir: Path
    manifest: Manifest
    seconds: float
    warnings: tuple[str, ...] = ()  # e.g. unknown front-matter keys, one line each
    embedded: int = 0  # texts newly encoded; the rest of the vectors came from the previous build


def _log(msg: str, quiet: bool) -> None:
    if not quiet:
        print(msg, file=sys.stderr, flush=True)


def _number_sentences(articles: list[ChunkedArticle]) -> tuple[list[Chunk], list[Sentence], list[Article]]:
    chunks, sentences = [], []
    for a in articles:
        chunks.extend(a.chunks)
        for group in a.sentences:
            base = len(sentences)
            sentences.extend([replace(s, id=base + k) for k, s in enumerate(group)])
    return chunks, sentences, [a.article for a in articles]


def build_index(corpus_dir: Path, index_dir: Path, *, force: bool = False, quiet: bool = False,
                embedder_factory: Callable[[], object] | None = None, encoder: str | None = None,
                skip_broken: bool = False) -> BuildResult:
    """Build the index, or confirm it is up to date. `embedder_factory` lets a caller that already
    holds the model (tests, the app) lend it instead of loading it again. `encoder`: the runtime
    that encodes the texts here and the questions later, "onnx" (the model exported once into the
    user's cache and linked into the build, `qa.onnx_encoder`) or "torch"; both give the same vectors.
    Without it, the live build's runtime is kept (ONNX for a new index).

    Whether anything changed is decided from file hashes alone, before any article is parsed.
    A rebuild reuses the live build's vectors for every text embedded before by the same model
    (unless `force`), so adding or editing one article encodes only that article's text."""
    from qa.embed import bundled_model_dir, check_weights
    from qa.onnx_encoder import RUNTIMES

    if encoder is not None and encoder not in RUNTIMES:
        raise ValueError(f"encoder must be one of {', '.join(RUNTIMES)}, not {encoder!r}")
    t0 = time.perf_counter()
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    fingerprint = mf.corpus_fingerprint(corpus_dir)
    model_sha = check_weights(bundled_model_dir())
    with index_lock(index_dir):
        remove_unfinished_builds(index_dir)  # left by a killed run; also on runs that find nothing to do
        existing = current_manifest_if_valid(index_dir)
        if not force and existing is not None and encoder_intact(index_dir, existing) and \
                not mf.changes_since(existing, fingerprint, model_sha256=model_sha, encoder=encoder):
            return BuildResult("up to date", mf.resolve_build(index_dir), existing, time.perf_counter() - t0)
        encoder = encoder or (existing.encoder if existing is not None else "onnx")
        articles, warnings, left_out = _read(corpus_dir, mf.resolve_build(index_dir) if existing is not None and not force
                                             else None, existing, fingerprint, quiet, skip_broken)
        previous = existing or current_manifest_if_valid(index_dir, any_format=True)  # an older format's vectors too
        stored = NO_VECTORS if force or previous is None else stored_vectors(mf.resolve_build(index_dir), previous)
        onnx = _exported(model_sha, quiet=quiet) if encoder == "onnx" else None
        content, embedded = _content(articles, corpus_dir, fingerprint, model_sha, stored,
                                     embedder_factory or partial(_default_embedder, onnx), quiet)
        content = replace(content, encoder=encoder, encoder_file=onnx, left_out=left_out)
        manifest, build_dir = write_build(index_dir, content, quiet=quiet)
    return BuildResult("built", build_dir, manifest, time.perf_counter() - t0, tuple(warnings), embedded)


def _read(corpus_dir: Path, live: Path | None, existing, fingerprint: dict[str, str],
          quiet: bool, skip_broken: bool = False) -> tuple[list[ChunkedArticle], list[str], dict[str, str]]:
    """The corpus's articles, those unchanged since the `live` build taken from its records, the
    warnings printed while reading it, and the files left out as broken (corpus file -> why)."""
    _log(f"Reading the corpus in {corpus_dir} ...", quiet)
    warnings: list[str] = []
    left_out: dict[str, str] = {}
    articles = load_corpus(corpus_dir, on_warning=lambda w: (warnings.append(w), print_warning(w)),
                           reuse=unchanged_articles(live, existing, corpus_dir, fingerprint) if live else None,
                           progress=not quiet, skip_broken=skip_broken,
                           on_broken=lambda e: left_out.setdefault(_in_corpus(Path(e.path), corpus_dir), e.problem))
    for note in overdue_reviews([a.article for a in articles], corpus_dir, datetime.date.today()):
        warnings.append(note)
        print_warning(note)
    return articles, warnings, left_out


def _in_corpus(path: Path, corpus_dir: Path) -> str:
    """A corpus file's name as the manifest keys it ("articles/x.md")."""
    try:
        return path.resolve().relative_to(corpus_dir.resolve()).as_posix()
    except ValueError:
        return path.name


def overdue_reviews(articles: Sequence[Article], corpus_dir: Path, today: datetime.date,
                    named: int = OVERDUE_NAMED) -> list[str]:
    """A warning for each article whose `review_by` date has passed (the first `named` by name,
    then how many more): their quotes carry a "review was due" marker until the date moves on."""
    late = [a for a in articles if a.review_overdue(today)]
    notes = [f"{corpus_dir / a.source_file}: its review was due {a.review_by} (review_by); "
             "its quotes are marked until the article is reviewed and the date moved on" for a in late[:named]]
    if len(late) > named:
        notes.append(f"{len(late) - named:,} more articles are past their review_by date: "
                     f"python -m ingest list --overdue --corpus {corpus_dir}")
    return notes


def _content(articles: list[ChunkedArticle], corpus_dir: Path, fingerprint: dict[str, str], model_sha: str,
             stored: StoredVectors, embedder_factory: Callable[[], object], quiet: bool) -> tuple[BuildContent, int]:
    """The records and vectors of a build; returns them with how many texts were newly encoded."""
    from qa.embed import MODEL_ID

    chunks, sentences, records = _number_sentences(articles)
    chunk_texts, sentence_texts = _context_texts(records, chunks, sentences)
    _log(f"Embedding {len(sentences)} sentences from {len(records)} articles "
         "(vectors of unchanged text are reused) ...", quiet)
    encoder = _LazyEncoder(embedder_factory, progress=not quiet and len(sentence_texts) > 256)
    sentence_vectors = _vectors(sentence_texts, embedding_keys(sentence_texts, model_sha).tolist(),
                                stored.sentences, encoder)
    _log(f"Embedded {encoder.count} of {len(sentence_texts)} sentence texts from {len(records)} articles; "
         "reused the rest from the previous build.", quiet)
    content = BuildContent(
        articles=records, chunks=chunks, sentences=sentences, chunk_texts=chunk_texts,
        sentence_texts=sentence_texts, sentence_vectors=sentence_vectors,
        corpus_dir=corpus_dir, fingerprint=fingerprint, model_id=MODEL_ID, model_sha256=model_sha)
    return content, encoder.count


class _LazyEncoder:
    """Loads the model only when some text has no stored vector (removing an article needs none)."""

    def __init__(self, factory: Callable[[], object], *, progress: bool):
        self._factory, self._embedder, self.progress, self.count = factory, None, progress, 0

    def __call__(self, texts: list[str]) -> np.ndarray:
        if self._embedder is None:
            self._embedder = self._factory()
        self.count += len(texts)
        bulk = getattr(self._embedder, "bulk_batch_size", None)  # the ONNX encoder's fastest size for many texts
        return self._embedder.encode(texts, progress=self.progress and len(texts) > 256,
                                     **({"batch_size": bulk} if bulk else {}))


def _vectors(texts: list[str], keys: list[bytes], stored: Mapping[bytes, np.ndarray],
             encode: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """Row i is text i's vector: the stored one when its key is known, else freshly encoded (each
    distinct text once: a repeated sentence -- a caption, a boilerplate line -- has one key)."""
    missing = list(dict.fromkeys(key for key in keys if key not in stored))
    first = {key: i for i, key in reversed(list(enumerate(keys)))}
    fresh = dict(zip(missing, encode([texts[first[key]] for key in missing]))) if missing else {}
    rows = [fresh[key] if key in fresh else stored[key] for key in keys]
    return np.ascontiguousarray(np.stack(rows), dtype=np.float32)


def _context_texts(articles: list[Article], chunks: list[Chunk], sentences: list[Sentence]) -> tuple[list[str], list[str]]:
    """Chunks with their title and section path (whose stems are the articles' words), and sentences
    with their section heading and lead-in (what the model embeds and the sentence counts count)."""
    titles = {a.id: a.title for a in articles}
    by_id = {c.id: c for c in chunks}
    return ([context_text(titles[c.article_id], c) for c in chunks],
            [sentence_context_text(by_id[s.chunk_id], s) for s in sentences])


def _default_embedder(onnx: Path | None):
    if onnx is not None:
        from qa.onnx_encoder import OnnxEmbedder

        return OnnxEmbedder(onnx)
    from qa.embed import Embedder

    return Embedder()


def _exported(model_sha: str, *, quiet: bool) -> Path:
    """The model as ONNX, from the cache or exported now."""
    from qa.onnx_encoder import cached_export, exported

    if not cached_export(model_sha).is_file():
        _log("Exporting the model to ONNX (once per model and torch version) ...", quiet)
    return exported(weights_sha256=model_sha)
