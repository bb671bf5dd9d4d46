"""Parse one corpus file (YAML front matter + Markdown body) into a `ParsedArticle`.

The body is read with markdown-it, keeping only structure: headings, paragraphs and (nested)
list items, each as a `Block` with its section path. Reference markers written as `[^N]` are
taken out of the text and kept with their position, so quotable text never contains them.
Anything malformed raises `CorpusError` naming the file and the problem.

Does not split sentences or assign offsets; see `chunk.py`.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MARKER = re.compile(r"\s*\[\^([^\]\s]+)\]")
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n(.*)\Z", re.DOTALL)
OPTIONAL_FIELDS = (
    "publisher", "author", "author_affiliation", "last_updated", "review_status", "url",
    "site_disclaimer", "original", "license", "doi", "published", "sha", "review_by",
    "original_pdf", "pages",  # an imported PDF as received, and its page offsets (docs/pdf-import.md)
)
STRUCTURED_FIELDS = ("title", "examples", "references", "retracted", "tags")


class CorpusError(Exception):
    def __init__(self, path: Path | str, problem: str):
        self.path, self.problem = str(path), problem
        super().__init__(
            f"{path}: {problem}. Fix the file (format: corpus/README.md) and run `python -m ingest` again; "
            "the existing index was left as it was."
        )

    def __reduce__(self):  # raised in a worker process, re-raised in the build
        return type(self), (self.path, self.problem)


@dataclass(frozen=True)
class Block:
    kind: str  # "heading", "paragraph" or "item"
    text: str  # markers removed, whitespace collapsed
    section: tuple[str, ...]
    markers: tuple[tuple[int, str], ...] = ()  # (position in text, reference label)
    depth: int = 0  # list nesting, 0 for top-level items
    parent: int | None = None  # index of the enclosing list item's block


@dataclass(frozen=True)
class ParsedArticle:
    id: str
    path: Path
    meta: dict[str, Any]
    references: dict[str, str]
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    warnings: tuple[str, ...] = ()  # e.g. an unknown front-matter key (a typo would lose its value)


def strip_markers(text: str) -> tuple[str, tuple[tuple[int, str], ...]]:
    """Remove `[^N]` markers, returning the clean text and where each marker stood.

    >>> strip_markers("of any cause [^2] [^1]")
    ('of any cause', ((12, '2'), (12, '1')))
    """
    out, markers, last = [], [], 0
    for m in MARKER.finditer(text):
        out.append(text[last:m.start()])
        markers.append((sum(map(len, out)), m.group(1)))
        last = m.end()
    out.append(text[last:])
    clean = "".join(out)
    stripped = clean.rstrip()
    return stripped, tuple((min(p, len(stripped)), label) for p, label in markers)


def _inline_text(token) -> str:
    parts = []
    for child in token.children or ():
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return " ".join("".join(parts).split())


def parse_body(body: str) -> list[Block]:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(body)
    blocks: list[Block] = []
    headings: list[tuple[int, str]] = []
    items: list[int | None] = []  # per open list item: index of its first block, once known
    pending_heading: int | None = None
    for tok in tokens:
        if tok.type == "heading_open":
            pending_heading = int(tok.tag[1:])
        elif tok.type == "list_item_open":
            items.append(None)
        elif tok.type == "list_item_close":
            items.pop()
        elif tok.type == "inline":
            text, markers = strip_markers(_inline_text(tok))
            if not text:
                continue
            if pending_heading is not None:
                headings = [h for h in headings if h[0] < pending_heading] + [(pending_heading, text)]
                blocks.append(Block("heading", text, tuple(h for _, h in headings)))
                pending_heading = None
                continue
            section = tuple(h for _, h in headings)
            if items and items[-1] is None:
                parents = [i for i in items[:-1] if i is not None]
                items[-1] = len(blocks)
                blocks.append(Block("item", text, section, markers, len(items) - 1,
                                    parents[-1] if parents else None))
            else:  # a paragraph, or a continuation paragraph inside an item
                blocks.append(Block("paragraph", text, section, markers))
        elif tok.type in ("fence", "code_block", "html_block", "table_open"):
            raise ValueError(f"unsupported Markdown element ({tok.type}) on line {tok.map[0] + 1 if tok.map else '?'}")
    return blocks


def _article_id(path: Path) -> str:
    return path.stem


def parse_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split a corpus file's text into its front matter (a mapping) and its Markdown body."""
    match = FRONT_MATTER.match(text.lstrip("\ufeff").replace("\r\n", "\n"))
    if not match:
        raise ValueError("no YAML front matter: the file must start with a '---' line, "
                         "the metadata, and another '---' line")
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise ValueError(f"the front matter is not valid YAML ({exc})") from exc
    if not isinstance(meta, dict):
        raise ValueError("the front matter must be a mapping of `field: value` lines")
    return meta, match.group(2)


