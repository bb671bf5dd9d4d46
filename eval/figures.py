"""`python -m eval.figures [--index index.covidqa] [--labels FILE] [--show]`: the "different
figures" and "N articles agree" flags (`qa.figures`) scored on a labeled set; with `--cost
QUESTIONS [--repeat N]`, what the figures step costs each question's answer instead.

The labeled set (`eval/figures-covidqa.jsonl`, built by reading the COVID-QA articles; how, in
the README's "Different figures") holds questions asking for a quantity and, per question, each
article's value with its sentence: "different" when two articles' values do not overlap, "agree"
when two or more articles give overlapping values, "single" when only one article gives it.
Each question is asked of the index; the answer flags "different" when it carries `differences`,
"agree" when it carries `agreement`. Reported, on the tuning part, the check part (split by
measure with the eval's fixed seed, `eval.split`) and all:

- different precision / recall: of the questions flagged "different", the share labeled so; of
  those labeled so, the share flagged;
- agree precision / recall, the same for "agree";
- false flags: questions labeled "single" or "agree" (one consistent value) flagged "different";
- figures right: of the figures shown for a rightly flagged disagreement, the share that are
  their article's labeled value (a flag can be right while a row shows another measure).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .split import CHECK, TUNE, part_of_key

LABELS = Path(__file__).with_name("figures-covidqa.jsonl")
KINDS = ("different", "agree", "single")


@dataclass(frozen=True)
class Labeled:
    id: str
    question: str
    measure: str
    label: str  # one of KINDS
    values: tuple[tuple[str, float, float], ...]  # (article, low, high) of each labeled value; high inf: open

    @property
    def part(self) -> str:
        return part_of_key(f"measure:{self.measure.lower()}")


def load_labeled(path: Path = LABELS) -> list[Labeled]:
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row.get("label") not in KINDS:
            raise ValueError(f"{path}:{n}: label must be one of {', '.join(KINDS)}, not {row.get('label')!r}")
        values = tuple(_in_base(v) for v in row.get("values", ()))
        items.append(Labeled(row["id"], row["question"], row["measure"], row["label"], values))
    return items


@dataclass(frozen=True)
class Said:
    """What an answer says: "different", "agree" or "" (neither), and the figures it shows."""
    flag: str
    shown: tuple[tuple[str, float, float], ...] = ()  # (article, low, high) of each item


def _in_base(value: dict) -> tuple[str, float, float]:
    """(article, low, high) of a labeled value in the unit the engine compares it in (`qa.in_base`)."""
    from qa import in_base

    unit = str(value.get("unit", ""))
    high = math.inf if value["high"] is None else in_base(float(value["high"]), unit)[0]
    return value["article"], in_base(float(value["low"]), unit)[0], high


def flagged(engine, items: Sequence[Labeled]) -> list[Said]:
    said = []
    for item in items:
        answer = engine.ask(item.question)
        figures = answer.differences + answer.agreement
        shown = tuple((i.article, i.low, math.inf if i.high is None else i.high) for f in figures for i in f.items)
        said.append(Said("different" if answer.differences else "agree" if answer.agreement else "", shown))
    return said


def right_figures(item: Labeled, said: Said) -> tuple[int, int]:
    """(shown figures that match a labeled value of their article, shown figures)."""
    right = sum(any(a == article and lo <= high and low <= hi for a, low, high in item.values)
                for article, lo, hi in said.shown)
    return right, len(said.shown)


def _ratio(hits: int, total: int) -> float | None:
    return round(hits / total, 3) if total else None


def score(items: Sequence[Labeled], said: Sequence[Said]) -> dict[str, float | int | None]:
    pairs = [(i, s.flag, s) for i, s in zip(items, said)]
    out: dict[str, float | int | None] = {"questions": len(pairs)}
    for kind in ("different", "agree"):
        flagged_as = [i for i, f, _ in pairs if f == kind]
        labeled = [i for i, _, _ in pairs if i.label == kind]
        out[f"{kind}_precision"] = _ratio(sum(i.label == kind for i in flagged_as), len(flagged_as))
        out[f"{kind}_recall"] = _ratio(sum(f == kind for i, f, _ in pairs if i.label == kind), len(labeled))
        out[f"{kind}_flagged"], out[f"{kind}_labeled"] = len(flagged_as), len(labeled)
    out["false_flags"] = sum(f == "different" and i.label != "different" for i, f, _ in pairs)
    out["consistent"] = sum(i.label != "different" for i, _, _ in pairs)
    # of the figures shown for a rightly flagged disagreement, the share that are the labeled value of their article
    counts = [right_figures(i, x) for i, f, x in pairs if f == "different" == i.label]
    out["figures_right"] = _ratio(sum(r for r, _ in counts), sum(n for _, n in counts))
    return out


def evaluate(engine, items: Sequence[Labeled]) -> tuple[dict[str, dict], list[Said]]:
    """Scores by part (tune, check, all) and each item's flag."""
    flags = flagged(engine, items)
    parts = {}
    for part in (TUNE, CHECK, "all"):
        chosen = [(i, f) for i, f in zip(items, flags) if part == "all" or i.part == part]
        parts[part] = score([i for i, _ in chosen], [f for _, f in chosen])
    return parts, flags


