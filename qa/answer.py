"""What `Engine.ask` returns: frozen records of data (no markup) that `qa.present`, the app and the
eval all read the same way. Built with keywords only: a record of twenty fields built by position
breaks silently the day a field is added in the middle."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .caution import Caution


@dataclass(frozen=True, kw_only=True)
class Reference:
    label: str  # the article's own reference number ("1")
    entry: str | None  # its entry in the article's reference list, None when the list lacks it


@dataclass(frozen=True, kw_only=True)
class Source:
    """One article an answer quotes: one [n] number per article per answer."""
    number: int  # the [n] marker
    article_id: str
    title: str
    publisher: str | None
    author: str | None
    section: tuple[str, ...]  # the first quoted section (all of them: `sections`)
    last_updated: str | None
    review_status: str | None
    url: str | None
    references: tuple[Reference, ...]  # the article's references cited by the quoted sentences
    sections: tuple[tuple[str, ...], ...] = ()  # every quoted section, in article order
    license: str | None = None
    doi: str | None = None
    published: str | None = None


@dataclass(frozen=True, kw_only=True)
class Quote:
    number: int  # citation marker of its source
    text: str  # verbatim article text (one or more whole sentences), reference markers removed
    lead_in: str | None  # verbatim line the quote continues ("Surgical options include:")
    article_id: str
    article_title: str
    section: tuple[str, ...]
    chunk_id: str
    start: int  # offsets of `text` in the article text
    end: int
    score: float
    references: tuple[Reference, ...]
    list_index: int | None = None  # for a list item: its position in the list (1-based) ...
    list_total: int | None = None  # ... and how many items the list has
    list_items: tuple[str, ...] = ()  # the whole list's item texts, for "show all"
    caution: tuple[Caution, ...] = ()  # why to read it with care: its article's review or age (`qa.caution`)
    page: int | None = None  # for an imported PDF: the page of the PDF the quote starts on


@dataclass(frozen=True, kw_only=True)
class FigureItem:
    """One article's figure for a measure (`qa.figures`): its value and the sentence giving it."""
    article: str  # the article's id
    title: str
    date: str | None  # the article's latest date as it gives it (last updated, else published)
    value: str  # verbatim, as the sentence writes it ("5.2 days", "2–14 days", "up to 14 days")
    unit: str  # the unit `low` and `high` are in: "days", "%", "mg", "ml", "bases", "" (a plain number)
    low: float
    high: float | None  # None: no upper bound ("at least 3 days")
    setting: str | None  # the place or group the sentence names ("in South Korea"), verbatim
    quote: str  # the whole sentence, verbatim
    number: int  # its article's [n] in the answer
    start: int  # offsets of `quote` in the article text
    end: int
    chunk_id: str
    section: tuple[str, ...]
    caution: tuple[Caution, ...] = ()
    page: int | None = None

    def as_quote(self) -> "Quote":
        """The sentence as a quote of the answer (the source viewer marks it)."""
        return Quote(number=self.number, text=self.quote, lead_in=None, article_id=self.article,
                     article_title=self.title, section=self.section, chunk_id=self.chunk_id, start=self.start,
                     end=self.end, score=0.0, references=(), caution=self.caution, page=self.page)


@dataclass(frozen=True, kw_only=True)
class Figures:
    """What two or more articles give for one measure: different figures, or one they agree on."""
    measure: str  # as the question words it ("incubation period")
    items: tuple[FigureItem, ...]  # one an article, in the answer's order of relevance


@dataclass(frozen=True, kw_only=True)
class Passage:
    chunk_id: str
    text: str
    lead_in: str | None
    article_id: str
    article_title: str
    section: tuple[str, ...]
    score: float


@dataclass(frozen=True, kw_only=True)
class Answer:
    question: str
    query: str  # the resolved search query, carried topic words and all (the page shows `reading` instead)
    status: str  # "answered", "abstained", "invalid" (empty or too long) or "error"
    message: str | None  # what to tell the user when there are no quotes
    quotes: tuple[Quote, ...]
    sources: tuple[Source, ...]
    passages: tuple[Passage, ...]
    disclaimer: str
    followup: bool = False  # the conversation was used to read the question
    ms: float = 0.0
    figures_ms: float = 0.0  # of `ms`, what comparing the articles' figures took (`qa.compare`)
    index_build: str = ""  # digest of the index build that answered (manifest.digest)
    coverage: tuple[str, ...] = ()  # with an abstention: what the indexed articles do cover
    nearest: tuple[str, ...] = ()  # with an abstention: ids of the articles nearest the question, nearest first
    missing: tuple[str, ...] = ()  # what the question asks for that no quote gives ("dose", "number", ...)
    context: tuple[str, ...] = ()  # a follow-up's topic: titles of the articles its search favoured
    unknown: tuple[str, ...] = ()  # with an abstention: names in the question that no article uses
    # with quotes: what the question asks for that none of them mentions ("red flags"): no article
    # does, or (with `unmentioned_by`) none of those titled there, the follow-up's topic articles,
    # which the quotes were then taken from ("What are its side effects?" of an orthosis)
    unmentioned: str = ""
    unmentioned_by: tuple[str, ...] = ()
    # how a conversational turn was read (`qa.present.reading` words it): the turn with its pronoun
    # replaced ("Can an ankle-foot orthosis be bought off the shelf?"), the earlier question it was
    # read with, and what it asked of the previous answer ("more", "why", "evidence")
    reading: str = ""
    after: str = ""
    intent: str = ""
    withheld: tuple[str, ...] = ()  # titles of retracted articles that would have been quoted
    scope: tuple[str, ...] = ()  # ids of the articles the question was asked of (`qa.scope`); () for all
    # a question asking for a figure: where the articles' figures for it differ, side by side, and
    # where several give the same one (`qa.figures`); each item's article is among `sources`
    differences: tuple[Figures, ...] = ()
    agreement: tuple[Figures, ...] = ()

    @property
    def abstained(self) -> bool:
        return self.status != "answered"

    def figure_quotes(self) -> tuple[Quote, ...]:
        """The sentences of `differences` and `agreement`, as quotes (for the source viewer)."""
        return tuple(item.as_quote() for f in self.differences + self.agreement for item in f.items)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["abstained"] = self.abstained
        return data
