"""End to end on the real corpus: what a clinician asking questions would check."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from qa import MAX_QUESTION_CHARS
from qa.present import escape_md, render_markdown
from qa.present.markdown import render_text
from qa.verbatim import normalise
from tests.conftest import ROOT


def assert_well_formed(answer, engine):
    """Every answer: ends with the disclaimer; every quote is the article's own words."""
    assert answer.disclaimer == engine.disclaimer
    assert render_markdown(answer).rstrip().endswith(f"*{escape_md(answer.disclaimer)}*")
    for q in answer.quotes:
        article = engine.articles[q.article_id]
        assert article.text[q.start:q.end] == q.text
        assert normalise(q.text) in normalise(article.text)
        if q.lead_in:
            assert normalise(q.lead_in) in normalise(article.text)
        assert "[^" not in q.text


@pytest.mark.parametrize("question, expected_start", [
    ("What brace is used for foot drop?", "A brace called an ankle-foot orthosis (AFO)"),
    ("Which electrodiagnostic tests should be ordered for foot drop?", "Nerve conduction studies and electromyography"),
    ("How is CIDP-related foot drop treated?", "In chronic inflammatory demyelinating polyneuropathy (CIDP)"),
    ("Does FES help foot drop?", "FES can be beneficial for some patients with foot drop"),
    ("Can foot drop resolve on its own?", "In some cases, foot drop may resolve on its own"),
])
def test_known_questions_quote_the_expected_sentence_in_the_first_quotes(engine, question, expected_start):
    answer = engine.ask(question)
    assert answer.status == "answered"
    # quotes are shown in the article's order, so the answering sentence is in the first two
    assert any(expected_start in q.text for q in answer.quotes[:2]), [q.text for q in answer.quotes]
    assert_well_formed(answer, engine)


def test_answer_cites_sources_with_the_articles_own_reference(engine):
    answer = engine.ask("Is an AFO the cornerstone of management?")
    q = next(q for q in answer.quotes if q.text.startswith("An ankle-foot orthosis (AFO) is the cornerstone"))
    source = next(s for s in answer.sources if s.number == q.number)
    assert source.publisher == "Dr.Oracle" and source.last_updated == "2025-10-31"
    assert source.review_status and "pending" in source.review_status.lower()
    assert q.section[-1] == "Orthotic Support" and q.section in source.sections
    assert q.references[0].entry.startswith("Foot drop: where, why and what to do?")
    assert set(q.references) <= set(source.references)
    assert f"\\[{q.number}\\]" in render_markdown(answer)
    assert "Practical neurology, 2008" in render_markdown(answer)


def test_unlisted_reference_numbers_are_cited_as_not_listed(engine):
    answer = engine.ask("Does functional electrical stimulation help foot drop?")
    refs = [r for q in answer.quotes for r in q.references]
    assert any(r.label == "4" and r.entry is None for r in refs)
    assert "not listed in the article's reference list" in render_markdown(answer)


def test_list_items_come_with_their_lead_in(engine):
    answer = engine.ask("What surgical options are there for foot drop?")
    items = [q for q in answer.quotes if q.lead_in == "Surgical options include:"]
    assert items, [q.text for q in answer.quotes]
    assert render_markdown(answer).count("Surgical options include:") == 1  # shared lead-in shown once


def test_both_articles_are_quoted_when_both_support_the_point(engine):
    answer = engine.ask("What brace is used for foot drop?")
    assert {q.article_id for q in answer.quotes} == set(engine.articles)


def test_one_citation_number_per_article(engine):
    for question in ["What brace is used for foot drop?", "What surgical options are there for foot drop?",
                     "How is foot drop diagnosed?"]:
        answer = engine.ask(question)
        numbers = {q.article_id: q.number for q in answer.quotes}
        assert len(set(numbers.values())) == len(numbers), "two articles share a number"
        assert all(numbers[q.article_id] == q.number for q in answer.quotes), "an article has two numbers"
        assert [s.number for s in answer.sources] == list(range(1, len(answer.sources) + 1))
        assert {s.article_id for s in answer.sources} == set(numbers)


