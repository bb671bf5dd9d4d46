"""The top of the page: its one h1, what QuoteQA does, the index build folded into "About this
index", and a banner when the index is older than the corpus; the notice by the question box.

Only HTML of facts the engine gives (`describe_article`, the manifest); when to send the header
again is the handlers' business.
"""

from __future__ import annotations

import datetime
from html import escape
from pathlib import Path

NOTICE = ("<p class='qqa-notice' id='qqa-notice'><strong>Do not enter patient identifiers</strong> "
          "(names, dates of birth, record or NHS numbers, addresses): ask about the clinical question only.</p>")


def stale_against(engine, corpus: Path) -> list[str]:
    """What changed in `corpus` since the engine's build was made (nothing when there is no corpus)."""
    from qa.index import changes_since, corpus_fingerprint

    return changes_since(engine.manifest, corpus_fingerprint(corpus)) if corpus.is_dir() else []


def _marker(article, today: datetime.date) -> str:
    """What the list says beside an article the library keeper must look at: retracted, or its
    review overdue (its quotes carry the same marker)."""
    said = "retracted: never quoted" if article.retracted else \
        f"review was due {article.review_by}" if article.review_overdue(today) else ""
    return f" <span class='qqa-caution'>{escape(said)}</span>" if said else ""


def _overdue_count(late: int) -> str:
    return f" ({late:,} review{'s' if late != 1 else ''} overdue)" if late else ""


def header_html(engine, stale: list[str]) -> str:
    """One h1, what the page does, and the build details folded into "About this index"."""
    from qa.present import describe_article

    today = datetime.date.today()
    articles = "".join(f"<li>{escape(describe_article(a))}{_marker(a, today)}</li>" for a in engine.articles.values())
    late = sum(a.review_overdue(today) for a in engine.articles.values())
    text = (f"<h1>QuoteQA</h1><p>Answers are quoted word for word from {len(engine.articles)} indexed articles, "
            "each quote with its source. Nothing is written by the app itself.</p>"
            f"<details class='qqa-about'><summary>About this index{_overdue_count(late)}</summary><ul>{articles}</ul>"
            f"<p>Index build <code>{escape(engine.index_build)}</code>, built {escape(engine.manifest.built_at)}.</p>"
            "</details>")
    if stale:
        listed = escape("; ".join(stale[:4]))
        text += (f"<div class='qqa-banner' role='alert'><strong>The index is older than the corpus</strong> "
                 f"({listed}). Answers come from the previous build. Run <code>python -m ingest</code> and restart.</div>")
    return text
