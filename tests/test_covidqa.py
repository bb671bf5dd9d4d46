"""A slice of the outside benchmark in CI: a corpus nobody on the project wrote (COVID-QA, in
../shared/benchmarks/covidqa), so that a change that only helps the foot-drop articles cannot pass
unnoticed. Four articles, their first 50 answerable dev questions and 10 off-corpus ones; floors in
eval/floors-covidqa.json. The full benchmark is `make bench-covidqa`, not a test."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import pytest

from tests.conftest import COVIDQA, ROOT, require_covidqa

FLOORS = ROOT / "eval" / "floors-covidqa.json"
ARTICLES, ANSWERABLE, OFF_CORPUS = 4, 50, 10


@pytest.fixture(scope="module")
def covid_slice(tmp_path_factory, embedder):
    require_covidqa()
    from eval.questions import load_questions

    questions = load_questions(COVIDQA / "questions-dev.jsonl")
    asked = Counter(q.doc_id for q in questions if q.answerable)
    chosen = sorted(asked, key=lambda d: (-asked[d], d))[:ARTICLES]  # the most-asked articles
    corpus = tmp_path_factory.mktemp("covidqa") / "corpus"
    (corpus / "articles").mkdir(parents=True)
    (corpus / "originals").mkdir()
    for doc in chosen:
        shutil.copy(COVIDQA / "corpus" / "articles" / f"covidqa-{doc}.md", corpus / "articles")
        shutil.copy(COVIDQA / "corpus" / "originals" / f"{doc}.txt", corpus / "originals")
    for name in ("disclaimer.md", "lexicon.yaml"):
        shutil.copy(COVIDQA / "corpus" / name, corpus / name)
    from ingest import build_index

    index = corpus.parent / "index"
    build_index(corpus, index, quiet=True, embedder_factory=lambda: embedder)
    picked = sorted((q for q in questions if q.answerable and q.doc_id in chosen), key=lambda q: q.id)[:ANSWERABLE]
    picked += [q for q in questions if not q.answerable][:OFF_CORPUS]
    from qa import Engine
    from qa.index import load_store

    return Engine(load_store(index, model_sha256=embedder.sha256, dim=embedder.dim), embedder), picked


@pytest.mark.slow
def test_the_covidqa_slice_stays_above_its_floors(covid_slice):
    from eval.__main__ import evaluate
    from eval.run import CONFIGS, SHIPPED

    engine, questions = covid_slice
    results, shipped, _ = evaluate(engine, questions, configs={SHIPPED: CONFIGS[SHIPPED], "bm25 only": CONFIGS["bm25 only"]})
    floors = json.loads(FLOORS.read_text())
    metrics = results[SHIPPED]
    low = {m: (round(metrics[m], 3), v) for m, v in floors["min"].items() if metrics[m] < v}
    high = {m: (round(metrics[m], 3), v) for m, v in floors["max"].items() if metrics[m] > v}
    assert not low and not high, f"below floor: {low}; above ceiling: {high}"
    # the product must quote the evidence more often than plain BM25 does on a corpus nobody tuned for
    assert metrics["gold_evidence_quoted@120w"] > results["bm25 only"]["gold_evidence_quoted@120w"]
    assert all(o.disclaimer == engine.disclaimer for o in shipped.values())
