"""Turn a parsed article into stored records: the article's plain text, one chunk per paragraph or
list item, and the sentences of each chunk, all with character offsets into the article text.

A list item records its lead-in: the enclosing item for a nested item, or, for a top-level item,
the last sentence of the paragraph just before the list when it ends with a colon ("Some common
causes include:"). Reference markers are attached to the sentence they follow.

Does not embed or write anything; see `build.py`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Callable, Sequence

from qa.index.records import Article, Chunk, Sentence

from .parse import ParsedArticle

Splitter = Callable[[str], list[tuple[int, int]]]  # text -> (start, end) of each sentence


def pysbd_splitter() -> Splitter:
    """Sentence spans from pysbd's own character offsets (`char_span=True`), trimmed of the
    whitespace pysbd keeps around a sentence."""
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)

    def spans(text: str) -> list[tuple[int, int]]:
        out = []
        for span in segmenter.segment(text):
            start = span.start + len(span.sent) - len(span.sent.lstrip())
            end = span.start + len(span.sent.rstrip())
            if end > start:
                out.append((start, end))
        return out

    return spans


# A chunk is embedded with its title, section path and lead-in; all-MiniLM-L6-v2 reads 256 word
# pieces (~1.3 per English word, more in technical text), so a chunk's context text stays within
# MAX_CHUNK_WORDS words and longer paragraphs are cut between sentences.
MAX_CHUNK_WORDS = 160
MIN_PART_WORDS = 60  # however long the title and section path, a part may hold this much text


def word_count(text: str | None) -> int:
    return len(text.split()) if text else 0


def split_long(spans: Sequence[tuple[int, int]], text: str, budget: int) -> list[list[int]]:
    """Group sentence indices into consecutive parts of at most `budget` words (a single longer
    sentence stands alone).

    >>> split_long([(0, 3), (4, 7), (8, 11)], "a b c d e", 1)
    [[0], [1], [2]]
    >>> split_long([(0, 3), (4, 7), (8, 11)], "aaa bbb ccc", 2)
    [[0, 1], [2]]
    """
    parts: list[list[int]] = [[]]
    words = 0
    for k, (s, e) in enumerate(spans):
        n = word_count(text[s:e])
        if parts[-1] and words + n > budget:
            parts.append([])
            words = 0
        parts[-1].append(k)
        words += n
    return [p for p in parts if p]


@dataclass(frozen=True)
class ChunkedArticle:
    article: Article
    chunks: tuple[Chunk, ...]
    sentences: tuple[tuple[Sentence, ...], ...]  # per chunk; ids are local until renumbered


def _refs_for(spans: list[tuple[int, int]], markers: Sequence[tuple[int, str]]) -> list[tuple[str, ...]]:
    """Give each marker to the last sentence starting at or before its position."""
    refs: list[list[str]] = [[] for _ in spans]
    for pos, label in markers:
        owner = max((i for i, (s, _) in enumerate(spans) if s <= pos), default=0)
        if spans and label not in refs[owner]:
            refs[owner].append(label)
    return [tuple(r) for r in refs]


Lead = tuple[str, int, int]  # a list item's lead-in: its text and its start and end in the article


def chunk_article(parsed: ParsedArticle, split: Splitter) -> ChunkedArticle:
    """The article's text (its blocks joined by blank lines), its chunks and their sentences."""
    offsets = list(itertools.accumulate((len(b.text) + 2 for b in parsed.blocks[:-1]), initial=0)) \
        if parsed.blocks else []
    text = "\n\n".join(block.text for block in parsed.blocks)
    chunks: list[Chunk] = []
    sentences: list[tuple[Sentence, ...]] = []
    colon_lead: Lead | None = None  # a paragraph's closing "...include:" sentence
    for i, block in enumerate(parsed.blocks):
        if block.kind == "heading":
            colon_lead = None
            continue
        spans = split(block.text)
        lead: Lead | None = None
        if block.kind == "item" and block.parent is not None:
            parent = parsed.blocks[block.parent]
            lead = (parent.text, offsets[block.parent], offsets[block.parent] + len(parent.text))
        elif block.kind == "item":
            lead = colon_lead
        elif block.kind == "paragraph":
            s, e = spans[-1]
            colon_lead = (block.text[s:e], offsets[i] + s, offsets[i] + e) if block.text.endswith(":") else None
        _block_chunks(parsed, i, offsets[i], spans, lead, chunks, sentences)
    return ChunkedArticle(_article(parsed, text), tuple(chunks), tuple(sentences))


def _block_chunks(parsed: ParsedArticle, i: int, base: int, spans: list[tuple[int, int]], lead: Lead | None,
                  chunks: list[Chunk], sentences: list[tuple[Sentence, ...]]) -> None:
    """Append block `i`'s chunks (the whole block, or parts of a long one) and their sentences."""
    block = parsed.blocks[i]
    refs = _refs_for(spans, block.markers)
    context = word_count(parsed.meta["title"]) + sum(map(word_count, block.section)) + word_count(lead[0] if lead else "")
    for part in split_long(spans, block.text, max(MIN_PART_WORDS, MAX_CHUNK_WORDS - context)):
        chunk_id = f"{parsed.id}#{len(chunks)}"
        s0, e0 = spans[part[0]][0], spans[part[-1]][1]
        whole = len(part) == len(spans)
        chunks.append(Chunk(
            id=chunk_id, article_id=parsed.id, ordinal=len(chunks), section=block.section,
            kind=block.kind, text=block.text if whole else block.text[s0:e0],
            start=base if whole else base + s0, end=base + (len(block.text) if whole else e0),
            lead_in=lead[0] if lead else None,
            lead_in_start=lead[1] if lead else None, lead_in_end=lead[2] if lead else None, block=i,
        ))
        sentences.append(tuple(
            Sentence(id=-1, chunk_id=chunk_id, article_id=parsed.id, text=block.text[s:e],
                     start=base + s, end=base + e, refs=refs[k])
            for k, (s, e) in ((k, spans[k]) for k in part)
        ))


def _article(parsed: ParsedArticle, text: str) -> Article:
    """The article's record: its front matter's facts and its whole text."""
    meta = parsed.meta
    return Article(
        id=parsed.id, title=meta["title"], publisher=meta.get("publisher"), author=meta.get("author"),
        author_affiliation=meta.get("author_affiliation"), last_updated=meta.get("last_updated"),
        review_status=meta.get("review_status"), url=meta.get("url"),
        references=dict(parsed.references), site_disclaimer=meta.get("site_disclaimer"),
        source_file=parsed.path.name, text=text, examples=tuple(meta.get("examples") or ()),
        license=meta.get("license"), doi=meta.get("doi"), published=meta.get("published"),
        review_by=meta.get("review_by"), retracted=bool(meta.get("retracted")), tags=tuple(meta.get("tags") or ()),
        original_pdf=meta.get("original_pdf"),
    )