def test_a_list_item_quote_knows_its_list(engine):
    answer = engine.ask("What surgical options are there for foot drop?")
    item = next(q for q in answer.quotes if q.lead_in == "Surgical options include:")
    assert item.list_total == len(item.list_items) >= 2
    assert item.list_items[item.list_index - 1] == item.text


def test_quotes_stay_within_the_word_budget(engine):
    from qa.quotes import QuoteParams

    params = QuoteParams()
    for question in ["What causes foot drop?", "How is foot drop managed?", "What are the symptoms?"]:
        answer = engine.ask(question)
        leads = {q.lead_in for q in answer.quotes if q.lead_in}  # a shared lead-in is shown once
        words = sum(len(q.text.split()) for q in answer.quotes) + sum(len(lead.split()) for lead in leads)
        assert 1 <= len(answer.quotes) <= params.max_quotes and words <= params.word_budget, (question, words)


@pytest.mark.parametrize("history, question, expected", [
    (["What brace is used for foot drop?"], "Can it be bought off the shelf?", "purchased off-the-shelf"),
    (["What causes foot drop?"], "What about after a stroke?", "stroke"),
    (["How is foot drop from peroneal nerve compression managed?"], "Do most patients recover?",
     "Most patients improve when the compression factor is removed"),
])
def test_followups_resolve_against_the_conversation(engine, history, question, expected):
    answer = engine.ask(question, history)
    assert answer.followup and answer.query != question
    assert render_markdown(answer).startswith("*Read as: “")  # how it was read comes first
    assert any(expected in q.text for q in answer.quotes), [q.text for q in answer.quotes]
    assert_well_formed(answer, engine)


@pytest.mark.parametrize("question", [
    "What is the capital of France?", "What are the side effects of metformin?",
    "How should atrial fibrillation be anticoagulated?", "Quelle est la capitale de l'Allemagne ?",
])
def test_off_topic_questions_abstain_and_say_what_is_covered(engine, question):
    answer = engine.ask(question)
    assert answer.status == "abstained" and not answer.quotes
    assert "do not answer this question" in render_markdown(answer)
    for article in engine.articles.values():
        assert article.title in render_markdown(answer).replace("\\", "")
    assert_well_formed(answer, engine)


@pytest.mark.parametrize("question", ["", "   \n\t ", "\x00\x01"])
def test_empty_question_prompts_for_one(engine, question):
    answer = engine.ask(question)
    assert answer.status == "invalid" and "Please type a question" in render_markdown(answer)
    assert_well_formed(answer, engine)


def test_too_long_question_is_refused_clearly(engine):
    answer = engine.ask("foot drop " * 200)
    assert answer.status == "invalid" and f"{MAX_QUESTION_CHARS:,}" in render_markdown(answer)
    assert_well_formed(answer, engine)
    ok = engine.ask("a" * (MAX_QUESTION_CHARS - 1))
    assert ok.status in ("answered", "abstained")


def test_html_and_markdown_in_the_question_stay_inert(engine):
    answer = engine.ask("<script>alert(1)</script> What about <img src=x onerror=alert(1)>?", ["What causes foot drop?"])
    assert "<script" not in render_markdown(answer) and "<img" not in render_markdown(answer)
    assert_well_formed(answer, engine)


def test_concurrent_asks_equal_sequential_ones(engine):
    questions = ["What brace is used for foot drop?", "How is CIDP treated?", "What is the capital of France?",
                 "What imaging is needed?", "Can foot drop resolve on its own?"] * 4
    sequential = [render_markdown(engine.ask(q)) for q in questions]
    with ThreadPoolExecutor(8) as pool:
        parallel = list(pool.map(lambda q: render_markdown(engine.ask(q)), questions))
    assert parallel == sequential


def test_disclaimer_names_the_indexed_articles_and_is_not_the_sites_wording(engine):
    d = engine.disclaimer
    assert "healthcare professionals" in d and "clinical judgement" in d
    assert "2 indexed article" in d and "2025-10-31" in d
    # the dates as they are: one article is dated, the other is not; and the footer of an empty page
    # shows it too, so it does not speak of passages "above"
    assert "(dated 2025-10-31; 1 undated)" in d and "above" not in d
    assert "not evidence" in d
    assert "Dr.Oracle assumes no liability" not in d


