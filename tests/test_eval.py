"""The eval suite: a valid question set, the regression floor, and the files it writes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from eval.__main__ import DEFAULT_QUESTIONS, evaluate
from eval.questions import contains_evidence, load_questions, normalise
from tests.conftest import ROOT

FLOORS = ROOT / "eval" / "floors.json"


@pytest.fixture(scope="module")
def questions():
    return load_questions(DEFAULT_QUESTIONS)


def test_question_set_shape(questions):
    assert len(questions) >= 60
    assert sum(q.followup and q.answerable for q in questions) >= 15
    assert sum(not q.answerable for q in questions) >= 10
    assert len({q.id for q in questions}) == len(questions)


def test_every_evidence_span_is_verbatim_in_some_indexed_chunk(questions, engine):
    chunks = [c.text for c in engine.chunks]
    for q in questions:
        for span in q.evidence:
            assert any(contains_evidence(text, (span,)) for text in chunks), (q.id, span)


def test_questions_cover_every_section_of_every_article(questions, engine):
    sections = {(c.article_id, c.section[-1] if c.section else "") for c in engine.chunks}
    covered = set()
    for q in questions:
        for c in engine.chunks:
            if contains_evidence(c.text, q.evidence):
                covered.add((c.article_id, c.section[-1] if c.section else ""))
    missing = sections - covered
    assert len(missing) <= 2, sorted(missing)  # the opening lines and a conclusion may go unasked


def test_question_file_errors_name_the_line(tmp_path):
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"id": "a", "question": "x", "answerable": true, "evidence": ["y"]}\n{"id": "a", "question": "z", "answerable": false}\n')
    with pytest.raises(ValueError, match=r"q.jsonl:2: duplicate id"):
        load_questions(bad)
    bad.write_text('{"question": "no id"}\n')
    with pytest.raises(ValueError, match=r"q.jsonl:1"):
        load_questions(bad)


def test_span_matching_ignores_case_punctuation_and_whitespace():
    assert normalise("  Ankle-Foot\nOrthosis. ") == "ankle foot orthosis"
    assert contains_evidence("An ankle-foot orthosis (AFO) is used.", ("ANKLE FOOT ORTHOSIS (afo)",))
    assert not contains_evidence("An ankle-foot orthosis", ("foot orthosis afo",))


@pytest.mark.slow
def test_shipped_configuration_stays_above_the_floors(questions, engine):
    results, shipped, _ = evaluate(engine, questions)
    floors = json.loads(FLOORS.read_text())
    metrics = results["shipped"]
    low = {m: (metrics[m], v) for m, v in floors["min"].items() if metrics[m] < v}
    high = {m: (metrics[m], v) for m, v in floors["max"].items() if metrics[m] > v}
    assert not low and not high, f"below floor: {low}; above ceiling: {high}"
    # the shipped configuration must beat each single retriever on ranking
    for ablation in ("bm25 only", "dense only"):
        assert metrics["mrr@10"] > results[ablation]["mrr@10"]
        assert metrics["evidence_quoted"] > results[ablation]["evidence_quoted"]
    # every answer ends with the disclaimer
    assert all(o.disclaimer == engine.disclaimer for o in shipped.values())


@pytest.mark.slow
def test_cli_writes_run_report_and_chart(built_index, tmp_path):
    run_out, report = tmp_path / "run.jsonl", tmp_path / "report.md"
    proc = subprocess.run([sys.executable, "-m", "eval", "--index", str(built_index), "--run-out", str(run_out),
                           "--report", str(report)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "recall@10" in proc.stdout and "shipped" in proc.stdout
    rows = [json.loads(line) for line in run_out.read_text().splitlines()]
    assert len(rows) == len(load_questions(DEFAULT_QUESTIONS))
    assert set(rows[0]) == {"id", "query", "passages", "quotes", "quote_articles", "abstained", "disclaimer", "ms"}
    text = report.read_text()
    assert "| metric |" in text and "## Misses" in text
    png = report.with_suffix(".png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
