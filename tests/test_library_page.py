"""The page over a library, not two articles: the header no longer lists every article, and a
clinician finds one by the words of its title, opens it whole in the viewer and asks about it."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import CORPUS, ask, open_page, running_app, serious_axe_violations

ORGANS = ("kidney", "liver", "heart", "lung", "skin", "bone")
SIZE = 150


def _article(k: int) -> str:
    organ = ORGANS[k % len(ORGANS)]
    return (f"---\ntitle: Ward guideline {k:03d} on {organ} care\npublisher: Example Hospital\n"
            f"last_updated: \"2024-0{1 + k % 9}-15\"\n" + ("review_by: 2020-01-31\n" if k == 7 else "")
            + f"---\n\n## Scope\n\nThis guideline {k:03d} covers the {organ} care of adult inpatients.\n\n"
            f"## Monitoring\n\nThe {organ} function of each patient on ward {k % 12} is checked every morning.\n")


@pytest.fixture(scope="module")
def library(tmp_path_factory, embedder):
    """The real corpus and SIZE generated ward guidelines, built once."""
    from ingest import build_index

    corpus = tmp_path_factory.mktemp("library") / "corpus"
    shutil.copytree(CORPUS, corpus)
    for k in range(SIZE):
        (corpus / "articles" / f"guideline-{k:03d}.md").write_text(_article(k), encoding="utf-8")
    index = corpus.parent / "index"
    build_index(corpus, index, quiet=True, embedder_factory=lambda: embedder)
    with running_app(index, corpus.parent, corpus=corpus) as url:
        yield url


@pytest.mark.browser
def test_a_clinician_finds_an_article_by_title_opens_it_and_asks_about_it(browser, library):
    with open_page(browser, library) as page:
        header = page.locator("#qqa-header")
        assert f"{SIZE + 2:,} indexed articles" in header.inner_text()
        assert header.locator("li").count() == 1  # only the article whose review is overdue, not all of them
        assert "review was due 2020-01-31" in header.text_content()  # folded under "About this index"

        page.locator("#qqa-articles").get_by_text(f"Articles ({SIZE + 2})").click()
        found = page.locator("#qqa-found")
        assert f"{SIZE + 2} articles; the first 20 by title are listed" in found.inner_text()
        assert found.locator("button.qqa-open-article").count() == 20

        page.locator("#qqa-find input").click()
        page.keyboard.type("kidney guideline 01")  # typed: each key is an input event, as a user's
        page.wait_for_function("() => document.querySelector('#qqa-found').innerText.includes('“kidney guideline 01”')")
        titles = found.locator("button.qqa-open-article").all_inner_texts()
        assert titles and all("kidney" in t and "01" in t for t in titles)  # guidelines 012 and 018
        assert f"{len(titles)} of {SIZE + 2} articles match “kidney guideline 01”" in found.inner_text()

        found.locator("button.qqa-open-article").first.click()
        title = page.locator("#qqa-source h2")
        title.wait_for()
        assert title.inner_text() == titles[0]
        viewer = page.locator("#qqa-source").inner_text()
        assert "Section: Monitoring" in viewer and "Example Hospital" in viewer
        assert serious_axe_violations(page) == []

        page.locator("#qqa-source .qqa-scope-to").click()
        page.wait_for_function("() => document.querySelector('#qqa-scope .qqa-chip')")
        answer = ask(page, "How often is organ function checked?")
        assert f"Searched only “{titles[0]}”" in answer and "every morning" in answer


@pytest.mark.browser
def test_on_a_phone_a_found_article_opens_over_the_page_and_closing_returns_to_it(browser, library):
    with open_page(browser, library, (390, 844)) as page:
        page.locator("#qqa-articles").get_by_text(f"Articles ({SIZE + 2})").click()
        page.locator("#qqa-find input").click()
        page.keyboard.type("liver guideline 02")
        found = page.locator("#qqa-found")
        page.wait_for_function("() => document.querySelector('#qqa-found').innerText.includes('“liver guideline 02”')")
        chosen = found.locator("button.qqa-open-article").first
        name, article = chosen.inner_text(), chosen.get_attribute("data-article")
        chosen.click()
        page.locator("#qqa-source h2").wait_for()
        side = page.locator("#qqa-side")
        assert "qqa-open" in side.get_attribute("class")
        assert page.locator("#qqa-source h2").inner_text() == name
        assert not page.locator("#qqa-articles").is_visible()  # the article alone over the page, Close first
        assert page.get_by_role("button", name="Close").bounding_box()["y"] < 100
        page.keyboard.press("Escape")
        assert "qqa-open" not in side.get_attribute("class")
        assert page.evaluate("document.activeElement.dataset.article") == article  # back where the clinician was
