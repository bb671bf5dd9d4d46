"""Where the articles disagree (issue 23): a question asking for a figure that two articles give
differently shows both side by side, each value with its verbatim sentence, article, date and
setting; one they give alike says "N articles agree"; one only an article gives, neither. On the
engine, the plain text, the Markdown, the export, the JSON and the page."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from qa.present import answer_json, conversation_markdown, render_markdown, render_text, source_html
from tests.conftest import CORPUS, ask, open_page, running_app, serious_axe_violations

# Three articles on one made-up fever: two give its incubation period differently (one of them
# awaits review), both give the same case fatality rate, one alone says how long rehydration lasts.
ARTICLES = {
    "fever-outbreak-report": """---
title: Report of a Brennan fever outbreak
publisher: Example regional health office
published: "2021-03-02"
review_status: Pending review
---

## Incubation

The mean incubation period of Brennan fever was 5.2 days in the Lakeside outbreak.
Most patients recovered within three weeks of the first symptoms.

## Outcomes

The case fatality rate of Brennan fever was 12% among hospitalised patients.
""",
    "fever-children-cohort": """---
title: Brennan fever in a cohort of children
publisher: Example children's hospital
published: "2023-06-20"
---

## Findings

The median incubation period of Brennan fever was 9 days among children in the Hill district cohort.
The case fatality rate of Brennan fever was 12% in the cohort, and no child died after the second week.
""",
    "fever-treatment": """---
title: Treating Brennan fever
publisher: Example infectious diseases unit
published: "2024-01-10"
---

## Rehydration

