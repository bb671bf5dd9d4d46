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


FLAGGED_SHOWN = 20  # articles under review or retracted listed by name in "About this index"; then a count


def _flagged(engine, today: datetime.date) -> str:
    """The articles the keeper must look at (review overdue, retracted), the first by name."""
    from qa.present import flagged

    found = flagged(engine.articles.values(), today)
    items = "".join(f"<li>{escape(a.title)} <span class='qqa-caution'>{escape(said)}</span></li>"
                    for a, said in found[:FLAGGED_SHOWN])
    more = len(found) - FLAGGED_SHOWN
    tail = f"<li>… and {more:,} more (<code>python -m ingest list --overdue</code>)</li>" if more > 0 else ""
    return f"<p>To look at:</p><ul>{items}{tail}</ul>" if found else ""


def _left_out(engine) -> str:
    """The corpus files a --skip-broken build left out: the keeper mends them and builds again."""
    files = sorted(engine.manifest.left_out)
    if not files:
        return ""
    named = "".join(f"<li><code>{escape(f)}</code></li>" for f in files[:FLAGGED_SHOWN])
    more = f"<li>… and {len(files) - FLAGGED_SHOWN:,} more</li>" if len(files) > FLAGGED_SHOWN else ""
    return (f"<p>Left out of this build, as they cannot be read (mend them and run <code>python -m ingest</code>; "
            f"the build's warnings say why):</p><ul>{named}{more}</ul>")


def _overdue_count(late: int) -> str:
    return f" ({late:,} review{'s' if late != 1 else ''} overdue)" if late else ""


def _dates(engine) -> str:
    """The articles' dates as the disclaimer gives them ("dated 2018-02-02 to 2025-10-31")."""
    from qa.present import date_span

    return date_span(engine.articles.values())


def header_html(engine, stale: list[str]) -> str:
    """One h1, what the page does, and the build details folded into "About this index"."""
    today = datetime.date.today()
    late = sum(a.review_overdue(today) for a in engine.articles.values())
    text = (f"<h1>QuoteQA</h1><p>Answers are quoted word for word from {len(engine.articles):,} indexed articles, "
            "each quote with its source. Nothing is written by the app itself.</p>"
            f"<details class='qqa-about'><summary>About this index{_overdue_count(late)}</summary>"
            f"<p>{len(engine.articles):,} articles, {escape(_dates(engine))}; find one under “Articles”.</p>"
            f"{_flagged(engine, today)}{_left_out(engine)}"
            f"<p>Index build <code>{escape(engine.index_build)}</code>, built {escape(engine.manifest.built_at)}.</p>"
            "</details>")
    if stale:
        listed = escape("; ".join(stale[:4]))
        text += (f"<div class='qqa-banner' role='alert'><strong>The index is older than the corpus</strong> "
                 f"({listed}). Answers come from the previous build. Run <code>python -m ingest</code> and restart.</div>")
    return text
