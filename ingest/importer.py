"""`python -m ingest add`: turn plain text, a saved web page, Markdown or a PDF into corpus articles.

For each source: read it (refusing an empty, binary, undecodable or unreadable file by name),
make a `Draft` (`plaintext`, `webpage`, or the corpus parser for Markdown), render it with
Markdown escaping, parse it back, and check every sentence against the text it came from, all in
a scratch folder. Only when every source has passed are files written: `articles/<slug>.md` and
the source's copy in `originals/` (for a web page, Markdown or PDF also the extracted `.txt` that
`original:` names; for a PDF also `<slug>.pages.json`, where each page starts in that text, named
by `pages:`, with `original_pdf:` naming the PDF). A source whose bytes are already in `originals/` is reported, not added again.

Does not build the index; the maintainer runs `python -m ingest` afterwards.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from .draft import Draft, DraftBlock
from .markdown_out import RoundTripError, render_checked
from .parse import CorpusError, decode_text, parse_body, parse_front_matter, unknown_key_warnings

SUFFIXES = (".txt", ".html", ".htm", ".md", ".pdf")
FIELD_ORDER = ("title", "publisher", "author", "published", "last_updated", "url", "doi", "license", "sha",
               "examples", "original", "original_pdf", "pages", "references")


class ImportRefused(Exception):
    def __init__(self, path: Path, problem: str):
        self.path = path
        super().__init__(f"{path}: {problem}")


@dataclass(frozen=True)
class Imported:
    source: Path
    article: str  # corpus-relative path of the article written (or already there)
    status: str  # "added" or "already in corpus"
    did: tuple[str, ...] = ()
    unsure: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Plan:
    source: Path
    slug: str
    markdown: str
    files: tuple[tuple[str, bytes], ...]  # corpus-relative path -> content
    draft: Draft


def add_articles(sources: list[Path], corpus_dir: Path, *, url: str | None = None,
                 publisher: str | None = None) -> list[Imported]:
    """Import every source or none: a refused source raises `ImportRefused` before anything is written."""
    if url and len(sources) > 1:
        raise ImportRefused(Path(url), "--url names one page; import the sources one at a time")
    known = _known_originals(corpus_dir)
    taken = {p.stem for p in (corpus_dir / "articles").glob("*.md")}
    results, plans = [], []
    for source in sources:
        raw = _read(source)
        digest = hashlib.sha256(raw).hexdigest()
        if digest in known:
            results.append(Imported(source, known[digest], "already in corpus"))
            continue
        plan = _plan(source, raw, corpus_dir, taken, url=url, publisher=publisher)
        known[digest] = f"articles/{plan.slug}.md"
        taken.add(plan.slug)
        plans.append(plan)
        results.append(Imported(source, f"articles/{plan.slug}.md", "added", plan.draft.did, plan.draft.unsure))
    for plan in plans:
        _write(corpus_dir, plan)
    return results


def _read(source: Path) -> bytes:
    if source.suffix.lower() not in SUFFIXES:
        raise ImportRefused(source, f"unsupported file type {source.suffix or '(none)'}; use {', '.join(SUFFIXES)}")
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise ImportRefused(source, f"cannot be read ({exc.strerror or exc})") from exc
    if source.suffix.lower() == ".pdf":
        if not raw.strip():
            raise ImportRefused(source, "the file is empty")
        return raw  # read in `_draft`, where a broken PDF is refused with its fix
    try:
        text = decode_text(raw)
    except ValueError as exc:
        raise ImportRefused(source, str(exc)) from exc
    if not text.strip():
        raise ImportRefused(source, "the file is empty")
    return raw


def _draft(source: Path, raw: bytes, url: str | None) -> Draft:
    suffix = source.suffix.lower()
    if suffix == ".pdf":
        return _pdf_draft(source, raw)
    text = raw.decode("utf-8")
    if suffix in (".html", ".htm"):
        from .webpage import read_web_page

        return read_web_page(text, url=url)
    if suffix == ".md":
        return _markdown_draft(source, text)
    from .plaintext import read_plain_text

    return read_plain_text(text)


def _pdf_draft(source: Path, raw: bytes) -> Draft:
    from .pdf import read_pdf
    from .pdf_text import PdfRefused

    try:
        reading = read_pdf(raw)
    except PdfRefused as exc:
        raise ImportRefused(source, str(exc)) from exc
    return replace(reading.draft, page_starts=reading.page_starts)


def _markdown_draft(source: Path, text: str) -> Draft:
    """A Markdown source: its front matter (if any) and blocks; without front matter the first
    top-level heading is the title."""
    try:
        meta, body = parse_front_matter(text) if text.lstrip("\ufeff").startswith("---") else ({}, text)
        parsed = parse_body(body)
    except ValueError as exc:
        raise ImportRefused(source, str(exc)) from exc
    blocks = [DraftBlock(b.kind, b.text, len(b.section) + 1 if b.kind == "heading" else b.depth, b.markers)
              for b in parsed]
    did = ["front matter kept"] if meta else []
    if "title" not in meta and blocks and blocks[0].kind == "heading" and blocks[0].level == 2:
        meta["title"], blocks = blocks[0].text, blocks[1:]
        did.append("title from the first heading")
    unsure = list(unknown_key_warnings(source, meta))
    if meta.get("original"):
        unsure.append(f"`original: {meta['original']}` replaced by the text extracted from this file")
    return Draft(meta=meta, blocks=tuple(blocks), did=tuple(did), unsure=tuple(unsure))


def _plan(source: Path, raw: bytes, corpus_dir: Path, taken: set[str], *, url: str | None,
          publisher: str | None) -> _Plan:
    draft = _draft(source, raw, url)
    meta = dict(draft.meta)
    if not meta.get("title"):
        meta["title"] = source.stem
    for field, value in (("url", url), ("publisher", publisher)):
        if value:
            meta[field] = value
    if not any(b.kind != "heading" for b in draft.blocks):
        raise ImportRefused(source, "no article text was found after the header")
    slug = _unique(slugify(meta["title"]) or slugify(source.stem) or "article", taken)
    suffix = source.suffix.lower()
    files = [(f"originals/{slug}{suffix}", raw)]
    if suffix != ".txt":  # the sentences are checked against the text extracted from the page
        extracted = "\n\n".join(b.text for b in draft.blocks).encode("utf-8") + b"\n"
        files.append((f"originals/{slug}.txt", extracted))
    meta["original"] = f"originals/{slug}.txt"
    if draft.page_starts:
        meta.update(original_pdf=f"originals/{slug}.pdf", pages=f"originals/{slug}.pages.json")
        files.append((meta["pages"], _pages_json(slug, draft.page_starts)))
    draft = replace(draft, meta={k: meta[k] for k in sorted(meta, key=_field_rank)})
    try:
        markdown = render_checked(draft)
    except RoundTripError as exc:
        raise ImportRefused(source, f"refused rather than written wrong: {exc}") from exc
    _check_in_scratch(source, slug, markdown, files)
    return _Plan(source, slug, markdown, tuple(files), draft)


def _pages_json(slug: str, starts: tuple[int, ...]) -> bytes:
    """Where each page of the PDF starts in the extracted text: page n (1-based) is the text from
    `page_starts[n - 1]` up to the next page's start; a quote found at offset i of the text is on
    page `bisect_right(page_starts, i)`."""
    record = {"version": 1, "pdf": f"originals/{slug}.pdf", "text": f"originals/{slug}.txt",
              "pages": len(starts), "page_starts": list(starts)}
    return (json.dumps(record, indent=1) + "\n").encode("utf-8")


def _field_rank(name: str) -> tuple[int, str]:
    return (FIELD_ORDER.index(name) if name in FIELD_ORDER else len(FIELD_ORDER), name)


def _check_in_scratch(source: Path, slug: str, markdown: str, files: list[tuple[str, bytes]]) -> None:
    """Parse, chunk and check the article exactly as `python -m ingest` will, in a scratch corpus."""
    from .corpus import check_against_original
    from .chunk import chunk_article, pysbd_splitter
    from .parse import parse_file

    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        (scratch / "articles").mkdir()
        (scratch / "originals").mkdir()
        for rel, content in files:
            (scratch / rel).write_bytes(content)
        path = scratch / "articles" / f"{slug}.md"
        path.write_text(markdown, encoding="utf-8")
        try:
            parsed = parse_file(path)
            check_against_original(chunk_article(parsed, pysbd_splitter()), scratch / parsed.meta["original"], path)
        except CorpusError as exc:
            problem = str(exc).split(": ", 1)[1].split(". Fix the file", 1)[0]
            raise ImportRefused(source, f"the converted article would be refused by ingest: {problem}") from exc


def _write(corpus_dir: Path, plan: _Plan) -> None:
    (corpus_dir / "originals").mkdir(parents=True, exist_ok=True)
    (corpus_dir / "articles").mkdir(parents=True, exist_ok=True)
    for rel, content in plan.files:
        (corpus_dir / rel).write_bytes(content)
    (corpus_dir / "articles" / f"{plan.slug}.md").write_text(plan.markdown, encoding="utf-8")


def _known_originals(corpus_dir: Path) -> dict[str, str]:
    """sha256 of each file in originals/ -> the article that names it (or the file itself)."""
    by_stem = {}
    for article in sorted((corpus_dir / "articles").glob("*.md")):
        match = re.search(r"^original:\s*['\"]?originals/([^'\"\n]+?)['\"]?\s*$",
                          article.read_text(encoding="utf-8", errors="replace"), re.MULTILINE)
        if match:
            by_stem[Path(match.group(1)).stem] = f"articles/{article.name}"
    folder = corpus_dir / "originals"
    files = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    return {hashlib.sha256(p.read_bytes()).hexdigest(): by_stem.get(p.stem, f"originals/{p.name}") for p in files}


def slugify(title: str, limit: int = 60) -> str:
    """A short, lowercase, hyphenated file name from a title.

    >>> slugify("Species‐specific clinical characteristics of HCoV: a study (2018)")
    'species-specific-clinical-characteristics-of-hcov-a-study'
    """
    ascii_title = unicodedata.normalize("NFKD", title.replace("\u2010", "-")).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug


def _unique(slug: str, taken: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    return candidate
