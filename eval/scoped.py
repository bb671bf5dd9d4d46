"""Questions scoped to their own article beside the same questions asked of every article.

`python -m eval.scoped [--questions Q.jsonl] [--index DIR]` asks each question of a set whose
questions name their article (`doc_id`: COVID-QA's) twice through the shipped engine: as it is,
and scoped to that article (`Engine.ask(..., articles=(id,))`, what "Ask about this article"
does on the page), and prints evidence quoted within 120 words and the abstentions of both. The
questions whose `doc_id` names no indexed article are left out of both columns.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

COVIDQA_DEV = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "covidqa" / "questions-dev.jsonl"
SHOWN = ("evidence_quoted@120w", "evidence_quoted", "answer_token_recall@120w", "false_abstain",
         "abstain_unanswerable", "latency_p50_ms")


def scoped_runs(engine, questions) -> tuple[list, dict, dict]:
    """(the questions with a gold article, their outcomes unscoped, their outcomes scoped to it)."""
    from .questions import gold_article
    from .run import outcome

    articles = list(engine.articles)
    kept = [(q, gold) for q in questions if (gold := gold_article(q.doc_id, articles)) is not None]
    engine.ask(kept[0][0].question)  # warm-up: first-call costs stay out of the latency
    plain = {q.id: outcome(q, engine.ask(q.question, list(q.history))) for q, _ in kept}
    scoped = {q.id: outcome(q, engine.ask(q.question, list(q.history), (gold,))) for q, gold in kept}
    return [q for q, _ in kept], plain, scoped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.scoped", description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=COVIDQA_DEV)
    parser.add_argument("--index", type=Path, default=Path("index.covidqa"))
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    from qa.embed import OFFLINE_ENV

    os.environ.update(OFFLINE_ENV)  # before the model library is imported
    import qa

    from .metrics import answer_metrics
    from .questions import load_questions

    questions, plain, scoped = scoped_runs(qa.load(args.index), load_questions(args.questions))
    if not questions:
        print(f"no question of {args.questions} names an article of {args.index} (doc_id)", file=sys.stderr)
        return 2
    figures = {"questions": len(questions), "answerable": sum(q.answerable for q in questions),
               "all articles": answer_metrics(questions, plain), "own article": answer_metrics(questions, scoped)}
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"{figures['questions']} questions ({figures['answerable']} answerable) of {args.questions.name}, "
          f"index {args.index}")
    print(f"{'metric':<28}{'all articles':>14}{'own article':>14}")
    for name in SHOWN:
        print(f"{name:<28}{figures['all articles'][name]:>14.3f}{figures['own article'][name]:>14.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
