"""Score answers against evidence spans.

Ranking metrics (recall@k, MRR, nDCG) come from ranx over relevance judgements made by span
matching: a chunk is relevant to a question when its text contains one of the question's
evidence spans. The rest are simple rates over answers (evidence quoted, abstentions, lengths,
word-budget recall) that no IR library computes.
"""

from __future__ import annotations

import statistics
import warnings
from dataclasses import dataclass
from typing import Mapping, Sequence

from .questions import Question, contains_evidence

RANK_METRICS = ("recall@1", "recall@3", "recall@5", "recall@10", "mrr@10", "ndcg@10")
# Scoring budgets of the benchmark (../shared/benchmarks/covidqa/README.md): fixed by how answers
# are judged, not by the product's own quote budget (`qa.quotes.QuoteParams.word_budget`).
PASSAGE_BUDGET_WORDS = 100
QUOTE_BUDGET_WORDS = 120


@dataclass(frozen=True)
class Outcome:
    """One question's answer, reduced to what scoring needs (also the --run-out line)."""
    id: str
    query: str
    passage_ids: tuple[str, ...]
    passages: tuple[str, ...]
    quotes: tuple[str, ...]  # as shown: lead-in and text
    abstained: bool
    disclaimer: str
    ms: float


def qrels_for(questions: Sequence[Question], chunk_texts: Mapping[str, str]) -> dict[str, dict[str, int]]:
    return {
        q.id: {cid: 1 for cid, text in chunk_texts.items() if contains_evidence(text, q.evidence)}
        for q in questions if q.answerable
    }


def ranking_metrics(qrels: Mapping[str, Mapping[str, int]], outcomes: Mapping[str, Outcome],
                    ids: Sequence[str]) -> dict[str, float]:
    from ranx import Qrels, Run, evaluate

    ids = [i for i in ids if qrels.get(i)]
    if not ids:
        return {m: float("nan") for m in RANK_METRICS}
    run = {i: {pid: 1.0 / (r + 1) for r, pid in enumerate(outcomes[i].passage_ids)} for i in ids}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba's type-safety chatter
        scores = evaluate(Qrels({i: dict(qrels[i]) for i in ids}), Run(run), list(RANK_METRICS),
                          make_comparable=True)
    return {m: float(scores[m]) for m in RANK_METRICS}


def within_words(texts: Sequence[str], budget: int) -> list[str]:
    """The texts cut so their words add up to at most `budget`.

    >>> within_words(["a b c", "d e f"], 4)
    ['a b c', 'd']
    """
    out, left = [], budget
    for text in texts:
        if left <= 0:
            break
        words = text.split()
        out.append(" ".join(words[:left]))
        left -= len(words)
    return out


def answer_metrics(questions: Sequence[Question], outcomes: Mapping[str, Outcome]) -> dict[str, float]:
    answerable = [q for q in questions if q.answerable]
    unanswerable = [q for q in questions if not q.answerable]
    rate = lambda hits, pool: sum(hits) / len(pool) if pool else float("nan")  # noqa: E731
    quoted = [any(contains_evidence(t, q.evidence) for t in outcomes[q.id].quotes) for q in answerable]
    quoted_early = [any(contains_evidence(t, q.evidence) for t in within_words(outcomes[q.id].quotes, QUOTE_BUDGET_WORDS))
                    for q in answerable]
    budget = [any(contains_evidence(t, q.evidence) for t in within_words(outcomes[q.id].passages, PASSAGE_BUDGET_WORDS))
              for q in answerable]
    lengths = [sum(len(t.split()) for t in outcomes[q.id].quotes) for q in questions if not outcomes[q.id].abstained]
    ms = sorted(o.ms for o in outcomes.values())
    return {
        "recall@100w": rate(budget, answerable),
        "evidence_quoted": rate(quoted, answerable),
        "evidence_quoted@120w": rate(quoted_early, answerable),
        "quote_words_mean": statistics.fmean(lengths) if lengths else 0.0,
        "abstain_unanswerable": rate([outcomes[q.id].abstained for q in unanswerable], unanswerable),
        "false_abstain": rate([outcomes[q.id].abstained for q in answerable], answerable),
        "latency_p50_ms": percentile(ms, 50),
        "latency_p95_ms": percentile(ms, 95),
    }


def percentile(values: Sequence[float], pct: int) -> float:
    """The `pct`-th percentile (1-99), interpolated as `statistics.quantiles(method="inclusive")` does.

    >>> percentile([3, 1, 2], 50), percentile([], 50) != percentile([], 50)
    (2.0, True)
    """
    if not values:
        return float("nan")
    if len(values) == 1:
        return float(values[0])
    return float(statistics.quantiles(values, n=100, method="inclusive")[pct - 1])


def score(questions: Sequence[Question], outcomes: Mapping[str, Outcome],
          qrels: Mapping[str, Mapping[str, int]]) -> dict[str, float]:
    all_ids = [q.id for q in questions]
    followups = [q.id for q in questions if q.followup and q.answerable]
    metrics = ranking_metrics(qrels, outcomes, all_ids)
    fu = ranking_metrics(qrels, outcomes, followups)
    metrics["followup_recall@5"] = fu["recall@5"]
    metrics["followup_evidence_quoted"] = answer_metrics(
        [q for q in questions if q.id in set(followups)], outcomes)["evidence_quoted"]
    metrics.update(answer_metrics(questions, outcomes))
    return metrics
