"""`python -m eval.suite`: the shipped engine on every question set of the three corpora, each
split into its tuning and check parts (`eval.split`), in one table.

A change is kept when it helps on the tuning parts of all three corpora (foot drop, COVID-QA,
MedQuAD); the check parts are read once, at the end, and reported beside them. The sets:

- foot drop: `eval/questions.jsonl` over `index/`;
- COVID-QA and MedQuAD: their dev questions (`../shared/benchmarks/<name>/questions-dev.jsonl`)
  and the conversations `eval.conversations` generates from them, over `index.<name>/`
  (`make bench-suite` builds the indexes and generates the conversations).

A corpus whose index is missing is skipped with a note, not an error.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from .split import CHECK, TUNE, split

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT.parent / "shared" / "benchmarks"
GENERATED = ROOT / "eval" / "generated"
ROWS = ("evidence_quoted@120w", "gold_evidence_quoted@120w", "gold_recall@10", "abstain_unanswerable",
        "false_abstain", "latency_p50_ms")


@dataclass(frozen=True)
class QuestionSet:
    name: str
    index: Path
    questions: Path


def question_sets(root: Path = ROOT, benchmarks: Path = BENCHMARKS, generated: Path = GENERATED) -> list[QuestionSet]:
    sets = [QuestionSet("footdrop", root / "index", root / "eval" / "questions.jsonl")]
    for name in ("covidqa", "medquad"):
        index = root / f"index.{name}"
        sets.append(QuestionSet(name, index, benchmarks / name / "questions-dev.jsonl"))
        sets.append(QuestionSet(f"{name}-conv", index, generated / f"conversations-{name}.jsonl"))
    return sets


def run_suite(sets: list[QuestionSet], *, parts: tuple[str, ...] = (TUNE, CHECK), progress: bool = False,
              limit: int = 0, settings=None) -> dict[str, dict[str, float]]:
    """{"<set>·<part>": metrics} for the shipped configuration (or `settings`, a `qa.Settings`, for
    an ablation); engines are loaded once per index."""
    import qa

    from .__main__ import evaluate
    from .questions import load_questions
    from .run import CONFIGS, SHIPPED

    engines: dict[Path, object] = {}
    results: dict[str, dict[str, float]] = {}
    for qs in sets:
        if not (qs.index / "current").exists() or not qs.questions.exists():
            print(f"skipped {qs.name}: {qs.index if not (qs.index / 'current').exists() else qs.questions} "
                  "not found (make bench-suite)", file=sys.stderr)
            continue
        if qs.index not in engines:
            engines[qs.index] = qa.load(qs.index, settings=settings) if settings else qa.load(qs.index)
        questions = split(load_questions(qs.questions))
        for part in parts:
            chosen = questions[part][:limit] if limit else questions[part]
            if chosen:
                metrics, _, _ = evaluate(engines[qs.index], chosen, progress=progress, configs={SHIPPED: CONFIGS[SHIPPED]})
                results[f"{qs.name}·{part}"] = {**metrics[SHIPPED], "questions": float(len(chosen))}
    return results


def compact_table(results: dict[str, dict[str, float]], metrics: tuple[str, ...] = ROWS) -> str:
    """One line per set and part, one column per metric ("–" where a set has no such figure)."""
    import math

    heads = ("set·part", "n") + tuple(m.replace("evidence_quoted", "ev_q").replace("unanswerable", "unans")
                                     for m in metrics)
    width = max([len(k) for k in results] + [8])
    lines = [heads[0].ljust(width) + "  " + "  ".join(h.rjust(max(len(h), 6)) for h in heads[1:])]
    for key, m in results.items():
        cells = [str(int(m.get("questions", 0))).rjust(max(len(heads[1]), 6))]
        for metric, head in zip(metrics, heads[2:]):
            v = m.get(metric, float("nan"))
            text = "–" if math.isnan(v) else \
                (f"{v:.1f}" if metric.endswith("_ms") else f"{v:.3f}")
            cells.append(text.rjust(max(len(head), 6)))
        lines.append(key.ljust(width) + "  " + "  ".join(cells))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.suite", description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=(TUNE, CHECK, "both"), default=TUNE,
                        help="which part to score (default: the tuning part; read the check part once, at the end)")
    parser.add_argument("--sets", nargs="*", help="only these sets (footdrop, covidqa, covidqa-conv, medquad, medquad-conv)")
    parser.add_argument("--limit", type=int, default=0, help="at most this many questions per set and part")
    parser.add_argument("--json", type=Path, help="also write the metrics here")
    args = parser.parse_args(argv)

    import os

    from qa.embed import OFFLINE_ENV

    os.environ.update(OFFLINE_ENV)
    parts = (TUNE, CHECK) if args.part == "both" else (args.part,)
    sets = [s for s in question_sets() if not args.sets or s.name in args.sets]
    results = run_suite(sets, parts=parts, progress=sys.stderr.isatty(), limit=args.limit)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(compact_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
