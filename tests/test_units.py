"""Pure pieces of the answer engine, on small hand-made inputs."""

from __future__ import annotations

import numpy as np
import pytest

from qa.engine import clean_question
from qa.followup import FollowUpResolver
from qa.fusion import rrf
from qa.lexicon import expansions, make_lexicon, parse_lexicon
from qa.quotes import QuoteParams, is_lead_in, points_back, score_sentences, select_quotes
from qa.index.records import Chunk, Sentence
from qa.present import escape_md, render_markdown
from qa.verbatim import is_verbatim


def test_rrf_rewards_agreement_and_keeps_single_list_order():
    fused = rrf([["a", "b", "c"], ["c", "a"]], k=60)
    assert [item for item, _ in fused] == ["a", "c", "b"]
    assert rrf([["x", "y"]]) == [("x", 1 / 61), ("y", 1 / 62)]
    with pytest.raises(ValueError):
        rrf([["a"]], weights=[1.0, 2.0])


def test_lexicon_matches_abbreviations_case_sensitively_and_phrases_loosely():
    lex = make_lexicon([["AFO", "ankle-foot orthosis", "brace"], ["US", "ultrasonography"]])
    assert expansions("Does an AFO help?", lex) == ["ankle-foot orthosis", "brace"]
    assert expansions("does an afo help?", lex) == []  # lowercase "afo" is not the abbreviation
    assert expansions("Are ankle foot orthoses useful?", lex) == []  # "orthoses" is not a plural form we add
    assert expansions("Which ankle foot orthosis?", lex) == ["AFO", "brace"]
    assert expansions("Which braces work?", lex) == ["AFO", "ankle-foot orthosis"]
    assert expansions("Tell us about it", lex) == []


def test_lexicon_file_is_validated():
    assert parse_lexicon("- [EMG, electromyography]\n").size == 1
    with pytest.raises(ValueError, match="list of term lists"):
        parse_lexicon("EMG: electromyography\n")


def test_shipped_lexicon_covers_the_abbreviations_clinicians_use():
    from tests.conftest import CORPUS

    lex = parse_lexicon((CORPUS / "lexicon.yaml").read_text(encoding="utf-8"))
    for abbreviation, meaning in [("AFO", "ankle-foot orthosis"), ("EMG", "electromyography"),
                                  ("NCS", "nerve conduction studies"), ("CIDP", "chronic inflammatory demyelinating polyneuropathy"),
                                  ("CMAP", "compound muscle action potential"), ("FES", "functional electrical stimulation")]:
        assert meaning in expansions(f"What about {abbreviation}?", lex)


def test_followup_detection_and_topic_carrying():
    r = FollowUpResolver()
    res = r.resolve("How long does that take?", ["What brace is used for foot drop?"])
    assert res.followup and "brace" in res.query and "foot" in res.query
    assert res.query.startswith("How long does that take?")
    assert not r.resolve("What are the surgical options for foot drop in adults?", ["What causes foot drop?"]).followup
    assert not r.resolve("And for children?", []).followup  # no history: nothing to carry
    # the topic restarts at the latest self-contained question
    res = r.resolve("And after that?", ["What causes foot drop?", "How is CIDP treated with immunotherapy?"])
    assert "CIDP" in res.query and "causes" not in res.query


def _toy():
    chunks = {
        "a#0": Chunk("a#0", "a", 0, ("S",), "paragraph", "", 0, 0),
        "a#1": Chunk("a#1", "a", 1, ("S",), "item", "", 0, 0, lead_in="Options include:"),
        "b#0": Chunk("b#0", "b", 0, ("T",), "paragraph", "", 0, 0),
    }
    texts = [("a#0", "a", "Braces help walking."), ("a#0", "a", "This reduces falls."),
             ("a#0", "a", "Some options include:"), ("a#1", "a", "Tendon transfer"),
             ("b#0", "b", "An orthosis is the cornerstone."), ("b#0", "b", "Braces help walking!")]
    sentences = [Sentence(i, c, a, t, 0, 0) for i, (c, a, t) in enumerate(texts)]
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(len(texts), 8)).astype(np.float32)
    vecs[5] = vecs[0] + 0.01  # a near-duplicate of sentence 0
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    return chunks, sentences, vecs


def test_select_quotes_orders_by_score_and_skips_near_duplicates_and_bare_lead_ins():
    chunks, sentences, vecs = _toy()
    rows = list(range(6))
    scores = np.array([0.9, 0.5, 0.95, 0.6, 0.7, 0.89])
    picked = select_quotes(rows, scores, vecs, sentences, chunks, QuoteParams(margin=0.5))
    flat = [r for s in picked for r in s.rows]
    assert 2 not in flat, "a bare lead-in line was quoted on its own"
    assert 5 not in flat, "a near-duplicate of sentence 0 was quoted"
    assert picked[0].rows == (0, 1)  # sentence 1 ("This reduces falls.") continues sentence 0
    assert [s.score for s in picked] == sorted((s.score for s in picked), reverse=True)


