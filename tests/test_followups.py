"""Follow-up turns as clinicians type them, on the real engine over the foot-drop index: vague turns
keep the topic, "What else?" shows new quotes, off-corpus turns abstain whatever came before."""

from __future__ import annotations

import pytest

from qa.followup import FollowUpResolver, asks_for_more
from qa.present import conversation_html, render_markdown
from qa.present.markdown import reading, render_text
from tests.test_answers import assert_well_formed

FOOT_DROP = ["What causes foot drop?", "What exercises help?"]


@pytest.mark.parametrize("question", ["What is the treatment for hypothyroidism?", "Can it be given with warfarin?"])
def test_an_off_corpus_turn_abstains_whatever_the_history(engine, question):
    answer = engine.ask(question, FOOT_DROP)
    assert answer.abstained and not answer.quotes
    assert_well_formed(answer, engine)


@pytest.mark.parametrize("question", ["Is that permanent?", "Why?"])
def test_a_vague_turn_is_read_with_the_conversation_topic(engine, question):
    alone = engine.ask(question)
    answer = engine.ask(question, ["What causes foot drop?", "How is it treated?"])
    assert answer.followup and "foot drop" in answer.query
    assert not answer.abstained and answer.quotes
    assert alone.query == question and not alone.followup  # nothing to carry: read literally
    assert_well_formed(answer, engine)


@pytest.mark.parametrize("question", ["Why?", "What else?", "Evidence for that?"])
def test_a_first_turn_that_refers_back_asks_for_a_full_question(engine, question):
    # nothing to refer back to: no generic quotes, a message that says why and what to do
    answer = engine.ask(question)
    assert answer.status == "invalid" and not answer.quotes
    assert "asks about an earlier answer" in answer.message and "ask a full question" in answer.message
    assert_well_formed(answer, engine)
    assert engine.ask(question, ["What causes foot drop?"]).status == "answered"


def test_what_else_quotes_only_what_the_previous_answer_did_not(engine):
    first = engine.ask("What causes foot drop?")
    more = engine.ask("What else?", ["What causes foot drop?"])
    assert more.followup and more.query == "What causes foot drop? (quotes not shown before)"
    assert more.quotes
    shown = {(q.article_id, q.start, q.end) for q in first.quotes}
    again = [q.text for q in more.quotes if (q.article_id, q.start, q.end) in shown]
    assert not again
    for new in more.quotes:  # not even a piece of a quote already shown
        assert not any(q.article_id == new.article_id and q.start < new.end and new.start < q.end
                       for q in first.quotes)
    assert_well_formed(more, engine)


def test_a_followup_names_the_articles_of_its_topic(engine):
    answer = engine.ask("Does it reduce falls?", ["What does an AFO do?"])
    titles = {a.title for a in engine.articles.values()}
    assert answer.context and set(answer.context) <= titles
    assert f"in the context of “{answer.context[0]}”" in render_markdown(answer)
    standalone = engine.ask("What does an AFO do?")
    assert standalone.context == () and "in the context of" not in render_markdown(standalone)


def test_the_topic_bonus_keeps_a_followup_in_the_topic_articles(engine):
    # one topic article and a bonus larger than any score: every quote must come from it
    strict = engine.with_settings(context_windows=1, context_bonus=10.0)
    answer = strict.ask("Does it reduce falls?", ["What does an AFO do?"])
    assert len(answer.context) == 1
    assert {q.article_title for q in answer.quotes} == set(answer.context)
    # without the bonus the same turn quotes the other article too (the test can fail)
    loose = engine.with_settings(context_windows=1, context_bonus=0.0).ask("Does it reduce falls?", ["What does an AFO do?"])
    assert {q.article_title for q in loose.quotes} != set(answer.context)


def test_a_string_history_is_not_read_as_one_question_per_character(engine):
    as_string = engine.ask("Does it reduce falls?", "What does an AFO do?")
    assert not as_string.followup and as_string.query == "Does it reduce falls?"
    assert as_string.context == ()
    assert engine.ask("Does it reduce falls?", ["What does an AFO do?"]).followup


