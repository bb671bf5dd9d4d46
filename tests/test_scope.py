"""Questions scoped to some articles (`Engine.ask(..., articles=, tags=)`, `qa.scope`): checked,
answered from the scope alone, a scope that does not answer abstains and says so, offering to
search all; front-matter tags parsed at ingest. Real engine, real index."""

from __future__ import annotations

import pytest

from qa.present import answer_json, conversation_html, render_markdown, render_text
from tests.conftest import DISCLAIMER_START, HYGIENE_ID

ORACLE, SYMPTOMS = "droracle-medical-management-foot-drop", "symptom-database-foot-drop"
BRACE = "What brace is used for foot drop?"


@pytest.fixture(scope="module")
def tagged(tagged_index, embedder):
    from qa import Engine
    from qa.index import load_store

    return Engine(load_store(tagged_index, model_sha256=embedder.sha256, dim=embedder.dim), embedder)


def test_tags_are_read_from_the_front_matter_and_a_bad_list_is_refused(tagged, tmp_path):
    from ingest.parse import CorpusError, parse_file

    assert tagged.articles[HYGIENE_ID].tags == ("infection control", "ward 3", "protocol")
    assert tagged.articles[ORACLE].tags == ()
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: T\ntags: cardiology\n---\n\nA sentence.\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="`tags` must be a list"):
        parse_file(bad)


def test_the_scope_checks_name_what_is_unknown(tagged):
    from qa.scope import resolve, scope_problem

    known = tagged.articles
    assert scope_problem([ORACLE], ["ward 3"], known) is None and scope_problem(None, None, known) is None
    assert "“nope”" in scope_problem([ORACLE, "nope"], [], known)
    assert scope_problem([], ["icu"], known).startswith("No indexed article is tagged “icu”. The tags in use are “")
    assert "list of strings" in scope_problem(ORACLE, [], known)  # a bare string is not a list of ids
    assert resolve([SYMPTOMS], ["protocol"], known) == (SYMPTOMS, HYGIENE_ID)
    assert resolve([], [], known) == ()


@pytest.mark.parametrize("scope", [(ORACLE,), (SYMPTOMS,)])
def test_a_scoped_question_quotes_only_its_scope_and_a_follow_up_keeps_to_it(tagged, scope):
    answer = tagged.ask(BRACE, [], scope)
    assert answer.status == "answered" and answer.scope == scope
    assert answer.quotes and {q.article_id for q in answer.quotes} == set(scope)
    assert {p.article_id for p in answer.passages} == set(scope)
    follow = tagged.ask("Can it be bought off the shelf?", [BRACE], scope)
    assert follow.status == "answered" and {q.article_id for q in follow.quotes} == set(scope)
    assert "Searched only “" in render_markdown(answer, tagged.articles)


def test_unscoped_answers_quote_both_articles_as_before(tagged):
    answer = tagged.ask(BRACE)
    assert answer.scope == () and {q.article_id for q in answer.quotes} == {ORACLE, SYMPTOMS}
    assert "Searched only" not in render_markdown(answer, tagged.articles)


def test_a_scope_that_does_not_answer_abstains_and_offers_to_search_all(tagged):
    answer = tagged.ask(BRACE, [], (), ["infection control"])
    assert answer.status == "abstained" and answer.scope == (HYGIENE_ID,) and not answer.quotes
    assert answer.nearest == (HYGIENE_ID,) and len(answer.coverage) == 1 and "Hand hygiene" in answer.coverage[0]
    said = "“Hand hygiene on the ward” does not answer this question, so no passage is quoted."
    markdown, text = render_markdown(answer, tagged.articles), render_text(answer, articles=tagged.articles)
    assert said in markdown.replace("\\", "") and said in text and answer_json(answer, tagged.articles)["message"] == said
    assert "ask again without the scope" in markdown and "ask again without the scope" in text
    html = conversation_html([answer], articles=tagged.articles)
    assert "data-action='everywhere'" in html.replace('"', "'") and "Search all articles" in html
    assert text.rstrip().endswith(answer.disclaimer) and answer.disclaimer.startswith(DISCLAIMER_START)
    # without the build's articles the scope is counted, not named
    assert "The article this question was asked of does not answer it" in render_text(answer)


def test_a_scope_that_answers_quotes_it_and_the_same_question_unscoped_does_not(tagged):
    question = "How long should an alcohol-based hand rub take?"
    scoped = tagged.ask(question, [], [HYGIENE_ID])
    assert scoped.status == "answered" and {q.article_id for q in scoped.quotes} == {HYGIENE_ID}
    assert any("20 to 30 seconds" in q.text for q in scoped.quotes)


def test_an_unknown_id_or_tag_is_an_invalid_answer_saying_which(tagged):
    answer = tagged.ask(BRACE, [], [ORACLE, "no-such-article"])
    assert answer.status == "invalid" and "“no-such-article”" in answer.message and not answer.quotes
    assert "“" + ORACLE + "”" not in answer.message
    tag = tagged.ask(BRACE, [], [], ["cardiology"])
    assert tag.status == "invalid" and "“cardiology”" in tag.message and "“ward 3”" in tag.message
    assert render_text(tag).rstrip().endswith(tag.disclaimer)


def test_a_batch_mixes_scoped_and_unscoped_items(tagged):
    alone = tagged.ask(BRACE)
    answers = tagged.ask_batch([(BRACE, []), (BRACE, [], (ORACLE,)), (BRACE, [], (), ("ward 3",))])
    assert [q.text for q in answers[0].quotes] == [q.text for q in alone.quotes]
    assert {q.article_id for q in answers[1].quotes} == {ORACLE}
    assert answers[2].status == "abstained" and answers[2].scope == (HYGIENE_ID,)
