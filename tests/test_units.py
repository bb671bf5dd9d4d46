"""Pure pieces of the answer engine, on small hand-made inputs."""

from __future__ import annotations

import numpy as np
import pytest

from qa.reading import clean_question
from qa.followup import FollowUpResolver
from qa.lexicon import expansions, make_lexicon, parse_lexicon
from qa.quotes import QuoteParams, is_lead_in, points_back, select_windows
from qa.index.records import Chunk, Sentence
from qa.present import escape_md, render_markdown
from qa.verbatim import is_verbatim


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
    """Two articles: a paragraph, a lead-in paragraph with a list item, and another article."""
    chunks = {
        "a#0": Chunk("a#0", "a", 0, ("S",), "paragraph", "", 0, 0, block=0),
        "a#1": Chunk("a#1", "a", 1, ("S",), "item", "", 0, 0, lead_in="Options include:", block=1),
        "b#0": Chunk("b#0", "b", 0, ("T",), "paragraph", "", 0, 0, block=0),
    }
    texts = [("a#0", "a", "Braces help walking."), ("a#0", "a", "This reduces falls."),
             ("a#0", "a", "Some options include:"), ("a#1", "a", "Tendon transfer"),
             ("b#0", "b", "An orthosis is the cornerstone."), ("b#0", "b", "Braces help walking in most patients.")]
    sentences = [Sentence(i, c, a, t, 0, 0) for i, (c, a, t) in enumerate(texts)]
    from qa.index.windows import make_windows

    return chunks, sentences, make_windows(sentences, chunks)


def _window(windows, first, length):
    return int(next(k for k, (f, n) in enumerate(windows) if f == first and n == length))


def test_windows_stay_inside_one_paragraph_and_the_word_limit():
    chunks, sentences, windows = _toy()
    pairs = {(int(f), int(n)) for f, n in windows}
    assert (0, 1) in pairs and (0, 2) in pairs and (0, 3) in pairs
    assert (2, 2) not in pairs, "a window crossed from a paragraph into a list item"
    assert (3, 2) not in pairs, "a window crossed into another article"
    from qa.index.windows import make_windows

    short = {(int(f), int(n)) for f, n in make_windows(sentences, chunks, max_words=6)}
    assert (0, 2) in short and (0, 3) not in short  # 6 words fit, 9 do not


def test_selection_walks_windows_best_first_and_skips_bare_lead_ins():
    chunks, sentences, windows = _toy()
    ranked = [_window(windows, 2, 1), _window(windows, 4, 1), _window(windows, 3, 1)]
    picked = select_windows(ranked, [3.0, 2.0, 1.0], windows, sentences, chunks, QuoteParams(article_order=False))
    flat = [r for sel in picked for r in sel.rows]
    assert 2 not in flat, "a bare lead-in line was quoted on its own"
    assert [sel.rows for sel in picked] == [(4,), (3,)]


def test_selection_brings_the_antecedent_and_merges_touching_spans():
    chunks, sentences, windows = _toy()
    picked = select_windows([_window(windows, 1, 1)], [1.0], windows, sentences, chunks)
    assert picked[0].rows == (0, 1), "a sentence that points back lost the sentence before it"
    picked = select_windows([_window(windows, 5, 1), _window(windows, 4, 1)], [2.0, 1.0], windows, sentences, chunks)
    assert [sel.rows for sel in picked] == [(4, 5)], "touching spans of one paragraph were not merged"


def test_selection_stops_at_the_word_budget_and_the_quote_count():
    chunks, sentences, windows = _toy()
    ranked = [_window(windows, 4, 1), _window(windows, 0, 1), _window(windows, 3, 1)]
    one = select_windows(ranked, [3.0, 2.0, 1.0], windows, sentences, chunks, QuoteParams(word_budget=4))
    assert [sel.rows for sel in one] == [(4,)]  # 5 words already reach a budget of 4
    two = select_windows(ranked, [3.0, 2.0, 1.0], windows, sentences, chunks, QuoteParams(max_quotes=2))
    assert len(two) == 2


def test_quotes_are_shown_article_by_article_in_the_articles_order():
    chunks, sentences, windows = _toy()
    ranked = [_window(windows, 3, 1), _window(windows, 5, 1), _window(windows, 0, 1)]
    picked = select_windows(ranked, [3.0, 2.0, 1.0], windows, sentences, chunks)
    assert [sel.rows for sel in picked] == [(0,), (3,), (5,)]


def test_rare_unknown_words_are_rare_in_english_and_absent_from_the_articles():
    from qa.abstain import KnownStems, rare_unknown_words
    from qa.index.lexical import Tokenizer

    tokenize = Tokenizer()
    known = KnownStems(tokenize(["peroneal nerve palsy recovery with braces"])[0])
    pieces = {"allopurinol": 4, "recovry": 3, "ketoacidosis": 4}.get
    found = rare_unknown_words("Exactly what dose of allopurinol helps recovry after gout or ketoacidosis?",
                               lambda w: tokenize([w])[0], known, lambda w: pieces(w.lower(), 1))
    # "exactly", "dose", "gout" are common English (one word piece); "recovry" is one slip from "recovery"
    assert found == ["allopurinol", "ketoacidosis"]


def test_gaps_name_what_the_question_asked_for():
    from qa.gaps import missing_kinds

    assert missing_kinds("What is the success rate?", ["Surgery is an option."]) == ("number",)
    assert missing_kinds("How many repetitions a day?", ["Do 10 repetitions."]) == ()