def test_what_else_is_recognised_only_when_it_asks_for_nothing_else():
    assert all(asks_for_more(q) for q in ["What else?", "Anything else?", "more", "And what else?", "Others?"])
    assert not any(asks_for_more(q) for q in ["What else causes it?", "More exercises for the ankle?", "Why?"])
    r = FollowUpResolver().resolve("What else?", ["What brace is used?", "Can it be bought off the shelf?"])
    assert r.more and r.previous.startswith("Can it be bought off the shelf?") and "brace" in r.previous


def _overlaps(a, b) -> bool:
    return a.article_id == b.article_id and a.start < b.end and b.start < a.end


def test_why_quotes_the_reasons_near_the_last_answer_not_the_answer_again(engine):
    history = ["What is the preferred treatment for foot drop?"]
    before = engine.ask(history[0])
    why = engine.ask("Why?", history)
    assert why.followup and why.quotes and not why.abstained
    assert why.query.startswith("what explains “") and why.query.split("“")[1][:40] in " ".join(
        q.text for q in before.quotes)  # the reading names the claim it explains
    assert not any(_overlaps(new, old) for new in why.quotes for old in before.quotes)
    # the reason the article gives for preferring an AFO, within the first quotes
    assert any("AFOs improve gait patterns" in q.text for q in why.quotes[:3]), [q.text for q in why.quotes]
    assert_well_formed(why, engine)


@pytest.mark.parametrize("question", ["Evidence for that?", "What studies support it?", "Sources?"])
def test_evidence_for_that_shows_the_last_quotes_with_their_references(engine, question):
    history = ["What brace is used for foot drop?"]
    before = engine.ask(history[0])
    answer = engine.ask(question, history)
    assert answer.followup and not answer.abstained
    assert [(q.article_id, q.start) for q in answer.quotes] == [(q.article_id, q.start) for q in before.quotes]
    cited = [r for s in answer.sources for r in s.references]
    assert cited and all(r.entry for r in cited)  # the article's own reference entries
    assert "reference" in render_markdown(answer).lower()
    assert_well_formed(answer, engine)


def test_evidence_for_quotes_without_references_says_there_are_none(engine):
    history = ["What home exercises help foot drop?"]
    answer = engine.ask("Evidence for that?", history)
    if any(q.references for q in answer.quotes):
        pytest.fail("the chosen history must quote an article without references")
    assert answer.missing == ("references",)
    assert "The quoted passages cite no references." in render_markdown(answer)


def test_a_self_contained_turn_leans_to_the_topic_only_when_it_decides(engine):
    history = ["How is CIDP foot drop treated?"]  # CIDP: the one article that covers it
    question = "What are the symptoms of foot drop?"
    alone = engine.ask(question)
    assert {q.article_title for q in engine.ask(history[0]).quotes[:1]} != {q.article_title for q in alone.quotes}
    # a bonus no window can outscore keeps the turn in the topic article, and says so
    sticky = engine.with_settings(context_windows=1, standalone_bonus=10.0).ask(question, history)
    assert not sticky.followup and len(sticky.context) == 1
    assert {q.article_title for q in sticky.quotes} == set(sticky.context)
    assert f"continuing “{history[0]}” in the context of “{sticky.context[0]}”" in render_markdown(sticky)
    # with the shipped bonus the clearly better article still wins: the same best quote as alone
    shipped = engine.ask(question, history)
    assert shipped.quotes[0].text == alone.quotes[0].text
    assert shipped.context == ()


def test_a_followup_with_words_of_its_own_is_answered_by_them_within_the_topic(engine):
    history = ["What causes foot drop?"]
    answer = engine.ask("When is surgery considered?", history)
    assert answer.followup and answer.quotes
    about_surgery = lambda q: any("surg" in part.lower() for part in q.section)  # noqa: E731
    assert all(about_surgery(q) for q in answer.quotes[:3]), [(q.section, q.text[:60]) for q in answer.quotes]
    # searched only with the topic's words added ("causes foot drop"), the turn's own word is outvoted
    blended_out = engine.with_settings(literal_weight=0.0).ask("When is surgery considered?", history)
    assert not all(about_surgery(q) for q in blended_out.quotes[:3])
    assert_well_formed(answer, engine)


def test_max_history_zero_reads_every_turn_alone(engine):
    history = ["What brace is used for foot drop?"]
    answer = engine.with_settings(max_history=0).ask("Can it be bought off the shelf?", history)
    assert not answer.followup and answer.query == "Can it be bought off the shelf?" and answer.context == ()
    assert engine.with_settings(max_history=1).ask("Can it be bought off the shelf?", history).followup


