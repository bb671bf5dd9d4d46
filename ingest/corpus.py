"""Read the corpus folder into chunked articles: parse, split into sentences, check every sentence
against the article's original capture.

Two things keep a rebuild short. An article whose file and original capture have the same
sha256 as when the live build was made (same pipeline version) is taken from that build's
records instead of being parsed again: splitting sentences is most of the reading time. The rest
are parsed on every core (one process each) when there are enough of them to pay for the start.

One broken file fails the whole run with `CorpusError` (saying how many others are broken), unless
the run is asked to leave broken files out (`--skip-broken`: each is then a warning); warnings
that do not stop it (an unknown front-matter key) go to `on_warning`, reused articles included.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Callable, Mapping

from qa.index import layout as mf

from .chunk import ChunkedArticle, chunk_article, pysbd_splitter
from .pages import page_starts, with_pages
from .parse import CorpusError, decode_text, parse_file, parse_front_matter, unknown_key_warnings

PARALLEL_FROM = 24  # articles to parse before a process pool pays for its start (~1 s)

Reuse = Callable[[Path], "tuple[ChunkedArticle, tuple[str, ...]] | None"]  # the records and the file's warnings


def _collapse(text: str) -> str:
    return " ".join(text.split())


def print_warning(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr, flush=True)  # shown even with --quiet


def load_corpus(corpus_dir: Path, *, on_warning: Callable[[str], None] | None = None,
                reuse: Reuse | None = None, progress: bool = False, skip_broken: bool = False,
                on_broken: Callable[[CorpusError], None] | None = None) -> list[ChunkedArticle]:
    """Every article of the corpus, chunked and checked, in file-name order. `reuse(path)` gives
    the live build's records for an unchanged file and its warnings (None: parse it). A broken
    article fails the run (`CorpusError`, saying how many more are broken), or with `skip_broken`
    is left out with a warning (and handed to `on_broken`)."""
    warn = on_warning or print_warning
    folder = corpus_dir / mf.ARTICLES_DIR
    paths = sorted(folder.glob("*.md"))
    if not paths:
        raise CorpusError(folder, "no articles (*.md files) found")
    kept = {path: reuse(path) for path in paths} if reuse else {}
    todo = [p for p in paths if kept.get(p) is None]
    parsed = dict(zip(todo, _read_all(todo, corpus_dir, progress and len(todo) >= 50)))
    broken = [r for r in parsed.values() if isinstance(r, CorpusError)]
    if broken and not skip_broken:
        raise _first_of(broken)
    for error in broken:
        warn(f"left out of this build: {error.path}: {error.problem}")
        if on_broken:
            on_broken(error)
    articles = []
    for path in (p for p in paths if not isinstance(parsed.get(p), CorpusError)):
        chunked, warnings = kept.get(path) or parsed[path]
        for warning in warnings:
            warn(warning)
        articles.append(chunked)
    if not (corpus_dir / mf.DISCLAIMER).is_file():
        raise CorpusError(corpus_dir / mf.DISCLAIMER, "the disclaimer file is missing; every answer ends with it")
    ids = [a.article.id for a in articles]
    if len(set(ids)) != len(ids):
        raise CorpusError(folder, "two articles share a file name")
    return articles


def _first_of(broken: list[CorpusError]) -> CorpusError:
    """The first broken article's error, saying how many others are broken and how to build without them."""
    if len(broken) == 1:
        return CorpusError(broken[0].path, broken[0].problem + " (`python -m ingest --skip-broken` builds without it)")
    return CorpusError(broken[0].path, f"{broken[0].problem} ({len(broken) - 1:,} other article(s) are broken too: "
                       f"{', '.join(Path(e.path).name for e in broken[1:4])}{' …' if len(broken) > 4 else ''}; "
                       "`python -m ingest --skip-broken` builds without them)")


def _read_all(paths: list[Path], corpus_dir: Path, progress: bool) -> list[tuple[ChunkedArticle, tuple[str, ...]]]:
    """`read_article` of each path, in order: on every core when there are many."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    workers = min(cores, 8)  # the cores this process may use (a container's limit), not the machine's
    if len(paths) < PARALLEL_FROM or workers < 2:
        split = pysbd_splitter()
        return [_read_or_error(p, corpus_dir, split) for p in _shown(paths, progress)]
    with ProcessPoolExecutor(workers) as pool:
        results = pool.map(_read_or_error, paths, [corpus_dir] * len(paths), chunksize=4)
        return list(_shown(results, progress, total=len(paths)))


def _shown(items, progress: bool, total: int | None = None):
    if not progress:
        return items
    from tqdm import tqdm

    return tqdm(items, total=total, desc="Reading articles", unit="article", file=sys.stderr)


_SPLIT = None  # one sentence splitter per worker process


def _read_or_error(path: Path, corpus_dir: Path, split=None):
    """`read_article`, or the `CorpusError` that says why the article cannot be read."""
    try:
        return read_article(path, corpus_dir, split)
    except CorpusError as exc:
        return exc


def read_article(path: Path, corpus_dir: Path, split=None) -> tuple[ChunkedArticle, tuple[str, ...]]:
    """One article parsed, chunked and checked against its original capture; with its warnings."""
    global _SPLIT
    if split is None:
        _SPLIT = _SPLIT or pysbd_splitter()
        split = _SPLIT
    parsed = parse_file(path)
    chunked = chunk_article(parsed, split)
    chunked = replace(chunked, article=replace(chunked.article, source_file=path.relative_to(corpus_dir).as_posix()))
    if parsed.meta.get("original"):
        check_against_original(chunked, corpus_dir / parsed.meta["original"], path)
        if parsed.meta.get("pages"):  # an imported PDF: each sentence's page
            original = (corpus_dir / parsed.meta["original"]).read_text(encoding="utf-8")
            chunked = with_pages(chunked, original, page_starts(corpus_dir / parsed.meta["pages"], path))
    return chunked, parsed.warnings


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


def unchanged_articles(build_dir: Path, built: mf.Manifest, corpus_dir: Path,
                       fingerprint: Mapping[str, str]) -> Reuse:
    """`reuse` for `load_corpus`: the records of `build_dir` (made from the corpus `built.corpus`
    by this pipeline version) for an article whose file and original capture are unchanged."""
    from qa.index import read_records

    if built.pipeline_version != mf.PIPELINE_VERSION:
        return lambda path: None
    articles, chunks, sentences = read_records(build_dir)
    by_chunk: dict[str, list] = {}
    for s in sentences:
        by_chunk.setdefault(s.chunk_id, []).append(s)
    by_article: dict[str, list] = {}
    for c in chunks:
        by_article.setdefault(c.article_id, []).append(c)
    records = {a.source_file: ChunkedArticle(a, tuple(by_article.get(a.id, ())),
                                             tuple(tuple(by_chunk.get(c.id, ())) for c in by_article.get(a.id, ())))
               for a in articles.values()}

    def same(rel: str) -> bool:
        return rel in fingerprint and built.corpus.get(rel) == fingerprint[rel]

    def lookup(path: Path) -> tuple[ChunkedArticle, tuple[str, ...]] | None:
        rel = path.relative_to(corpus_dir).as_posix()
        if rel not in records or not same(rel):
            return None
        try:
            meta = parse_front_matter(decode_text(path.read_bytes()))[0]
        except ValueError:
            return None  # parsed again, which reports the problem
        original = meta.get("original")
        if original and not same(Path(str(original)).as_posix()):
            return None
        return records[rel], unknown_key_warnings(path, meta)

    return lookup