def test_helpers():
    assert is_lead_in("Surgical options include:") and not is_lead_in("Nerve transfers")
    assert points_back("These devices can help.") and not points_back("Devices help.")
    assert is_verbatim("foot  drop", "Foot drop and foot drop.") is True
    assert is_verbatim("drop foot", "Foot drop.") is False
    assert is_verbatim("Foot", "Foot drop", 0, 4) is True and is_verbatim("Foot", "Foot drop", 1, 5) is False
    assert clean_question("  what\x00 is\u200b\tAFO\n ") == "what is AFO"


def test_rendering_escapes_user_text_and_ends_with_the_disclaimer():
    from qa import Answer

    user = "<img src=x onerror=alert(1)> *bold*"
    md = render_markdown(Answer(question=user, query=user, status="invalid", message="m", quotes=(), sources=(),
                                passages=(), disclaimer="DISCLAIMER TEXT", followup=True, after=user))
    assert "<img" not in md and "&lt;img" in md and "\\*bold\\*" in md
    assert md.rstrip().endswith("*DISCLAIMER TEXT*")
    assert escape_md("[link](http://x)") == "\\[link\\]\\(http://x\\)"


def test_the_terms_table_counts_sentences_per_stem_and_knows_title_and_heading_words(built_index):
    from qa.index import load_store, sentence_context_text
    from qa.index.lexical import Tokenizer

    store = load_store(built_index)
    tokenize, by_id = Tokenizer(), {c.id: c for c in store.chunks}
    per_sentence = [set(t) for t in tokenize([sentence_context_text(by_id[x.chunk_id], x) for x in store.sentences])]
    assert store.terms.sentence_count == len(store.sentences)
    for word in ("foot", "brace", "nerve", "peroneal", "tendon"):
        [stem] = tokenize([word])[0]
        assert store.terms.df[stem] == sum(stem in t for t in per_sentence) > 0
    titles = {t for a in store.articles.values() for t in tokenize([a.title])[0]}
    assert titles <= set(store.terms.df)  # a title's words are the articles' words, used in a sentence or not
    assert store.terms.idf("foot") < store.terms.idf(tokenize(["tendon"])[0][0]) < store.terms.idf("zzzunknown")


def test_an_unknown_name_counts_as_rare_but_a_typing_slip_of_an_article_word_does_not():
    from qa.abstain import KnownStems, rare_unknown_words
    from qa.index.lexical import Tokenizer

    tokenize = Tokenizer()
    known = KnownStems(tokenize(["genome sequencing of the syndrome; recovery of gait"])[0])
    one_piece = lambda w: 1  # noqa: E731  every word common in English: only the name rule can fire
    ask = lambda q, names=True: rare_unknown_words(q, lambda w: tokenize([w])[0], known, one_piece,  # noqa: E731
                                                   names=names)
    # "Genoa" is one deletion from the articles' "genom" stem: a slip for a common word, not for a name
    assert ask("What are the symptoms of Genoa syndrome?") == ["Genoa"]
    assert ask("What are the symptoms of Genoa syndrome?", names=False) == []
    assert ask("Genome of what?") == [] and ask("Recovry of gait?") == []  # the first word, and a slip


def test_an_abstention_says_which_names_no_article_uses():
    from qa import Answer
    from qa.present.chat import answer_html
    from qa.present.markdown import render_markdown, render_text, unknown_sentence

    answer = Answer(question="What treats Gaucher disease?", query="What treats Gaucher disease?", status="abstained",
                    message="The indexed articles do not answer this question, so no passage is quoted.", quotes=(),
                    sources=(), passages=(), disclaimer="For healthcare professionals only.", unknown=("Gaucher",))
    assert unknown_sentence(answer.unknown) == "No indexed article mentions “Gaucher”."
    assert "No indexed article mentions “Gaucher”." in render_markdown(answer)
    assert "No indexed article mentions “Gaucher”." in render_text(answer)
    assert "No indexed article mentions &#8220;Gaucher&#8221;." in answer_html(answer, 0) or \
        "No indexed article mentions “Gaucher”." in answer_html(answer, 0)
    assert list(answer.to_json()["unknown"]) == ["Gaucher"]


def test_a_window_whose_section_heading_names_the_question_ranks_higher():
    from qa.rank import RankWeights, window_scores

    # two windows equal in text match; the second sits under a heading with the question's terms
    same = dict(bm25=np.array([2.0, 2.0]), best_bm25=2.0, cosine=np.array([0.6, 0.6]), coverage=np.array([0.5, 0.5]))
    scores = window_scores(**same, heading=np.array([0.0, 0.5]))
    assert scores[1] > scores[0]
    assert window_scores(**same, weights=RankWeights(heading=0.0), heading=np.array([0.0, 0.5])).tolist() == \
        window_scores(**same).tolist()


def test_heading_terms_are_the_window_vocabulary_ids_of_a_section_path(engine):
    terms = engine._retriever.heading_terms(["Foot Drop Treatment", "Zzyzx Qwerty"])
    vocab = engine._store.window_bm25.vocab_dict
    assert set(terms[0].tolist()) == {vocab[t] for t in engine.tokenize(["Foot Drop Treatment"])[0]}
    assert terms[1].size == 0  # words no window uses match nothing


def test_capitals_make_a_name_only_where_a_sentence_would_not_have_them():
    from qa.abstain import KnownStems, rare_unknown_words
    from qa.index.lexical import Tokenizer

    tokenize = Tokenizer()
    known = KnownStems(tokenize(["foot drop"])[0])
    ask = lambda q: rare_unknown_words(q, lambda w: tokenize([w])[0], known, lambda w: 1)  # noqa: E731
    assert ask("WHAT HELPS FOOT DROP AT NIGHT?") == []  # typed in capitals
    assert ask("Foot drop. Exercises?") == []  # a sentence's first word
    assert ask("Is foot drop common in Poland?") == ["Poland"]