def test_cli_text_and_json(built_index):
    run = lambda *a: subprocess.run([sys.executable, "-m", "qa", "--index", str(built_index), *a],
                                    cwd=ROOT, capture_output=True, text=True, timeout=120)
    text = run("What brace is used for foot drop?")
    assert text.returncode == 0 and "ankle-foot orthosis" in text.stdout and "For healthcare professionals" in text.stdout
    js = run("--json", "--history", "What brace is used for foot drop?", "Can it be bought off the shelf?")
    data = json.loads(js.stdout)
    assert set(data) >= {"question", "query", "quotes", "passages", "abstained", "disclaimer", "markdown"}
    assert data["query"] != data["question"] and len(data["passages"]) == 10
    assert {"text", "article_title", "section", "chunk_id", "start", "end", "score", "references"} <= set(data["quotes"][0])


def test_cli_reports_a_missing_index_with_the_fix(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "qa", "--index", str(tmp_path / "none"), "hi"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "python -m ingest" in proc.stderr and "Traceback" not in proc.stderr


def test_batched_answers_equal_single_answers(engine):
    items = [("What brace is used for foot drop?", []), ("", []), ("How is CIDP treated?", []),
             ("Can it be bought off the shelf?", ["What brace is used for foot drop?"]),
             ("What is the capital of France?", []), ("x" * 5000, [])]
    batched = engine.ask_batch(items)
    assert [render_markdown(a) for a in batched] == [render_markdown(engine.ask(q, h)) for q, h in items]
    assert [a.status for a in batched] == ["answered", "invalid", "answered", "answered", "abstained", "invalid"]


def test_source_section_and_neighbouring_sections(engine):
    from qa.present.sections import neighbouring_sections, section_view
    from html import unescape

    from qa.present.viewer import source_html

    answer = engine.ask("Is an AFO the cornerstone of management?")
    quote = next(q for q in answer.quotes if q.section[-1] == "Orthotic Support")
    view = section_view(engine, [quote])
    assert [c.section for c in view.chunks] == [quote.section] * 3  # the section's three bullets, in order
    assert [c.ordinal for c in view.chunks] == sorted(c.ordinal for c in view.chunks)
    html = source_html(engine, answer, 0, quote.number)
    assert f"<mark>{quote.text}</mark>" in unescape(html) and "Practical neurology, 2008" in html
    assert "<span class='qqa-ref'>ref. " in html  # the article's own references: not like our [n]
    near = [heading for _, heading in neighbouring_sections(engine, [quote])]
    assert near[:2] == ["Physical Therapy", "Etiology and Assessment"]  # next, then previous section with text
    assert "Orthotic Support" not in near


def test_an_articles_words_about_itself_are_not_quoted_as_an_answer(engine):
    """"In this article, we will explore …" answers no clinical question; it is quoted only when the
    question asks about the article itself."""
    from qa.signposts import is_signposting

    signposts = [s[:60] for a in engine.articles.values() for s in a.text.split(". ") if is_signposting(s)]
    assert signposts  # "In this article, we will explore the causes of foot drop, …"
    quoted = lambda answer: any(s in q.text for q in answer.quotes for s in signposts)  # noqa: E731
    for question in ("What operations are available for foot drop?", "What about surgery for foot drop?",
                     "What treatment options are available for foot drop?"):
        answer = engine.ask(question)
        assert answer.quotes and not quoted(answer), question
    assert quoted(engine.ask("What will this article explore about foot drop?"))


def test_an_abstention_names_the_articles_nearest_the_question_first(engine):
    narrow = engine.with_settings(coverage_articles=1)  # as in a large corpus: room for one of them
    emg = narrow.ask("Does electromyography hurt babies with torticollis?")
    tinnitus = narrow.ask("What causes tinnitus?")
    assert emg.abstained and tinnitus.abstained
    by_line = {a.id: line for a in engine.articles.values() for line in engine.coverage([a.id])[:1]}
    # electromyography is in one article only; "What causes ..." is the other article's own title
    emg_article = next(a.id for a in engine.articles.values() if "electromyography" in a.text)
    assert emg.coverage == (by_line[emg_article], "… and 1 more article")
    assert tinnitus.coverage[0] != emg.coverage[0] and tinnitus.coverage[1] == "… and 1 more article"
    assert "They cover:" in render_markdown(emg) and escape_md(by_line[emg_article]) in render_markdown(emg)


@pytest.mark.parametrize("question, name", [
    ("What are the treatments for Gilbert syndrome?", "Gilbert"),
    ("What is the outlook for foot drop in Poland syndrome?", "Poland"),
])
def test_a_question_about_a_name_no_article_uses_abstains_and_names_it(engine, question, name):
    # template words ("treatments", "outlook", "foot drop") match the articles well; the subject does not
    answer = engine.ask(question)
    assert answer.status == "abstained" and not answer.quotes, [q.text for q in answer.quotes]
    assert name in answer.unknown
    assert f"No indexed article mentions “{name}”." in render_text(answer)
    assert_well_formed(answer, engine)


def test_a_question_asking_for_a_sections_heading_quotes_the_sentence_that_opens_it(corpus_copy, tmp_path, build,
                                                                                     embedder):
    # A consumer-health page whose "Outlook" section opens with its summary, a sentence that shares
    # no word with "What is the outlook for …?", while every other section repeats the disease's name
    from qa import Engine
    from qa.index import load_store
    from qa.rank import RankWeights

    sections = {
        "Overview": "Velmar syndrome is a rare disorder of the peripheral nerves that weakens the muscles of the "
                    "lower leg. People with Velmar syndrome often trip because the front of the foot drags. "
                    "Velmar syndrome usually starts in childhood.",
        "Outlook": "Certain factors affect prognosis (chance of recovery) and treatment options. Children with "
                   "Velmar syndrome who start bracing early often walk without help.",
        "Symptoms": "The first sign of Velmar syndrome is a high-stepping gait. Velmar syndrome can also cause "
                    "numbness over the top of the foot.",
        "Treatment": "Physical therapy for Velmar syndrome strengthens the muscles that lift the foot. Surgery for "
                     "Velmar syndrome is rarely needed.",
    }
    body = "".join(f"## {heading}\n\n{text}\n\n" for heading, text in sections.items())
    (corpus_copy / "articles" / "velmar-syndrome.md").write_text(f"---\ntitle: Velmar syndrome\n---\n\n{body}",
                                                                 encoding="utf-8")
    index = tmp_path / "index"
    build(corpus_copy, index)
    engine = Engine(load_store(index, model_sha256=embedder.sha256, dim=embedder.dim), embedder)
    question, lead = "What is the outlook for Velmar syndrome?", "Certain factors affect prognosis"

    best = lambda answer: max(answer.quotes, key=lambda quote: quote.score)  # noqa: E731 (shown in article order)
    answer = engine.ask(question)
    assert best(answer).text.startswith(lead) and best(answer).section[-1] == "Outlook"
    # the section-lead signal is what ranks it first: without it a sentence naming the disease does
    assert not best(engine.with_settings(rank=RankWeights(lead=0.0)).ask(question)).text.startswith(lead)


def test_a_name_that_stems_like_a_common_word_is_still_another_name(corpus_copy, tmp_path, build, embedder):
    # "Graves'" stems to "grave": an article that calls foot drop a grave sign does not cover Graves' disease
    from qa import Engine
    from qa.index import load_store

    (corpus_copy / "articles" / "grave-signs.md").write_text(
        "---\ntitle: Warning signs in foot drop\n---\n\n## Red flags\n\nSudden foot drop with back pain "
        "is a grave sign that needs treatment the same day.\n", encoding="utf-8")
    index = tmp_path / "index"
    build(corpus_copy, index)
    engine = Engine(load_store(index, model_sha256=embedder.sha256, dim=embedder.dim), embedder)

    answer = engine.ask("What is the first-line treatment for Graves' disease?")
    assert answer.status == "abstained" and not answer.quotes, [q.text for q in answer.quotes]
    assert "Graves'" in answer.unknown
    # a name the articles write as it is, though stemming changes it, is known
    assert engine.ask("What do AFOs improve?").status == "answered"
