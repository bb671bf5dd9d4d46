"""The locked tuning / check split and the generated conversations (eval/split.py,
eval/conversations.py): stable, by article, and turns that say what the rule says."""

from __future__ import annotations

import json
import subprocess
import sys

from eval.conversations import dropped_form, generate, pronoun_form, shared_phrases
from eval.questions import Question, load_questions
from eval.split import CHECK, part_of, split
from tests.conftest import ROOT, require_covidqa

STOP = frozenset("what is the of in for are how does do a".split())


def _q(id_: str, text: str, doc: str | None, answerable: bool = True, history: tuple[str, ...] = ()) -> Question:
    return Question(id_, text, history, ("e",) if answerable else (), answerable, doc_id=doc)


def test_the_split_keeps_each_article_and_each_conversation_on_one_side():
    questions = [_q(f"q{n}", f"question {n}?", str(n % 1000)) for n in range(3000)]
    parts = split(questions)
    sides = {}
    for part, qs in parts.items():
        for q in qs:
            assert sides.setdefault(q.doc_id, part) == part
    share = len({q.doc_id for q in parts[CHECK]}) / 1000
    assert 0.25 < share < 0.35  # about 30% of the articles, by a hash (so not exactly)
    first = _q("a", "What brace?", None)
    follow = _q("b", "Can it be bought?", None, history=("What brace?",))
    assert part_of(first) == part_of(follow)
    assert split(questions) == parts  # the same every time: nothing random


def test_pronoun_and_dropped_turns_replace_only_a_whole_name():
    assert shared_phrases("What causes bovine coronavirus?", "How big is bovine coronavirus?", STOP)[0] == \
        "bovine coronavirus"
    assert pronoun_form("What is the size of the orf1ab gene in bovine coronavirus?", "bovine coronavirus", STOP) \
        == "What is the size of the orf1ab gene in it?"
    assert pronoun_form("Which age group had bovine coronavirus infections?", "bovine coronavirus", STOP) is None
    assert pronoun_form("What are the clinical symptoms of human adenovirus type 55 (HAdV-55)?",
                        "human adenovirus type 55", STOP) == "What are the clinical symptoms of it?"
    assert dropped_form("What are the risk factors in childhood pneumonia?", "childhood pneumonia", STOP) == \
        "What are the risk factors?"
    assert dropped_form("Is childhood pneumonia common?", "childhood pneumonia", STOP) is None


def test_generated_turns_follow_the_rule():
    texts = {"x-1": "mers is a coronavirus. the incubation period of mers is 5 days. camels carry mers.",
             "x-2": "influenza spreads in winter.", "x-3": "bats roost in caves.", "x-4": "ticks carry disease.",
             "x-5": "malaria is common.", "x-6": "measles is contagious."}
    questions = [_q("a", "What animal carries MERS?", "1"), _q("b", "What is the incubation period of MERS?", "1"),
                 _q("c", "When does influenza spread?", "2"), _q("d", "Where do bats roost?", "3"),
                 _q("u", "What dose of allopurinol treats gout?", None, answerable=False)]
    turns = {t.question.id: t for t in generate(questions, texts)}
    by_kind = {}
    for t in turns.values():
        by_kind.setdefault(t.kind, []).append(t.question)
    assert [(q.history, q.question) for q in by_kind["pronoun"]] == \
        [(("What animal carries MERS?",), "What is the incubation period of it?")]
    assert [q.question for q in by_kind["dropped"]] == ["What is the incubation period?"]
    assert all(q.doc_id == "1" and q.evidence == ("e",) for q in by_kind["pronoun"] + by_kind["dropped"])
    off = by_kind["offcorpus"]
    assert len(off) == 1 and not off[0].answerable and off[0].history
    assert all(q.history[0] != q.question for q in by_kind.get("switch", []))


def test_the_generator_writes_question_records_from_the_covidqa_dev_half(tmp_path):
    bench = require_covidqa()
    out = tmp_path / "conv.jsonl"
    done = subprocess.run([sys.executable, "-m", "eval.conversations", "--questions", str(bench / "questions-dev.jsonl"),
                           "--corpus", str(bench / "corpus"), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    turns = load_questions(out)  # every line is a valid question record
    kinds = [json.loads(line)["kind"] for line in out.read_text().splitlines()]
    assert len(turns) >= 200 and {"pronoun", "dropped", "triple", "switch", "offcorpus"} <= set(kinds)
    assert all(t.history for t in turns)
    assert all(" it" in t.question or "It " in t.question or "its" in t.question
               for t, k in zip(turns, kinds) if k == "pronoun")