def test_select_quotes_keeps_the_antecedent_of_a_sentence_that_points_back():
    chunks, sentences, vecs = _toy()
    picked = select_quotes([1], np.array([0.9]), vecs, sentences, chunks, QuoteParams())
    assert picked[0].rows == (0, 1)


def test_select_quotes_respects_count_budget_and_margin():
    chunks, sentences, vecs = _toy()
    rows = [0, 1, 3, 4]
    scores = np.array([0.9, 0.85, 0.8, 0.1])
    assert len(select_quotes(rows, scores, vecs, sentences, chunks, QuoteParams(max_quotes=1))) == 1
    picked = select_quotes(rows, scores, vecs, sentences, chunks, QuoteParams(margin=0.3, other_article_margin=0.0))
    assert all(s.score >= 0.6 for s in picked)
    tight = select_quotes(rows, scores, vecs, sentences, chunks, QuoteParams(word_budget=4))
    assert sum(len(sentences[r].text.split()) for s in tight for r in s.rows) <= 7  # the first is always kept


def test_select_quotes_adds_the_other_article_when_it_is_nearly_as_good():
    chunks, sentences, vecs = _toy()
    picked = select_quotes([0, 3, 4], np.array([0.9, 0.88, 0.85]), vecs, sentences, chunks,
                           QuoteParams(margin=0.01, other_article_margin=0.1))
    assert {sentences[s.rows[0]].article_id for s in picked} == {"a", "b"}


def test_scoring_blends_cosine_lexical_and_rank():
    s = score_sentences(np.array([0.5, 0.5, 0.5]), np.array([1.0, 0.5, 0.0]), [0, 0, 1],
                        QuoteParams(lexical_weight=0.2, rank_bonus=0.1))
    assert s[0] > s[1] > s[2]
    assert np.allclose(s, [0.5 + 0.2 + 0.1, 0.5 + 0.1 + 0.1, 0.5 + 0.05])


def test_helpers():
    assert is_lead_in("Surgical options include:") and not is_lead_in("Nerve transfers")
    assert points_back("These devices can help.") and not points_back("Devices help.")
    assert is_verbatim("foot  drop", "Foot drop and foot drop.") is True
    assert is_verbatim("drop foot", "Foot drop.") is False
    assert is_verbatim("Foot", "Foot drop", 0, 4) is True and is_verbatim("Foot", "Foot drop", 1, 5) is False
    assert clean_question("  what\x00 is\u200b\tAFO\n ") == "what is AFO"


def test_rendering_escapes_user_text_and_ends_with_the_disclaimer():
    from qa import Answer

    md = render_markdown(Answer(question="q", query="<img src=x onerror=alert(1)> *bold*", status="invalid",
                                message="m", quotes=(), sources=(), passages=(), disclaimer="DISCLAIMER TEXT",
                                followup=True))
    assert "<img" not in md and "&lt;img" in md and "\\*bold\\*" in md
    assert md.rstrip().endswith("*DISCLAIMER TEXT*")
    assert escape_md("[link](http://x)") == "\\[link\\]\\(http://x\\)"


def test_a_sentence_continuing_a_chosen_quote_extends_it():
    chunks, sentences, vecs = _toy()
    picked = select_quotes([0, 1], np.array([0.9, 0.8]), vecs, sentences, chunks, QuoteParams())
    assert [s.rows for s in picked] == [(0, 1)]


def test_candidate_bm25_and_top_k_match_the_full_computation(engine, built_index):
    from qa.index import load_store
    from qa.index.lexical import bm25_scores, bm25_scores_for, top_k

    store = load_store(built_index)
    bm25 = store.sentence_bm25
    rows = [0, 3, 7, 8, 20, 41, len(store.sentences) - 1]
    for text in ["What brace is used for foot drop?", "nerve conduction studies", "zzz unknown"]:
        tokens = engine.tokenize([text])[0]
        assert np.allclose(bm25_scores_for(bm25, tokens, rows), bm25_scores(bm25, tokens)[rows])
    scores = np.array([0.0, 3.0, 1.0, 3.0, 0.5, 0.0])
    assert top_k(scores, 3).tolist() == [1, 3, 2]
    assert top_k(scores, 10).tolist() == [1, 3, 2, 4]
    assert top_k(np.zeros(3), 2).tolist() == []
