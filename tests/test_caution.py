"""Caution on the quote itself and retracted articles never quoted (issue 23): what a clinician
reads on the quote, in the page, the plain text and the export."""

from __future__ import annotations

import pytest

from ingest import CorpusError
from qa.present import conversation_markdown, render_markdown, render_text
from tests.conftest import ask, open_page, running_app

DRORACLE = "articles/droracle-medical-management-foot-drop.md"
SYMPTOM = "articles/symptom-database-foot-drop.md"


def set_front_matter(corpus, article: str, line: str) -> None:
    path = corpus / article
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    path.write_text("---\n" + line + "\n" + text[4:], encoding="utf-8")


def engine_over(corpus, tmp_path, build, embedder):
    from qa import Engine
    from qa.index import load_store

    build(corpus, tmp_path / "index")
    return Engine(load_store(tmp_path / "index"), embedder)


def test_a_retracted_article_is_never_quoted_and_the_answer_says_so(corpus_copy, tmp_path, build, embedder):
    question = "What is the preferred treatment option for most patients with foot drop?"
    set_front_matter(corpus_copy, DRORACLE, "retracted: true")
    engine = engine_over(corpus_copy, tmp_path, build, embedder)
    title = engine.articles["droracle-medical-management-foot-drop"].title
    for q, history in [(question, []), ("What brace is used for foot drop?", []),
                       ("Is it custom-made?", ["What is an ankle-foot orthosis?"])]:
        answer = engine.ask(q, history)
        assert all(x.article_id != "droracle-medical-management-foot-drop" for x in answer.quotes), q
        assert all(p.article_id != "droracle-medical-management-foot-drop" for p in answer.passages), q
    answer = engine.ask(question)
    assert answer.withheld == (title,)
    assert f"“{title}” is marked retracted, so it is not quoted." in render_text(answer)
    assert "marked retracted" in render_markdown(answer)
    refused = engine.ask("What is the dose of amoxicillin for otitis media?")
    assert refused.status == "abstained" and not any(title in line for line in refused.coverage)


def test_quotes_of_an_overdue_or_old_article_carry_the_reason(corpus_copy, tmp_path, build, embedder):
    set_front_matter(corpus_copy, SYMPTOM, "review_by: 2020-01-31")
    path = corpus_copy / SYMPTOM
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("---\n", "---\nlast_updated: \"March 2009\"\n", 1) if "last_updated" not in text
                    else text, encoding="utf-8")
    engine = engine_over(corpus_copy, tmp_path, build, embedder)
    answer = engine.ask("What brace is used for foot drop?")
    mine = [q for q in answer.quotes if q.article_id == "symptom-database-foot-drop"]
    assert mine and all({c.kind for c in q.caution} == {"review-overdue", "old"} for q in mine)
    text = render_text(answer)
    assert "(Caution: review was due 2020-01-31; dated March 2009, over 10 years ago)" in text
    assert "Caution: review was due 2020" in render_markdown(answer)
    export = conversation_markdown([answer], disclaimer=answer.disclaimer, index_digest=answer.index_build,
                                   built_at="2026-12-01", articles=[])
    assert "Caution: review was due 2020-01-31" in export
    assert answer.to_json()["quotes"][0]["caution"]  # the JSON API carries it as data


@pytest.mark.parametrize("line, problem", [("review_by: next spring", "`review_by` must be a date"),
                                           ("retracted: maybe", "`retracted` must be true or false")])
def test_a_malformed_caution_field_fails_the_build_with_the_fix(corpus_copy, tmp_path, build, line, problem):
    set_front_matter(corpus_copy, SYMPTOM, line)
    with pytest.raises(CorpusError, match=problem):
        build(corpus_copy, tmp_path / "index")


def test_the_page_marks_the_quote_itself(built_index, tmp_path, browser):
    """The shipped corpus: one article's review status is "Pending human review"."""
    with running_app(built_index, tmp_path) as url, open_page(browser, url) as page:
        ask(page, "What is the preferred treatment option for most patients with foot drop?")
        marker = page.locator("#qqa-chat .qqa-turn").last.locator(".qqa-quote .qqa-caution").first
        assert marker.is_visible() and marker.inner_text().endswith("Caution: review pending")
        quote = marker.locator("xpath=ancestor::blockquote").inner_text()
        assert "ankle-foot orthosis" in quote.lower()