def test_a_pronoun_is_read_as_the_one_thing_the_previous_question_was_about(engine):
    # "CMT" is the previous question's one specific name: "it" reads as CMT, and the search says so
    answer = engine.ask("How is it inherited?", ["What is Charcot-Marie-Tooth disease?"])
    assert answer.followup
    assert "Charcot-Marie-Tooth" in answer.query and " it " not in f" {answer.query} "
    assert reading(answer).startswith(f"Read as: “{answer.reading}”") and "Charcot-Marie-Tooth" in answer.reading
    assert_well_formed(answer, engine)


@pytest.mark.parametrize("history, question, shown", [
    (["What causes foot drop?", "How is it treated?"], "Is that permanent?",
     "Read as: “Is that permanent?”, continuing “How is it treated?”"),
    (["What is the preferred treatment for foot drop?"], "Why?",
     "Read as: what explains the answer to “What is the preferred treatment for foot drop?”"),
    (["What causes foot drop?"], "What else?",
     "Read as: more quotes on “What causes foot drop?”, not those shown before"),
])
def test_how_a_turn_was_read_is_said_in_words_not_carried_keywords(engine, history, question, shown):
    answer = engine.ask(question, history)
    assert reading(answer).startswith(shown)
    assert "(" not in reading(answer).split(" in the context of ")[0]  # no "(causes foot drop treated)"
    assert reading(answer) in render_text(answer)


def test_a_name_of_the_turns_own_abstains_even_when_the_topic_is_read_into_it(engine):
    # read as "Can <topic> be given with warfarin?", the turn matches the topic's sentences well;
    # warfarin is still in no article
    answer = engine.ask("Can it be given with warfarin?", ["How is CIDP foot drop treated?"])
    assert answer.status == "abstained" and "warfarin" in answer.unknown


@pytest.mark.parametrize("question", ["Where should we look?", "What should we not miss?"])
def test_a_vague_turn_of_common_words_continues_the_topic(engine, question):
    answer = engine.ask(question, ["What causes foot drop?"])
    assert answer.followup and not answer.abstained and "foot drop" in answer.query
    assert_well_formed(answer, engine)


def test_a_short_turn_about_an_uncovered_subject_is_still_a_new_topic(engine):
    answer = engine.ask("What about asthma?", ["What causes foot drop?"])
    assert answer.status == "abstained"


def test_a_new_subject_in_common_words_is_not_read_into_the_old_topic(engine):
    answer = engine.ask("What about football?", ["What causes foot drop?"])
    assert answer.status == "abstained"


def test_a_pronoun_after_a_turn_read_with_the_topic_still_stands_for_that_topic(engine):
    # "its side effects" was read as the AFO's; the next "it" is the AFO again, not "AFO's side effects"
    history = ["What is an ankle-foot orthosis?", "What are its side effects?"]
    answer = engine.ask("Can it be bought off the shelf?", history)
    assert answer.reading == "Can ankle-foot orthosis be bought off the shelf?"
    assert any("purchased off-the-shelf" in q.text for q in answer.quotes), [q.text for q in answer.quotes]


def test_a_followup_asking_for_what_its_topics_articles_never_mention_says_so(engine):
    """"What are its side effects?" about an orthosis the articles never discuss side effects of:
    the note names the topic's article and the missing thing before its nearest passages, and no
    passage comes from another article (it would be about something else)."""
    answer = engine.ask("What are its side effects?", ["What is an ankle-foot orthosis?"])
    assert answer.quotes and answer.unmentioned == "side effects" and answer.unmentioned_by
    titles = {a.id: a.title for a in engine.articles.values()}
    assert {titles[q.article_id] for q in answer.quotes} <= set(answer.unmentioned_by)
    said = f"(“{answer.unmentioned_by[0]}”) does not mention “side effects”; its nearest passages are:"
    assert said in render_text(answer) and said in conversation_html([answer]).replace("&quot;", '"')
    assert_well_formed(answer, engine)
    # what the topic's article does mention is answered as usual
    plain = engine.ask("What are its uses?", ["What is an ankle-foot orthosis?"])
    assert plain.quotes and not plain.unmentioned_by
