"""The corpus as a catalog, for whoever keeps the library: what each article is (`python -m ingest
list`), taking one out (`python -m ingest remove ID`), and which reviews have fallen due.

Reads the front matter and counts the body's words; parses nothing else, so listing thousands of
articles takes seconds. Removing moves the article and its originals into `removed/` beside
`articles/` (nothing is deleted: moving them back restores it), then the index is rebuilt as usual.
"""

from __future__ import annotations

import datetime
import difflib
import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

from qa.index import layout as mf
from qa.index.records import review_overdue

from .parse import CorpusError, _date_field, decode_text, parse_front_matter

REMOVED_DIR = "removed"
TITLE_WIDTH = 48


class UnknownArticle(ValueError):
    """`remove` of an id the corpus does not have."""


@dataclass(frozen=True, kw_only=True)
class Entry:
    id: str
    title: str
    published: str | None
    last_updated: str | None
    review_status: str | None
    review_by: str | None  # YYYY-MM-DD
    license: str | None
    retracted: bool
    words: int
    originals: tuple[str, ...]  # corpus-relative paths the front matter names
    broken: str | None = None  # why the file cannot be read (it is left out of a --skip-broken build)


def read_entry(path: Path) -> Entry:
    try:
        meta, body = parse_front_matter(decode_text(path.read_bytes()))
    except ValueError as exc:
        raise CorpusError(path, str(exc)) from exc
    text = {k: (str(meta[k]).strip() if meta.get(k) is not None else None)
            for k in ("title", "published", "last_updated", "review_status", "license")}
    named = tuple(str(meta[k]) for k in ("original", "original_pdf", "pages") if meta.get(k))
    return Entry(id=path.stem, title=text["title"] or path.stem, published=text["published"],
                 last_updated=text["last_updated"], review_status=text["review_status"],
                 review_by=_date_field(path, meta, "review_by"), license=text["license"],
                 retracted=meta.get("retracted") is True, words=len(body.split()), originals=named)


def entries(corpus_dir: Path) -> list[Entry]:
    """Every article of the corpus, in file-name order (its id is its file name without `.md`); one
    whose front matter cannot be read is listed as broken, with why."""
    return [_entry_or_broken(p) for p in sorted((Path(corpus_dir) / mf.ARTICLES_DIR).glob("*.md"))]


def _entry_or_broken(path: Path) -> Entry:
    try:
        return read_entry(path)
    except CorpusError as exc:
        return Entry(id=path.stem, title=path.stem, published=None, last_updated=None, review_status=None,
                     review_by=None, license=None, retracted=False, words=0, originals=(), broken=exc.problem)


def overdue(entry: Entry, today: datetime.date) -> bool:
    """Its `review_by` date has passed: the institution's review of it is overdue."""
    return review_overdue(entry.review_by, today)


def review(entry: Entry, today: datetime.date) -> str:
    """The review column: overdue or due by a date, the article's own review status, retracted."""
    said = [f"OVERDUE since {entry.review_by}" if overdue(entry, today) else
            f"due {entry.review_by}" if entry.review_by else "", entry.review_status or ""]
    if entry.broken:
        return f"BROKEN: {entry.broken}"
    return "RETRACTED" if entry.retracted else "; ".join(s for s in said if s) or "not stated"


def table(found: Sequence[Entry], today: datetime.date) -> str:
    """One line per article: id, title, latest date, review, license, words."""
    rows = [("id", "title", "dated", "review", "license", "words")]
    for e in found:
        title = e.title if len(e.title) <= TITLE_WIDTH else e.title[:TITLE_WIDTH - 1] + "…"
        rows.append((e.id, title, e.last_updated or e.published or "undated", review(e, today),
                     e.license or "not stated", f"{e.words:,}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[-1].rjust(7) for r in rows]
    return "\n".join(line.rstrip() for line in lines)


def as_json(found: Sequence[Entry], today: datetime.date) -> str:
    return json.dumps([{**asdict(e), "overdue": overdue(e, today)} for e in found], ensure_ascii=False, indent=1)


def remove(corpus_dir: Path, article_id: str, now: datetime.datetime) -> Path:
    """Move article `article_id` and the originals only it uses into `removed/<time>-<id>/`; the
    folder. An unknown id is refused with the nearest ids."""
    corpus_dir = Path(corpus_dir)
    path = corpus_dir / mf.ARTICLES_DIR / f"{article_id}.md"
    if "/" in article_id or not path.is_file():
        known = [p.stem for p in (corpus_dir / mf.ARTICLES_DIR).glob("*.md")]
        near = difflib.get_close_matches(article_id, known, n=3)
        hint = f"Did you mean {' or '.join(near)}?" if near else "`python -m ingest list` shows the ids."
        raise UnknownArticle(f"{corpus_dir / mf.ARTICLES_DIR} has no article with the id {article_id!r}; nothing "
                             f"was moved. {hint}")
    dest = corpus_dir / REMOVED_DIR / f"{now:%Y%m%dT%H%M%S}-{article_id}"
    entry = _entry_or_broken(path)  # a broken article can be taken out too: its file alone
    moving = [path] + [p for p in _own_originals(corpus_dir, entry) if p.is_file()]
    for p in moving:
        target = dest / p.relative_to(corpus_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(p), str(target))
    return dest


def _own_originals(corpus_dir: Path, entry: Entry) -> list[Path]:
    """The originals the article names, and their siblings of the same name (the saved page beside
    its extracted text), that no other article names."""
    others = {o for e in entries(corpus_dir) if e.id != entry.id for o in e.originals}
    named = [corpus_dir / o for o in entry.originals]
    stems = {p.name.split(".")[0] for p in named} - {Path(o).name.split(".")[0] for o in others}
    siblings = [p for p in (corpus_dir / "originals").glob("*") if p.name.split(".")[0] in stems] \
        if stems and (corpus_dir / "originals").is_dir() else []
    return [p for p in dict.fromkeys(named + siblings) if p.relative_to(corpus_dir).as_posix() not in others]
