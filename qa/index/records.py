"""The records the index stores: one shape per thing, written by `ingest`, read by `qa`.

An `Article` is one corpus file's metadata plus its plain text (headings and blocks joined by
blank lines, reference markers removed). A `Chunk` is one structural block of that text (a
paragraph or a list item) with its section path and, for list items, the lead-in line it
continues. A `Sentence` is a span of a chunk. All offsets are character offsets into
`Article.text`, so `article.text[s.start:s.end] == s.text` holds for every record.

This module only defines the records and their JSON form; it reads and writes no files.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import asdict, dataclass, fields
from typing import Any, Mapping

from .amounts import Amount


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    publisher: str | None
    author: str | None
    author_affiliation: str | None
    last_updated: str | None
    review_status: str | None
    url: str | None
    references: Mapping[str, str]  # the article's own numbered reference list, label -> entry
    site_disclaimer: str | None  # the page's own disclaimer: metadata, never quoted
    source_file: str  # path of the corpus file, relative to the corpus folder
    text: str
    examples: tuple[str, ...] = ()  # questions this article answers, offered on an empty chat
    license: str | None = None  # e.g. "cc-by"; shown with the source
    doi: str | None = None
    published: str | None = None  # first publication date, when known (last_updated: latest revision)
    review_by: str | None = None  # YYYY-MM-DD: when the institution's review of it falls due
    retracted: bool = False  # never quoted (an answer that would have quoted it says so)
    original_pdf: str | None = None  # for an imported PDF: the PDF as received, relative to the corpus folder
    tags: tuple[str, ...] = ()  # specialty, ward, document type: a question may be scoped to a tag (`qa.scope`)

    def reference(self, label: str) -> str | None:
        return self.references.get(label)

    def review_overdue(self, today: datetime.date) -> bool:
        """Its `review_by` date has passed: the institution's review of it is overdue."""
        return review_overdue(self.review_by, today)


def review_overdue(review_by: str | None, today: datetime.date) -> bool:
    """Whether a `review_by` date (YYYY-MM-DD, or None for none) has passed on `today`: the one rule
    the ingest warnings, the catalog and the quote's caution marker share."""
    return review_by is not None and datetime.date.fromisoformat(review_by) < today


@dataclass(frozen=True)
class Chunk:
    id: str  # "<article id>#<ordinal>"
    article_id: str
    ordinal: int
    section: tuple[str, ...]  # heading path, outermost first; () before the first heading
    kind: str  # "paragraph" or "item"
    text: str
    start: int
    end: int
    lead_in: str | None = None  # the line a list item continues ("Surgical options include:")
    lead_in_start: int | None = None
    lead_in_end: int | None = None
    block: int = -1  # the paragraph or list item it comes from: a long paragraph is cut into several chunks


@dataclass(frozen=True)
class Sentence:
    id: int  # row in the sentence vector matrix
    chunk_id: str
    article_id: str
    text: str
    start: int
    end: int
    refs: tuple[str, ...] = ()  # reference labels the article attaches to this sentence
    page: int | None = None  # for an imported PDF: the page (1-based) of the PDF it starts on
    amounts: tuple[Amount, ...] = ()  # its numbers with their units (`amounts.amounts`), taken at build time


def to_json(record: Article | Chunk | Sentence) -> dict[str, Any]:
    data = asdict(record)
    if isinstance(record, Article):
        data["references"] = dict(record.references)
    if isinstance(record, Sentence):  # an open end ("at least 5 days") is stored as null: JSON has no infinity
        data["amounts"] = [{**asdict(a), "high": None if a.high == math.inf else a.high} for a in record.amounts]
        if not data["amounts"]:
            del data["amounts"]
    return data


def _from_json(cls, data: Mapping[str, Any]):
    names = {f.name for f in fields(cls)}
    unknown = set(data) - names
    if unknown:
        raise ValueError(f"unexpected fields for {cls.__name__}: {sorted(unknown)}")
    return cls(**dict(data))


def article_from_json(data: Mapping[str, Any]) -> Article:
    data = dict(data)
    data["examples"] = tuple(data.get("examples", ()))
    data["tags"] = tuple(data.get("tags", ()))
    return _from_json(Article, data)


def chunk_from_json(data: Mapping[str, Any]) -> Chunk:
    data = dict(data)
    data["section"] = tuple(data["section"])
    return _from_json(Chunk, data)


def sentence_from_json(data: Mapping[str, Any]) -> Sentence:
    data = dict(data)
    data["refs"] = tuple(data.get("refs", ()))
    data["amounts"] = tuple(_from_json(Amount, {**a, "high": math.inf if a["high"] is None else a["high"]})
                            for a in data.get("amounts", ()))
    return _from_json(Sentence, data)


def context_text(title: str, chunk: Chunk) -> str:
    """What retrieval sees for a chunk: its article title and section path give short list
    items ("Nerve transfers") the context that makes them findable.

    >>> context_text("Foot drop", Chunk("a#1", "a", 1, ("Surgery",), "item", "Nerve transfers", 0, 15,
    ...              "Surgical options include:"))
    'Foot drop. Surgery. Surgical options include: Nerve transfers'
    """
    parts = [title, " > ".join(chunk.section)]
    if chunk.lead_in:
        parts.append(chunk.lead_in)
    head = ". ".join(p.rstrip(".") for p in parts[:2] if p)
    body = " ".join(parts[2:] + [chunk.text])
    return f"{head}. {body}" if head else body


def sentence_context_text(chunk: Chunk, sentence: Sentence) -> str:
    """What quote selection embeds for a sentence: the section it sits in and its lead-in."""
    parts = []
    if chunk.section:
        parts.append(chunk.section[-1] + ".")
    if chunk.lead_in:
        parts.append(chunk.lead_in)
    parts.append(sentence.text)
    return " ".join(parts)
