"""Turn chosen sentence spans into verbatim `Quote`s and their `Source`s: one [n] number per
article per answer, numbered in the order the quotes first cite them.

Every quote and its lead-in pass the verbatim gate here, against the article text, before they
can reach an answer; a span that fails is dropped, never shown. A quote from a list item carries
its position in the list and the list's items, so a partial list can say so.

Does not choose sentences (`quotes.py`) or render anything (`qa.present`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Mapping, Sequence

from .answer import Quote, Reference, Source
from .index import Article, Chunk, Sentence
from .quotes import Selection
from .verbatim import is_verbatim


@dataclass(frozen=True)
class ListPlace:
    index: int  # 1-based position of the item
    items: tuple[str, ...]  # every item's text, in article order


def list_places(chunks: Sequence[Chunk]) -> dict[str, ListPlace]:
    """chunk id -> its place in its list, for every list item that has a lead-in (siblings share
    the lead-in's offsets)."""
    groups: dict[tuple[str, int], dict[int, list[Chunk]]] = {}
    for c in chunks:
        if c.kind == "item" and c.lead_in_start is not None:  # a long item may be cut into parts
            groups.setdefault((c.article_id, c.lead_in_start), {}).setdefault(c.block, []).append(c)
    places = {}
    for items in groups.values():
        texts = tuple(" ".join(part.text for part in parts) for parts in items.values())
        for k, parts in enumerate(items.values(), 1):
            places.update({part.id: ListPlace(k, texts) for part in parts})
    return places


def cite(selections: Sequence[Selection], sentences: Sequence[Sentence], chunks: Mapping[str, Chunk],
         articles: Mapping[str, Article], places: Mapping[str, ListPlace],
         caution_of: Callable[[Article], tuple] = lambda article: ()) -> tuple[tuple[Quote, ...], tuple[Source, ...]]:
    """`caution_of(article)`: the `qa.caution.Caution`s each quote of that article carries."""
    quotes: list[Quote] = []
    by_article: dict[str, list[Quote]] = {}
    for sel in selections:
        first, last = sentences[sel.rows[0]], sentences[sel.rows[-1]]
        chunk, article = chunks[first.chunk_id], articles[first.article_id]
        text = article.text[first.start:last.end]
        lead_ok = chunk.lead_in is None or is_verbatim(chunk.lead_in, article.text, chunk.lead_in_start, chunk.lead_in_end)
        if not (lead_ok and is_verbatim(text, article.text, first.start, last.end)):
            continue
        labels = dict.fromkeys(label for r in sel.rows for label in sentences[r].refs)
        refs = tuple(Reference(label=label, entry=article.reference(label)) for label in labels)
        number = list(by_article).index(article.id) + 1 if article.id in by_article else len(by_article) + 1
        place = places.get(chunk.id)
        quote = Quote(number=number, text=text, lead_in=chunk.lead_in, article_id=article.id,
                      article_title=article.title, section=chunk.section, chunk_id=chunk.id, start=first.start,
                      end=last.end, score=sel.score, references=refs, list_index=place.index if place else None,
                      list_total=len(place.items) if place else None, list_items=place.items if place else (),
                      caution=caution_of(article), page=first.page)
        by_article.setdefault(article.id, []).append(quote)
        quotes.append(quote)
    sources = tuple(_source(n, articles[aid], cited) for n, (aid, cited) in enumerate(by_article.items(), 1))
    return tuple(quotes), sources


def _source(number: int, article: Article, quotes: Sequence[Quote]) -> Source:
    in_order = sorted(quotes, key=lambda q: q.start)
    sections = tuple(dict.fromkeys(q.section for q in in_order))
    refs = tuple(dict.fromkeys(r for q in in_order for r in q.references))
    return Source(number=number, article_id=article.id, title=article.title, publisher=article.publisher,
                  author=article.author, section=sections[0], last_updated=article.last_updated,
                  review_status=article.review_status, url=article.url, references=refs, sections=sections,
                  license=article.license, doi=article.doi, published=article.published)


def cite_also(quotes: Sequence[Quote], their_sources: Sequence[Source],
              sources: tuple[Source, ...]) -> tuple[tuple[Quote, ...], tuple[Source, ...]]:
    """`quotes` (numbered on their own, with `their_sources`) numbered as an answer with `sources`
    numbers them: an article it cites keeps its [n], another gets the next number and its source
    is added (the side-by-side figures of `qa.figures` quote such articles)."""
    numbers = {s.article_id: s.number for s in sources}
    added = []
    for source in their_sources:
        if source.article_id not in numbers:
            numbers[source.article_id] = len(numbers) + 1
            added.append(replace(source, number=numbers[source.article_id]))
    return tuple(replace(q, number=numbers[q.article_id]) for q in quotes), sources + tuple(added)
