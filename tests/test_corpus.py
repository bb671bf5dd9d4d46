"""The corpus as indexed: verbatim sentences, no page furniture, structure and reference markers."""

from __future__ import annotations

import json

import pytest

from ingest import load_corpus
from ingest.parse import strip_markers
from tests.conftest import CORPUS

FURNITURE = [
    "Rate author", "Add a comment", "Personalize", "Help us tailor your experience",
    "Which best describes you?", "Article Review Status", "Submitted", "Under Review", "Approved",
    "Have a follow-up question?", "Our Medical A.I.", "Professional Medical Disclaimer",
    "Dr.Oracle assumes no liability", "View editorial policy", "Medical Advisory Board",
]


def collapse(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def records(built_index):
    build = built_index / "current"
    read = lambda name: [json.loads(l) for l in (build / name).read_text(encoding="utf-8").splitlines()]
    return read("articles.jsonl"), read("chunks.jsonl"), read("sentences.jsonl")


def test_every_indexed_sentence_is_verbatim_in_its_original_capture(records):
    articles, chunks, sentences = records
    originals = {}
    for article in articles:
        src = (CORPUS / article["source_file"]).read_text(encoding="utf-8")
        original_name = next(l.split(":", 1)[1].strip() for l in src.splitlines() if l.startswith("original:"))
        originals[article["id"]] = collapse((CORPUS / original_name).read_text(encoding="utf-8"))
    assert len(sentences) > 50
    for s in sentences:
        assert collapse(s["text"]) in originals[s["article_id"]], s["text"]
    for c in chunks:
        if c["lead_in"]:
            assert collapse(c["lead_in"]) in originals[c["article_id"]]


def test_offsets_point_at_the_sentence_in_the_article_text(records):
    articles, chunks, sentences = records
    text = {a["id"]: a["text"] for a in articles}
    for s in sentences:
        assert text[s["article_id"]][s["start"]:s["end"]] == s["text"]
    for c in chunks:
        assert text[c["article_id"]][c["start"]:c["end"]] == c["text"]


def test_no_page_furniture_is_indexed(records):
    articles, chunks, _ = records
    indexed = " ".join(c["text"] + " " + (c["lead_in"] or "") for c in chunks)
    indexed += " ".join(a["text"] for a in articles)
    for phrase in FURNITURE:
        assert phrase not in indexed, phrase


def test_site_disclaimer_is_metadata_not_text(records):
    articles, _, _ = records
    oracle = next(a for a in articles if a["publisher"] == "Dr.Oracle")
    assert "intended for healthcare professionals" in oracle["site_disclaimer"]
    assert "intended for healthcare professionals" not in oracle["text"]


def test_chunks_carry_title_section_and_lead_in(records):
    articles, chunks, _ = records
    titles = {a["id"]: a["title"] for a in articles}
    assert all(c["article_id"] in titles for c in chunks)
    by_text = {c["text"]: c for c in chunks}
    assert by_text["Nerve transfers"]["lead_in"] == "Surgical options include:"
    assert by_text["Nerve transfers"]["section"][-1] == "Surgical Considerations"
    assert by_text["Numbness or tingling in the foot or leg"]["lead_in"] == "Other symptoms may include:"
    heel = next(c for c in chunks if c["text"].startswith("Heel raises"))
    assert heel["lead_in"] == "These exercises include:"
    assert heel["section"] == ["Foot Drop Exercises at Home"]
    # an item whose list has no lead-in line stands alone
    afo = next(c for c in chunks if c["text"].startswith("An ankle-foot orthosis (AFO) is the cornerstone"))
    assert afo["lead_in"] is None


def test_reference_markers_are_metadata_not_quotable_text(records):
    articles, _, sentences = records
    cornerstone = next(s for s in sentences if s["text"].startswith("An ankle-foot orthosis (AFO) is the cornerstone"))
    assert cornerstone["text"].endswith("of any cause")
    assert cornerstone["refs"] == ["1"]
    multi = next(s for s in sentences if s["text"].startswith("Foot drop is a common neurological symptom"))
    assert multi["refs"] == ["2", "1"]
    oracle = next(a for a in articles if a["publisher"] == "Dr.Oracle")
    assert oracle["references"]["1"].startswith("Foot drop: where, why and what to do?")
    assert "[^" not in oracle["text"]


def test_strip_markers_keeps_positions():
    assert strip_markers("Most patients improve [^1]") == ("Most patients improve", ((21, "1"),))
    assert strip_markers("no markers") == ("no markers", ())


def test_corpus_loads_into_one_record_shape():
    articles = load_corpus(CORPUS)
    assert {a.article.publisher for a in articles} == {"Symptom Database", "Dr.Oracle"}
    for a in articles:
        assert a.article.title and a.chunks
        assert all(c.article_id == a.article.id for c in a.chunks)
