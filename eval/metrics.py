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

from .questions import Question, contains_evidence, evidence_tokens, gold_article, normalise

RANK_METRICS = ("recall@1", "recall@3", "recall@5", "recall@10", "mrr@10", "ndcg@10")
GOLD_RANK_METRICS = ("recall@10", "mrr@10")
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
    quote_articles: tuple[str, ...] = ()  # article id of each quote


def qrels_for(questions: Sequence[Question], chunk_texts: Mapping[str, str],
              chunk_articles: Mapping[str, str] | None = None) -> dict[str, dict[str, int]]:
    """Relevant chunks per answerable question: those containing an evidence span. With
    `chunk_articles` (chunk id -> article id), only chunks of the question's gold article count
    (questions without a resolvable `doc_id` are left out)."""
    qrels = {}
    articles = set(chunk_articles.values()) if chunk_articles is not None else set()
    for q in questions:
        if not q.answerable:
            continue
        gold = gold_article(q.doc_id, articles) if chunk_articles is not None else None
        if chunk_articles is not None and gold is None:
            continue
        qrels[q.id] = {cid: 1 for cid, text in chunk_texts.items()
                       if (gold is None or chunk_articles[cid] == gold) and contains_evidence(text, q.evidence)}
    return qrels


def ranking_metrics(qrels: Mapping[str, Mapping[str, int]], outcomes: Mapping[str, Outcome],
                    ids: Sequence[str], metrics: Sequence[str] = RANK_METRICS) -> dict[str, float]:
    from ranx import Qrels, Run, evaluate

    ids = [i for i in ids if qrels.get(i)]
    if not ids:
        return {m: float("nan") for m in metrics}
    run = {i: {pid: 1.0 / (r + 1) for r, pid in enumerate(outcomes[i].passage_ids)} for i in ids}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba's type-safety chatter
        scores = evaluate(Qrels({i: dict(qrels[i]) for i in ids}), Run(run), list(metrics),
                          make_comparable=True)
    return {m: float(scores[m]) for m in metrics}


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


def token_recall(quotes: Sequence[str], evidence: tuple[str, ...], budget: int = QUOTE_BUDGET_WORDS) -> float:
    """Share of the evidence's words that the first `budget` words of the quotes contain (best span):
    partial credit for an answer longer than what was quoted.

    >>> token_recall(["the cat sat", "on a mat"], ("a cat on the sofa",), budget=6)
    0.8
    """
    shown = set(normalise(" ".join(within_words(quotes, budget))).split())
    spans = [t for t in evidence_tokens(evidence) if t]
    return max((len(t & shown) / len(t) for t in spans), default=0.0)


def gold_metrics(questions: Sequence[Question], outcomes: Mapping[str, Outcome], articles) -> dict[str, float]:
    """Evidence quoted within the budget *from the gold article* (questions with a `doc_id`)."""
    hits = []
    for q in questions:
        gold = gold_article(q.doc_id, articles)
        if not q.answerable or gold is None:
            continue
        o = outcomes[q.id]
        from_gold = [t for t, a in zip(o.quotes, o.quote_articles) if a == gold]
        hits.append(any(contains_evidence(t, q.evidence) for t in within_words(from_gold, QUOTE_BUDGET_WORDS)))
    return {"gold_evidence_quoted@120w": sum(hits) / len(hits) if hits else float("nan")}


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
    ms = sorted(outcomes[q.id].ms for q in questions)  # of these questions only (a part, a kind of turn)
    return {
        "recall@100w": rate(budget, answerable),
        "evidence_quoted": rate(quoted, answerable),
        "evidence_quoted@120w": rate(quoted_early, answerable),
        "answer_token_recall@120w": statistics.fmean(token_recall(outcomes[q.id].quotes, q.evidence)
                                                     for q in answerable) if answerable else float("nan"),
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
          qrels: Mapping[str, Mapping[str, int]], gold_qrels: Mapping[str, Mapping[str, int]] | None = None,
          articles: Sequence[str] = ()) -> dict[str, float]:
    all_ids = [q.id for q in questions]
    followups = [q.id for q in questions if q.followup and q.answerable]
    metrics = ranking_metrics(qrels, outcomes, all_ids)
    fu = ranking_metrics(qrels, outcomes, followups)
    metrics["followup_recall@5"] = fu["recall@5"]
    # conversational turns (any history) scored on their own: single questions can hide them
    turns = answer_metrics([q for q in questions if q.followup], outcomes)
    metrics["followup_evidence_quoted"] = turns["evidence_quoted"]
    metrics["followup_evidence_quoted@120w"] = turns["evidence_quoted@120w"]
    metrics["followup_abstain_unanswerable"] = turns["abstain_unanswerable"]
    metrics["followup_false_abstain"] = turns["false_abstain"]
    metrics.update(answer_metrics(questions, outcomes))
    if gold_qrels:
        gold = ranking_metrics(gold_qrels, outcomes, all_ids, GOLD_RANK_METRICS)
        metrics.update({f"gold_{m}": v for m, v in gold.items()})
        metrics.update(gold_metrics(questions, outcomes, articles))
    return metrics
