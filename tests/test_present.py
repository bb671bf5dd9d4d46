"""The chat page's HTML, the source viewer and the export, from real answers of the real engine."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import datetime, timezone

from qa.present import conversation_html, conversation_markdown, render_markdown, render_text, source_html


def test_answer_html_is_quote_first_with_one_folded_disclaimer(engine):
    answer = engine.ask("What brace is used for foot drop?")
    page = conversation_html([answer])
    assert page.index("<blockquote") < page.index("qqa-sources") < page.index("qqa-disclaimer")
    head = answer.disclaimer.split(". ")[0]
    shown = re.sub(r"<textarea.*?</textarea>", "", page, flags=re.S)  # the copy text is not shown
    assert shown.count(head) == 1 and page.count("class='qqa-disclaimer'") == 1
    for source in answer.sources:  # one number per article, a named button for each
        assert f"aria-label='Source {source.number}: {source.title}'" in html.unescape(page)


def test_missing_dose_is_said_everywhere(engine):
    answer = replace(engine.ask("What brace is used for foot drop?"), missing=("dose",))
    said = "The articles give no dose; the nearest passages are:"
    assert said in html.unescape(conversation_html([answer]))
    assert said in render_text(answer)
    assert said in render_markdown(answer)
    export = conversation_markdown([answer], disclaimer=answer.disclaimer, index_digest="abc", built_at="now",
                                   articles=["A"])
    assert said in export


def test_quotes_for_a_thing_no_article_names_say_so_before_them(engine):
    """Asked for red flags the articles never list, the answer says so above the nearest passages,
    in the page, the copy and the export; a question whose subject the articles use says nothing."""
    answer = engine.ask("What are the red flags for foot drop needing urgent imaging?")
    assert answer.status == "answered" and answer.quotes and answer.unmentioned == "red flags"
    said = "No indexed article mentions “red flags”; the nearest passages are:"
    page = conversation_html([answer])
    assert said in page and page.index(said) < page.index("<blockquote")
    assert render_text(answer).startswith(said) and said in render_markdown(answer)
    assert said in conversation_markdown([answer], disclaimer=answer.disclaimer, index_digest="abc",
                                         built_at="now", articles=["A"])
    for question in ("What brace is used for foot drop?", "Which nerve is typically injured in foot drop?",
                     "What exactly is foot drop?"):
        assert engine.ask(question).unmentioned == "", question


def test_a_refusal_offers_questions_the_nearest_articles_answer(engine):
    from qa.present import questions_by_article

    answer = engine.ask("Can acupuncture help foot drop?")
    assert answer.abstained and set(answer.nearest) == set(engine.articles)
    questions = questions_by_article(engine)
    page = conversation_html([answer], questions=questions)
    offered = re.findall(r"<button type='button' class='qqa-example' data-action='ask' data-text='([^']*)'", page)
    examples = [e for a in engine.articles.values() for e in a.examples]
    assert 3 <= len(offered) <= 4 and set(offered) <= set(examples)  # the articles' own example questions
    assert offered[0] in engine.articles[answer.nearest[0]].examples  # the nearest article's first
    assert "Section" not in page and "Braces and Orthotics" not in page  # no list of headings


def test_partial_list_is_marked_and_counted(engine):
    answer = engine.ask("What are the surgical options for foot drop?")
    listed = [q for q in answer.quotes if q.list_total]
    assert listed, "the surgical options are a list in the article"
    page = conversation_html([answer])
    found = re.search(r"(\d+) of (\d+) items quoted — show all</summary><ol>(.*?)</ol>", page)
    assert found and int(found[2]) == listed[0].list_total and found[3].count("<li>") == listed[0].list_total
    assert found[3].count("<mark>") == int(found[1]) < int(found[2])


def test_source_viewer_marks_every_quoted_sentence_of_that_article(engine):
    answer = engine.ask("What brace is used for foot drop?")
    page = source_html(engine, answer, 3, 1)
    assert "Source [1], as cited in answer 4" in page and "href='#qqa-turn-3'" in page and "review status" in page
    ones = [q for q in answer.quotes if q.number == 1]
    assert ones and all(f"<mark>{q.text}</mark>" in html.unescape(page) for q in ones)
    assert source_html(engine, answer, 3, 99).startswith("<p class='qqa-meta' role='status'>")


def test_export_is_clean_text_with_sources_and_disclaimer_once(engine):
    first = engine.ask("What brace is used for foot drop?")
    second = engine.ask("Can it be bought off the shelf?", [first.question])
    text = conversation_markdown([first, second], disclaimer=first.disclaimer, index_digest=first.index_build,
                                 built_at="2026-11-23T10:00:00Z", articles=["A", "B"],
                                 now=datetime(2026, 11, 23, 12, tzinfo=timezone.utc))
    assert "\\" not in text and text.count(first.disclaimer) == 1
    for q in [*first.quotes, *second.quotes]:
        assert f"“{q.text}” [" in text
    titles = {s.title for s in [*first.sources, *second.sources]}
    sources = text.split("## Sources")[1].split("---")[0]
    assert all(sources.count(t) == 1 for t in titles)
    assert text.rstrip().splitlines()[-1].startswith(f"Exported 2026-11-23 12:00:00 UTC from QuoteQA · index build {first.index_build}")


def test_questions_are_text_not_markup(engine):
    answer = engine.ask("<img src=x onerror=alert(1)> foot drop")
    page = conversation_html([answer])
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def _numbers_shown(text: str, titles: dict[str, str]) -> dict[str, set[str]]:
    """article title -> the [n] labels its citation buttons carry in a page."""
    found: dict[str, set[str]] = {}
    for n, title in re.findall(r"aria-label='Source (\d+): ([^']*)'", text):
        found.setdefault(html.unescape(title), set()).add(n)
    return found


def test_an_article_keeps_its_number_for_the_whole_conversation(engine):
    first, second = engine.ask("Is foot drop painful?"), engine.ask("What operations are available for foot drop?")
    order = lambda a: [s.article_id for s in a.sources]  # noqa: E731
    assert len(first.sources) == 2 and order(first) == order(second)[::-1], "the two answers cite in opposite order"
    from qa.present import numbered

    one, two = numbered([first, second])
    labels = {s.article_id: s.number for s in one.sources}
    assert labels == {s.article_id: s.number for s in two.sources}  # the same number in both answers
    assert [labels[a] for a in order(first)] == [1, 2]  # the first article cited is [1]
    for answer in (one, two):
        assert all(q.number == labels[q.article_id] for q in answer.quotes)
        assert [s.number for s in answer.sources] == sorted(s.number for s in answer.sources)
    page = conversation_html([first, second])
    titles = {s.article_id: s.title for s in first.sources}
    shown = _numbers_shown(page, titles)
    assert {title: {str(labels[a])} for a, title in titles.items()} == shown  # each title one number, page-wide
    copies = re.findall(r"<textarea class='qqa-copytext'[^>]*>(.*?)</textarea>", page, flags=re.S)
    for answer, copy in zip((one, two), copies):
        for s in answer.sources:
            assert f"[{s.number}] {s.title}" in html.unescape(copy)
    export = conversation_markdown([first, second], disclaimer=first.disclaimer, index_digest="abc",
                                   built_at="now", articles=["A"])
    for a, title in titles.items():
        assert f"[{labels[a]}] {title}" in export
    viewer = source_html(engine, two, 1, labels[order(second)[0]])
    assert f"Source [{labels[order(second)[0]]}], as cited in answer 2" in viewer
    assert titles[order(second)[0]] in html.unescape(viewer)
