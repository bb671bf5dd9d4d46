"""Present eval results: a terminal table, a Markdown report with the misses, a PNG chart."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Mapping, Sequence

from .metrics import Outcome
from .questions import Question, contains_evidence

COLUMNS = (
    "recall@1", "recall@3", "recall@5", "recall@10", "mrr@10", "ndcg@10", "recall@100w",
    "evidence_quoted", "evidence_quoted@120w", "answer_token_recall@120w", "quote_words_mean",
    "abstain_unanswerable", "false_abstain", "followup_recall@5", "followup_evidence_quoted",
    "followup_evidence_quoted@120w", "followup_abstain_unanswerable", "followup_false_abstain",
    "gold_recall@10", "gold_mrr@10", "gold_evidence_quoted@120w", "latency_p50_ms", "latency_p95_ms",
)


def _fmt(value: float, metric: str) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "–"
    if metric.endswith("_ms") or metric == "quote_words_mean":
        return f"{value:.1f}"
    return f"{value:.3f}"


def table(results: Mapping[str, Mapping[str, float]]) -> str:
    """Metrics as rows, configurations as columns (wide tables wrap badly in terminals)."""
    names = list(results)
    width = max(len(c) for c in COLUMNS)
    cols = [max(len(n), 7) for n in names]
    lines = [" " * width + "  " + "  ".join(n.rjust(w) for n, w in zip(names, cols))]
    for metric in [m for m in COLUMNS if any(m in results[n] for n in names)]:
        cells = [_fmt(results[n].get(metric, float("nan")), metric).rjust(w) for n, w in zip(names, cols)]
        lines.append(metric.ljust(width) + "  " + "  ".join(cells))
    return "\n".join(lines)


def markdown_table(results: Mapping[str, Mapping[str, float]]) -> str:
    names = list(results)
    lines = ["| metric | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for metric in [m for m in COLUMNS if any(m in results[n] for n in names)]:
        lines.append(f"| {metric} | " + " | ".join(_fmt(results[n].get(metric, float('nan')), metric) for n in names) + " |")
    return "\n".join(lines)


def misses(questions: Sequence[Question], outcomes: Mapping[str, Outcome]) -> list[str]:
    out = []
    for q in questions:
        o = outcomes[q.id]
        history = f" (after: {' / '.join(q.history)})" if q.history else ""
        if q.answerable and not any(contains_evidence(t, q.evidence) for t in o.quotes):
            shown = "abstained" if o.abstained else "; ".join(f"“{t[:140]}”" for t in o.quotes)
            out.append(f"- **{q.id}**: {q.question}{history}\n  - wanted: {' | '.join(q.evidence)}\n"
                       f"  - searched: {o.query}\n  - got: {shown}")
        elif not q.answerable and not o.abstained:
            out.append(f"- **{q.id}** (should abstain): {q.question}{history}\n  - got: "
                       + "; ".join(f"“{t[:140]}”" for t in o.quotes))
    return out


def write_run(path: Path, outcomes: Mapping[str, Outcome]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for o in outcomes.values():
            row = asdict(o)
            row.pop("passage_ids")
            row["passages"] = list(o.passages[:10])
            row["quotes"] = list(o.quotes)
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_report(path: Path, results: Mapping[str, Mapping[str, float]], questions: Sequence[Question],
                 shipped: Mapping[str, Outcome], manifest_digest: str) -> Path:
    chart = path.with_suffix(".png")
    write_chart(chart, results)
    missed = misses(questions, shipped) or ["- none"]
    path.write_text(
        f"# QuoteQA eval\n\nIndex build `{manifest_digest}`, {len(questions)} questions "
        f"({sum(q.followup for q in questions)} follow-ups, {sum(not q.answerable for q in questions)} unanswerable).\n\n"
        f"{markdown_table(results)}\n\n![ablations]({chart.name})\n\n## Misses of the shipped configuration\n\n"
        + "\n".join(missed) + "\n", encoding="utf-8")
    return chart


def write_chart(path: Path, results: Mapping[str, Mapping[str, float]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = ["recall@1", "recall@5", "mrr@10", "recall@100w", "evidence_quoted", "abstain_unanswerable", "false_abstain"]
    names = list(results)
    fig, ax = plt.subplots(figsize=(10, 4.2), dpi=100)
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        values = [0.0 if math.isnan(results[name][m]) else results[name][m] for m in metrics]
        ax.bar([x + i * width for x in range(len(metrics))], values, width, label=name)
    ax.set_xticks([x + width * (len(names) - 1) / 2 for x in range(len(metrics))], metrics, rotation=15, fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_title("QuoteQA ablations (higher is better, except false_abstain)")
    ax.legend(fontsize=8, ncol=len(names), loc="lower center", bbox_to_anchor=(0.5, -0.42))
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
