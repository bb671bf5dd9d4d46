"""`python -m eval [--questions FILE] [--index DIR] [--json] [--run-out FILE] [--report FILE]`"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DEFAULT_QUESTIONS = Path(__file__).with_name("questions.jsonl")


def evaluate(engine, questions, *, progress: bool = False, configs=None, parts: bool = False):
    """(metrics per configuration, shipped outcomes, qrels) for a loaded engine and question list;
    `configs` (name -> settings) defaults to every ablation in `eval.run.CONFIGS`. With `parts`,
    the shipped configuration is also scored on the tuning and check parts (`eval.split`)."""
    from .metrics import qrels_for, score
    from .run import CONFIGS, SHIPPED, run_configs
    from .split import split

    texts = {c.id: c.text for c in engine.chunks}
    qrels = qrels_for(questions, texts)
    gold = qrels_for(questions, texts, {c.id: c.article_id for c in engine.chunks}) \
        if any(q.doc_id for q in questions) else None
    runs = run_configs(engine, questions, configs or CONFIGS, progress=progress)
    articles = list(engine.articles)
    results = {name: score(questions, outcomes, qrels, gold, articles) for name, outcomes in runs.items()}
    if parts and SHIPPED in runs:
        for part, chosen in split(questions).items():
            if chosen:
                results[f"{SHIPPED}·{part}"] = score(chosen, runs[SHIPPED], qrels, gold, articles)
    return results, runs[SHIPPED], qrels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval", description="Score retrieval and answers on a question set.")
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--index", type=Path, default=Path("index"))
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON instead of a table")
    parser.add_argument("--run-out", type=Path, help="write one JSON line per question (shipped configuration)")
    parser.add_argument("--report", type=Path, help="write a Markdown report (and a PNG chart beside it)")
    parser.add_argument("--figures-index", type=Path, default=Path("index.covidqa"),
                        help="the COVID-QA index the different-figures labels are scored on (eval/figures.py)")
    args = parser.parse_args(argv)

    import os

    import qa
    from qa.embed import OFFLINE_ENV

    os.environ.update(OFFLINE_ENV)  # before the model library is imported
    from .questions import load_questions
    from .report import table, write_report, write_run

    try:
        questions = load_questions(args.questions)
        engine = qa.load(args.index)
    except (ValueError, OSError, qa.QuoteQAError) as exc:
        print(f"eval failed: {exc}", file=sys.stderr)
        return 1
    results, shipped, _ = evaluate(engine, questions, progress=sys.stderr.isatty(), parts=True)
    if args.run_out:
        write_run(args.run_out, shipped)
    if args.report:
        write_report(args.report, results, questions, shipped, engine.manifest.digest)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{len(questions)} questions, index build {engine.manifest.digest}; shipped·tune / shipped·check: "
              "the shipped configuration on the tuning and check parts (eval/split.py)\n")
        print(table(results))
        print("\n" + figures_section(args.figures_index))
    return 0


def figures_section(index: Path) -> str:
    """The "different figures" / "agree" flags scored on their labeled COVID-QA set (`eval.figures`),
    or how to build the index they need."""
    import qa

    from .figures import evaluate as evaluate_figures
    from .figures import load_labeled
    from .figures import table as figures_table

    if not (index / "current").exists():
        return f"Different figures: skipped, no index at {index} (`make bench-suite` builds it)."
    try:
        items = load_labeled()
        parts, _ = evaluate_figures(qa.load(index), items)
    except (ValueError, OSError, qa.QuoteQAError) as exc:
        return f"Different figures: not scored ({exc})."
    return f"Different figures and agreement, {len(items)} labeled COVID-QA questions (eval/figures.py):\n\n" \
        + figures_table(parts)


if __name__ == "__main__":
    sys.exit(main())
