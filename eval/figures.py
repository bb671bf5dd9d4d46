"""`python -m eval.figures [--index index.covidqa] [--labels FILE] [--show]`: the "different
figures" and "N articles agree" flags (`qa.figures`) scored on a labeled set.

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
- false flags: questions labeled "single" or "agree" (one consistent value) flagged "different".
"""

from __future__ import annotations

import argparse
import json
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
    articles: tuple[str, ...]  # the articles the label's values come from

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
        items.append(Labeled(row["id"], row["question"], row["measure"], row["label"],
                             tuple(v["article"] for v in row.get("values", ()))))
    return items


def flagged(engine, items: Sequence[Labeled]) -> list[str]:
    """What each answer says: "different", "agree" or "" (neither)."""
    answers = [engine.ask(item.question) for item in items]
    return ["different" if a.differences else "agree" if a.agreement else "" for a in answers]


def _ratio(hits: int, total: int) -> float | None:
    return round(hits / total, 3) if total else None


def score(items: Sequence[Labeled], flags: Sequence[str]) -> dict[str, float | int | None]:
    pairs = list(zip(items, flags))
    out: dict[str, float | int | None] = {"questions": len(pairs)}
    for kind in ("different", "agree"):
        said = [i for i, f in pairs if f == kind]
        labeled = [i for i, _ in pairs if i.label == kind]
        out[f"{kind}_precision"] = _ratio(sum(i.label == kind for i in said), len(said))
        out[f"{kind}_recall"] = _ratio(sum(f == kind for i, f in pairs if i.label == kind), len(labeled))
        out[f"{kind}_flagged"], out[f"{kind}_labeled"] = len(said), len(labeled)
    out["false_flags"] = sum(f == "different" and i.label != "different" for i, f in pairs)
    out["consistent"] = sum(i.label != "different" for i, _ in pairs)
    return out


def evaluate(engine, items: Sequence[Labeled]) -> tuple[dict[str, dict], list[str]]:
    """Scores by part (tune, check, all) and each item's flag."""
    flags = flagged(engine, items)
    parts = {}
    for part in (TUNE, CHECK, "all"):
        chosen = [(i, f) for i, f in zip(items, flags) if part == "all" or i.part == part]
        parts[part] = score([i for i, _ in chosen], [f for _, f in chosen])
    return parts, flags


def table(parts: dict[str, dict]) -> str:
    cols = ("questions", "different_precision", "different_recall", "agree_precision", "agree_recall",
            "false_flags", "consistent")
    show = lambda v: "–" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)  # noqa: E731
    lines = ["| part | " + " | ".join(cols) + " |", "|" + "---|" * (len(cols) + 1)]
    lines += [f"| {part} | " + " | ".join(show(scores[c]) for c in cols) + " |" for part, scores in parts.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.figures", description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, default=Path("index.covidqa"))
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--show", action="store_true", help="list each question the flags got wrong")
    args = parser.parse_args(argv)
    import os

    import qa
    from qa.embed import OFFLINE_ENV

    os.environ.update(OFFLINE_ENV)
    try:
        items, engine = load_labeled(args.labels), qa.load(args.index)
    except (ValueError, OSError, qa.QuoteQAError) as exc:
        print(f"eval.figures failed: {exc}", file=sys.stderr)
        return 1
    parts, flags = evaluate(engine, items)
    print(f"{len(items)} labeled questions ({args.labels.name}), index build {engine.manifest.digest}\n")
    print(table(parts))
    if args.show:
        for item, flag in zip(items, flags):
            if (flag or "none") != {"single": "none"}.get(item.label, item.label):
                print(f"{item.part:5} {item.id:10} labeled {item.label:9} said {flag or 'nothing':9} {item.question}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
