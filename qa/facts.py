"""What is known about one article, as data: an ordered list of (label, value) facts, and the
words each fact reads as. The one place that decides them: the engine's short description of an
article (`qa.disclaimer.describe_article`) and every view in `qa.present` (`qa.present.facts`)
build on these.

Renders nothing: no markup, no separators, no escaping (`qa.present.facts` does that).
"""

from __future__ import annotations

from .answer import Source
from .index.records import Article

Fact = tuple[str, str]  # (label, value): ("last updated", "2025-10-31")

WHO = ("publisher", "author", "affiliation")  # shown by value alone, together: "Dr.Oracle · Dr. A. Smith"
NO_DATE = "no date given"
NOT_STATED = "not stated"
# how a labelled fact reads; a label not here reads as its value alone
PHRASES = {"published": "published {}", "last updated": "last updated {}", "review status": "review status: {}",
           "license": "license: {}", "DOI": "DOI {}"}


def facts(*, publisher: str | None, author: str | None, affiliation: str | None = None,
          published: str | None, last_updated: str | None, review_status: str | None,
          license: str | None, doi: str | None, url: str | None) -> tuple[Fact, ...]:
    """The facts in the order every view shows them; a missing date and review status are said.

    >>> facts(publisher="P", author=None, published=None, last_updated="2025", review_status=None,
    ...       license="cc-by", doi=None, url="ftp://x")
    (('publisher', 'P'), ('last updated', '2025'), ('review status', 'not stated'), ('license', 'cc-by'))
    """
    found = [("publisher", publisher), ("author", author), ("affiliation", affiliation),
             ("published", published), ("last updated", last_updated),
             ("date", None if published or last_updated else NO_DATE),
             ("review status", review_status or NOT_STATED), ("license", license), ("DOI", doi),
             ("URL", url if url and url.startswith(("https://", "http://")) else None)]  # a link, or nothing
    return tuple((label, value) for label, value in found if value)


def article_facts(article: Article) -> tuple[Fact, ...]:
    return facts(publisher=article.publisher, author=article.author, affiliation=article.author_affiliation,
                 published=article.published, last_updated=article.last_updated,
                 review_status=article.review_status, license=article.license, doi=article.doi, url=article.url)


def source_facts(source: Source) -> tuple[Fact, ...]:
    """An answer's source carries its article's facts except the author's affiliation."""
    return facts(publisher=source.publisher, author=source.author, published=source.published,
                 last_updated=source.last_updated, review_status=source.review_status,
                 license=source.license, doi=source.doi, url=source.url)


def phrase(fact: Fact) -> str:
    """One fact in words.

    >>> phrase(("last updated", "2025-10-31")), phrase(("license", "cc-by")), phrase(("author", "A"))
    ('last updated 2025-10-31', 'license: cc-by', 'A')
    """
    label, value = fact
    return PHRASES[label].format(value) if label in PHRASES else value


def who(found: tuple[Fact, ...]) -> list[str]:
    """The values of the publisher, author and affiliation facts, in that order."""
    return [value for label, value in found if label in WHO]


def latest_date(found: tuple[Fact, ...]) -> Fact | None:
    """The latest dated fact: last updated, else published (None when neither is given)."""
    dated = dict(found)
    for label in ("last updated", "published"):
        if label in dated:
            return label, dated[label]
    return None