def decode_text(raw: bytes) -> str:
    """A text file's content; ValueError saying why when it is binary or not UTF-8."""
    if b"\x00" in raw:
        raise ValueError("the file is binary (it contains NUL bytes), not text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"the file is not UTF-8 text (byte {exc.start}); re-save it as UTF-8") from exc


def parse_file(path: Path) -> ParsedArticle:
    try:
        meta, body = parse_front_matter(decode_text(path.read_bytes()))
    except ValueError as exc:
        raise CorpusError(path, str(exc)) from exc
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise CorpusError(path, "the front matter has no `title`")
    for name in OPTIONAL_FIELDS:
        if meta.get(name) is not None and not isinstance(meta[name], (str, int, float, datetime.date)):
            raise CorpusError(path, f"`{name}` must be a single text value")
    examples = _texts(path, meta, "examples", "`examples` must be a list of questions")
    # specialty, ward, document type: a question may be scoped to a tag
    tags = _texts(path, meta, "tags", "`tags` must be a list of words or phrases, e.g. [cardiology, protocol]")
    references = meta.get("references") or {}
    if not isinstance(references, dict) or not all(isinstance(v, str) for v in references.values()):
        raise CorpusError(path, "`references` must map each reference number to its entry text")
    try:
        blocks = parse_body(body)
    except ValueError as exc:
        raise CorpusError(path, str(exc)) from exc
    if not any(b.kind != "heading" for b in blocks):
        raise CorpusError(path, "the article body is empty (no paragraphs or list items)")
    clean_meta = {k: (str(meta[k]).strip() if meta.get(k) is not None else None) for k in OPTIONAL_FIELDS}
    clean_meta["review_by"] = _date_field(path, meta, "review_by")
    if meta.get("retracted") is not None and not isinstance(meta["retracted"], bool):
        raise CorpusError(path, "`retracted` must be true or false")
    clean_meta["retracted"] = bool(meta.get("retracted"))
    clean_meta["title"] = title.strip()
    clean_meta["examples"], clean_meta["tags"] = examples, tuple(dict.fromkeys(tags))
    return ParsedArticle(
        id=_article_id(path),
        path=path,
        meta=clean_meta,
        references={str(k): " ".join(v.split()) for k, v in references.items()},
        blocks=tuple(blocks),
        warnings=unknown_key_warnings(path, meta),
    )


def _texts(path: Path, meta: dict[str, Any], name: str, problem: str) -> tuple[str, ...]:
    """A front-matter list of texts (`examples`, `tags`), whitespace collapsed; `problem` if it is not one."""
    value = meta.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise CorpusError(path, problem)
    return tuple(" ".join(v.split()) for v in value)


def _date_field(path: Path, meta: dict[str, Any], name: str) -> str | None:
    """A front-matter date as YYYY-MM-DD (YAML reads an unquoted one as a date already)."""
    value = meta.get(name)
    if value is None:
        return None
    try:
        return value.isoformat() if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value)).isoformat()
    except ValueError as exc:
        raise CorpusError(path, f"`{name}` must be a date written YYYY-MM-DD, not {value!r}") from exc


def unknown_key_warnings(path: Path, meta: dict[str, Any]) -> tuple[str, ...]:
    """One warning per front-matter key the index does not know: its value would be dropped."""
    known = set(OPTIONAL_FIELDS) | set(STRUCTURED_FIELDS)
    return tuple(
        f"{path}: unknown front-matter key `{key}` (ignored); known keys: {', '.join(sorted(known))}"
        for key in meta if key not in known
    )