def table(parts: dict[str, dict]) -> str:
    cols = ("questions", "different_precision", "different_recall", "figures_right", "agree_precision",
            "agree_recall", "false_flags", "consistent")
    show = lambda v: "–" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)  # noqa: E731
    lines = ["| part | " + " | ".join(cols) + " |", "|" + "---|" * (len(cols) + 1)]
    lines += [f"| {part} | " + " | ".join(show(scores[c]) for c in cols) + " |" for part, scores in parts.items()]
    return "\n".join(lines)


@dataclass(frozen=True)
class Cost:
    """What the figures step costs one question: its time over the rest of the answer's."""
    question: str
    first: float  # the first time the question is asked (its sentences' words may not be cached yet)
    again: float  # the median of the later times


def read_questions(path: Path) -> list[str]:
    """The questions of a JSON-lines file (a "question" on each line), or ValueError saying what is wrong."""
    try:
        questions = [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path} is not JSON lines with a \"question\" on each ({exc})") from exc
    if not questions:
        raise ValueError(f"{path} holds no question")
    return questions


def cost(engine, questions: Sequence[str], repeat: int = 3) -> list[Cost]:
    """Each question asked `repeat` times; the step's share from the answer's own timing
    (`Answer.figures_ms` of `Answer.ms`), which a with-and-without comparison of whole answers
    cannot resolve: two identical engines' answer times differ more than the step costs."""
    import statistics

    out = []
    for question in questions:
        shares = []
        for _ in range(max(repeat, 2)):
            answer = engine.ask(question)
            shares.append(answer.figures_ms / max(answer.ms - answer.figures_ms, 1e-6))
        out.append(Cost(question, shares[0], statistics.median(shares[1:])))
    return out


def cost_report(costs: Sequence[Cost]) -> str:
    from .metrics import percentile

    lines = [f"{len(costs)} questions: the figures step's time over the rest of the answer's"]
    for name in ("first", "again"):
        shares = [getattr(c, name) for c in costs]
        lines.append(f"  {name:5}: mean {sum(shares) / len(shares):.4f}, p50 {percentile(shares, 50):.4f}, "
                     f"p95 {percentile(shares, 95):.3f}, max {max(shares):.3f}; over 0.1: {sum(x > 0.1 for x in shares)}")
    lines += [f"  worst: {c.first:.3f} first, {c.again:.3f} again  {c.question[:90]}"
              for c in sorted(costs, key=lambda c: c.first)[-3:]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.figures", description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, default=Path("index.covidqa"))
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--show", action="store_true", help="list each question the flags got wrong")
    parser.add_argument("--cost", type=Path, metavar="QUESTIONS",
                        help="instead, time the figures step on each question of this JSONL file")
    parser.add_argument("--repeat", type=int, default=3, help="with --cost: times each question is asked (at least 2)")
    args = parser.parse_args(argv)
    import os

    import qa
    from qa.embed import OFFLINE_ENV

    os.environ.update(OFFLINE_ENV)
    try:
        items, engine = load_labeled(args.labels), qa.load(args.index)
        questions = read_questions(args.cost) if args.cost else []
    except (ValueError, OSError, qa.QuoteQAError) as exc:
        print(f"eval.figures failed: {exc}", file=sys.stderr)
        return 1
    if args.cost:
        engine.with_settings(figures=False).ask(questions[0])  # the model's first call is slower than any other
        print(cost_report(cost(engine, questions, args.repeat)))
        return 0
    parts, flags = evaluate(engine, items)
    print(f"{len(items)} labeled questions ({args.labels.name}), index build {engine.manifest.digest}\n")
    print(table(parts))
    if args.show:
        for item, flag in zip(items, flags):
            if (flag.flag or "none") != {"single": "none"}.get(item.label, item.label):
                print(f"{item.part:5} {item.id:10} labeled {item.label:9} said {flag.flag or 'nothing':9} {item.question}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
