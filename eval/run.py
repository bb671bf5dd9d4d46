"""Run a question set through the engine, once per configuration (the ablations)."""

from __future__ import annotations

from typing import Mapping, Sequence

from .metrics import Outcome
from .questions import Question

SHIPPED = "shipped"
# Ablations, from the simplest retrieval to what ships (hybrid + lexicon + follow-up handling).
CONFIGS: dict[str, dict[str, bool]] = {
    "bm25 only": dict(dense=False, bm25=True, lexicon=False, followup=False),
    "dense only": dict(dense=True, bm25=False, lexicon=False, followup=False),
    "hybrid": dict(dense=True, bm25=True, lexicon=False, followup=False),
    "hybrid+lexicon": dict(dense=True, bm25=True, lexicon=True, followup=False),
    SHIPPED: dict(dense=True, bm25=True, lexicon=True, followup=True),
}


def outcome(question: Question, answer) -> Outcome:
    return Outcome(
        id=question.id,
        query=answer.query,
        passage_ids=tuple(p.chunk_id for p in answer.passages),
        passages=tuple(p.text for p in answer.passages),
        quotes=tuple(f"{q.lead_in} {q.text}" if q.lead_in else q.text for q in answer.quotes),
        abstained=answer.abstained,
        disclaimer=answer.disclaimer,
        ms=answer.ms,
        quote_articles=tuple(q.article_id for q in answer.quotes),
    )


def run_questions(engine, questions: Sequence[Question], *, progress: bool = False, desc: str = "") -> dict[str, Outcome]:
    from tqdm import tqdm

    engine.ask(questions[0].question, list(questions[0].history))  # warm-up: keep first-call costs out of latency
    out = {}
    for q in tqdm(questions, desc=desc, disable=not progress, leave=False):
        out[q.id] = outcome(q, engine.ask(q.question, list(q.history)))
    return out


def run_configs(engine, questions: Sequence[Question], configs: Mapping[str, Mapping[str, bool]] = CONFIGS,
                *, progress: bool = False) -> dict[str, dict[str, Outcome]]:
    return {name: run_questions(engine.with_settings(**flags), questions, progress=progress, desc=name)
            for name, flags in configs.items()}