Oral rehydration is the mainstay of treatment for Brennan fever.
Oral rehydration is continued for 3 days after the fever settles.
""",
}
INCUBATION = "What is the incubation period of Brennan fever?"
FATALITY = "What is the case fatality rate of Brennan fever?"
REHYDRATION = "How long is oral rehydration continued for Brennan fever?"


@pytest.fixture(scope="module")
def fever_corpus(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("fever") / "corpus"
    (corpus / "articles").mkdir(parents=True)
    for name in ("disclaimer.md", "lexicon.yaml"):
        shutil.copy(CORPUS / name, corpus / name)
    for article_id, text in ARTICLES.items():
        (corpus / "articles" / f"{article_id}.md").write_text(text, encoding="utf-8")
    return corpus


@pytest.fixture(scope="module")
def fever_index(fever_corpus, embedder):
    from ingest import build_index

    index = fever_corpus.parent / "index"
    build_index(fever_corpus, index, quiet=True, embedder_factory=lambda: embedder)
    return index


@pytest.fixture(scope="module")
def fever(fever_index, embedder):
    from qa import Engine
    from qa.index import load_store

    return Engine(load_store(fever_index), embedder)


def test_different_figures_are_given_side_by_side_each_with_its_verbatim_sentence(fever):
    answer = fever.ask(INCUBATION)
    assert answer.status == "answered" and not answer.agreement
    (differ,) = answer.differences
    assert differ.measure == "incubation period"
    by_article = {item.article: item for item in differ.items}
    assert set(by_article) == {"fever-outbreak-report", "fever-children-cohort"}
    report, cohort = by_article["fever-outbreak-report"], by_article["fever-children-cohort"]
    assert (report.value, report.unit, report.low, report.high) == ("5.2 days", "days", 5.2, 5.2)
    assert (cohort.value, cohort.low) == ("9 days", 9.0)
    assert report.setting == "in the Lakeside" and cohort.setting == "among children"
    assert report.date == "2021-03-02" and report.title == "Report of a Brennan fever outbreak"
    assert [c.kind for c in report.caution] == ["review-pending"] and not cohort.caution
    numbers = {s.article_id: s.number for s in answer.sources}
    for item in differ.items:  # every sentence is the article's own, and cited by its article's number
        assert fever.articles[item.article].text[item.start:item.end] == item.quote
        assert item.value in item.quote and item.number == numbers[item.article]
    assert answer.disclaimer


def test_the_same_figure_in_two_articles_is_said_to_agree(fever):
    answer = fever.ask(FATALITY)
    assert not answer.differences
    (agree,) = answer.agreement
    assert agree.measure == "case fatality rate"
    assert {(i.article, i.value) for i in agree.items} == {("fever-outbreak-report", "12%"),
                                                          ("fever-children-cohort", "12%")}
    assert "2 articles agree on “case fatality rate”:" in render_text(answer)


@pytest.mark.parametrize("question", [REHYDRATION, "What causes Brennan fever?", "Why?"])
def test_no_comparison_where_one_article_gives_the_figure_or_none_is_asked(fever, question):
    answer = fever.ask(question, [INCUBATION] if question == "Why?" else [])
    assert not answer.differences and not answer.agreement
    assert "different figures" not in render_text(answer) and "agree on" not in render_text(answer)


def test_the_text_the_markdown_the_export_and_the_json_carry_the_figures(fever):
    answer = fever.ask(INCUBATION)
    numbers = {s.article_id: s.number for s in answer.sources}
    text = render_text(answer)
    heading = "The articles give different figures for “incubation period”:"
    assert heading in text
    assert f"5.2 days [{numbers['fever-outbreak-report']}] — Report of a Brennan fever outbreak, 2021-03-02; " \
           "in the Lakeside (Caution: review pending)" in text
    assert "“The median incubation period of Brennan fever was 9 days among children in the Hill district cohort.”" in text
    assert text.index(heading) < text.index("Sources") < text.index("For healthcare professionals")
    assert heading in render_markdown(answer) and "**9 days**" in render_markdown(answer)
    export = conversation_markdown([answer], disclaimer=answer.disclaimer, index_digest=answer.index_build,
                                   built_at="2026-12-01", articles=[])
    assert heading in export and "9 days [" in export
    sent = json.loads(json.dumps(answer_json(answer)))  # as the /ask API sends it
    data = sent["differences"]
    assert data[0]["measure"] == "incubation period"
    assert {(i["article"], i["value"], i["unit"]) for i in data[0]["items"]} == \
        {("fever-outbreak-report", "5.2 days", "days"), ("fever-children-cohort", "9 days", "days")}
    assert all(i["quote"] in fever.articles[i["article"]].text for i in data[0]["items"]) and sent["agreement"] == []
    assert heading in sent["markdown"]


def test_the_viewer_marks_a_figure_sentence_of_an_article_the_quotes_did_not_cite(fever):
    answer = fever.ask(INCUBATION)
    for item in answer.differences[0].items:
        html = source_html(fever, answer, 0, item.number)
        marked = " ".join(re.findall(r"<mark>(.*?)</mark>", html, flags=re.S))
        assert item.value in marked, item.article


@pytest.mark.browser
def test_the_page_shows_different_figures_side_by_side_with_the_caution(fever_index, fever_corpus, tmp_path, browser):
    with running_app(fever_index, tmp_path, corpus=fever_corpus) as url, open_page(browser, url) as page:
        ask(page, INCUBATION)
        turn = page.locator("#qqa-turn-0")
        table = turn.locator(".qqa-figures table")
        assert turn.locator(".qqa-figures h3").inner_text() == "The articles give different figures for “incubation period”:"
        rows = table.locator("tbody tr")
        assert rows.count() == 2 and table.is_visible()
        cells = {rows.nth(k).locator("td").first.inner_text(): rows.nth(k).inner_text() for k in range(2)}
        assert set(cells) == {"5.2 days", "9 days"}
        assert "Report of a Brennan fever outbreak, 2021-03-02" in cells["5.2 days"]
        assert "Caution: review pending" in cells["5.2 days"] and "Caution" not in cells["9 days"]
        assert "in the Lakeside" in cells["5.2 days"] and "among children" in cells["9 days"]
        assert "“The median incubation period of Brennan fever was 9 days" in cells["9 days"]
        page.screenshot(path=str(tmp_path / "figures.png"), full_page=True)
        assert serious_axe_violations(page) == []

        row = rows.filter(has_text="9 days")
        row.locator("button.qqa-cite").click()  # its [n] opens the article, the sentence marked
        page.wait_for_function("() => document.querySelector('#qqa-source mark')")
        assert "Brennan fever in a cohort of children" in page.locator("#qqa-source-title").inner_text()
        assert "9 days" in " ".join(page.locator("#qqa-source mark").all_inner_texts())

        answer = ask(page, FATALITY)
        assert "2 articles agree on “case fatality rate”:" in answer


def test_a_figure_a_hundredfold_from_the_others_about_a_rival_name_or_away_from_the_measure_is_left_out():
    """A lab incubation of 30 minutes is no incubation period of days, a sentence about SARS-CoV
    gives no figure for MERS-CoV even where its paragraph names MERS-CoV, and a number of days by
    the name alone is no incubation period."""
    from qa.figures import asked, find
    from qa.index.amounts import amounts

    def stem(word):
        return word.lower().rstrip("s")

    want = asked("What is the incubation period of MERS-CoV?", frozenset({"is", "the", "of", "was", "an", "in"}), stem)
    texts = ["The incubation period of MERS-CoV was 5 days.", "The incubation period of MERS-CoV was 12 days in Riyadh.",
             "After an incubation period of 30 min the MERS-CoV cultures were fixed.",
             "The incubation period of SARS-CoV was 4 days.", "MERS-CoV took only 17 days to be identified."]
    contexts = [tuple, tuple, tuple, lambda: ("MERS-CoV in camels",), lambda: ("The incubation period of MERS-CoV",)]
    sentences = [(row, "abcde"[row], text, amounts(text), context)
                 for row, (text, context) in enumerate(zip(texts, contexts))]
    finding = find(want, sentences, stem)
    assert [(f.article_id, f.amount.text) for f in finding.figures] == [("a", "5 days"), ("b", "12 days")]
    assert find(want, sentences[2:] + sentences[:1], stem) is None  # 30 minutes against 5 days: no disagreement


def _stem(word):
    return word.lower().rstrip("s")


STOP = frozenset({"is", "the", "of", "was", "an", "in", "a", "for", "to", "with", "during", "did", "how"})


@pytest.mark.parametrize("question, measure", [
    ("Approximately how long is the incubation period of Brennan fever?", "incubation period"),
    ("What is assumed for the mean serial interval?", "serial interval"),
    ("What is the presumed incubation period?", "incubation period"),
])
def test_the_measure_a_question_asks_for_is_read_past_hedges_and_qualifiers(question, measure):
    from qa.figures import asked

    assert asked(question, STOP, _stem).measure == measure


def test_names_and_measures_compare_hyphens_aside_and_a_symbol_named_twice_gives_the_later_figure():
    """"COVID19" in the question is "COVID-19" in the articles, "coinfection" is "co-infection",
    "R0" is "R 0" (a subscript the text lost); and where a sentence gives another virus's R0
    before naming SARS's, SARS's is the figure."""
    from qa.figures import asked, figure_in, unhyphenated
    from qa.index.amounts import amounts

    stem = unhyphenated(_stem)
    sars = "Modellers suggested an R0 of 3.8 for the novel virus; R0 for SARS was estimated at around 3 [7]."
    cases = [("How long is the incubation period of COVID19?", "The incubation period of COVID-19 was 5 days.", "5 days"),
             ("What is the rate of coinfection in children?", "The co-infection rate in children was 12%.", "12%"),
             ("What was the R0 of SARS?", sars, "around 3"),
             ("What was the R0 of SARS?", "The R 0 of SARS was about 2.7-3.4 in Hong Kong.", "about 2.7-3.4")]
    for question, sentence, value in cases:
        found = figure_in(sentence, amounts(sentence), asked(question, STOP, stem), stem)
        assert found is not None and found[0].text == value, (question, found)


def test_the_index_keeps_each_sentences_amounts_open_ends_and_all():
    from qa.index.amounts import amounts
    from qa.index.records import Sentence, sentence_from_json, to_json

    text = "Symptoms appear after at least 3 days and up to 14 days in 12% of cases."
    sentence = Sentence(id=0, chunk_id="a#0", article_id="a", text=text, start=0, end=len(text), amounts=amounts(text))
    stored = json.loads(json.dumps(to_json(sentence)))  # JSON has no infinity: an open end is null
    assert sentence_from_json(stored) == sentence
    assert [(a.text, a.bounded) for a in sentence.amounts] == [("at least 3 days", True), ("up to 14 days", True), ("12%", False)]


def test_the_statistic_asked_for_picks_the_sentences_figure():
    """Asked for the mean, a sentence giving a longest and a mean gives its mean; asked for neither,
    the figure after the measure; a wide span is no mean."""
    from qa.figures import asked, figure_in
    from qa.index.amounts import amounts

    sentence = "Studies suggest an incubation period of 16 days with a mean of 5-6 days [12]."
    said = {q: figure_in(sentence, amounts(sentence), asked(q, STOP, _stem), _stem)[0].text
            for q in ("What was the mean incubation period?", "What is the average incubation period?",
                      "What is the incubation period?")}
    assert said == {"What was the mean incubation period?": "5-6 days", "What is the average incubation period?": "5-6 days",
                    "What is the incubation period?": "16 days"}
    ranged = "Early predictions for the incubation period are between 2 and 14 days."  # a span, not a mean
    assert figure_in(ranged, amounts(ranged), asked("What was the mean incubation period?", STOP, _stem), _stem) is None
    assert figure_in(ranged, amounts(ranged), asked("What is the incubation period?", STOP, _stem), _stem) is not None


def test_what_is_measured_decides_the_kind_of_figure_and_two_names_or_one_studys_people_ask_no_comparison():
    """"The median age of mortality" asks for ages, not percentages; a question naming two
    diseases asks a figure of each, "the people surveyed" are one study's, "which had the most"
    asks for a name and "the age profile" for a whole distribution: none compares."""
    from qa.figures import asked

    assert asked("What is the median age of mortality in influenza?", STOP, _stem).units == {"days"}
    assert asked("What is the mortality rate of influenza?", STOP, _stem).units == {"%"}
    for question in ("What is the case fatality rate of SARS and MERS?", "What is the R0 of SARS-CoV, MERS-CoV?",
                     "What was the age range for the people surveyed?", "What proportion of the respondents had fever?",
                     "What age group had the most MERS-CoV infections?", "What is the typical age profile of mortality?"):
        assert asked(question, STOP, _stem) is None, question
    assert asked("How many cases were reported between November 2002 and July 2003?", STOP, _stem) is not None
    assert asked("What is the doubling time of the epidemic curve?", STOP, _stem) is not None  # a curve's one figure


def test_two_figures_a_hundredfold_apart_are_not_compared():
    """Of two figures 165 times apart (days against minutes), neither can be told to be the
    measure's: no "different figures" is said."""
    from qa.figures import asked, find
    from qa.index.amounts import amounts

    want = asked("What is the incubation period of Brennan fever?", STOP, _stem)
    texts = ["The incubation period of Brennan fever is 2-6 days.",
             "After an incubation period of 30-40 min the Brennan fever cultures were fixed."]
    sentences = [(row, "ab"[row], text, amounts(text), tuple) for row, text in enumerate(texts)]
    assert find(want, sentences, _stem) is None
    third = "The incubation period of Brennan fever was 9 days."
    sentences.append((2, "c", third, amounts(third), tuple))
    assert [f.amount.text for f in find(want, sentences, _stem).figures] == ["2-6 days", "9 days"]
