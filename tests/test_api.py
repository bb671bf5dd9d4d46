"""The JSON API (`POST /api/v1/ask`, `/api/docs`) of the real app, as a hospital system calling it
would use it: answers with verbatim quotes and the disclaimer, follow-ups read with their
history, every malformed call answered with what to fix, concurrent calls batched, the login."""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import CORPUS, DISCLAIMER_START, HYGIENE_ID, running_app

PASSWORD = "api-test-password"


def post(url: str, body: bytes | dict, headers: dict | None = None) -> tuple[int, dict]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url + "api/v1/ask", data=data, method="POST",
                                     headers={"content-type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def run_async(coroutine):
    """`asyncio.run` on a thread of its own: the browser tests' Playwright keeps a loop running here."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def article_text(article_id: str) -> str:
    text = (CORPUS / "articles" / f"{article_id}.md").read_text(encoding="utf-8")
    return " ".join(text.split())


@pytest.fixture(scope="module")
def server(built_index, tmp_path_factory):
    with running_app(built_index, tmp_path_factory.mktemp("api")) as url:
        yield url


@pytest.fixture(scope="module")
def tagged_server(tagged_index, tagged_corpus, tmp_path_factory):
    """The app over the real corpus plus a tagged article on hand hygiene (conftest.HYGIENE)."""
    with running_app(tagged_index, tmp_path_factory.mktemp("api-tagged"), corpus=tagged_corpus) as url:
        yield url


@pytest.fixture(scope="module")
def guarded(built_index, tmp_path_factory):
    launcher = ["env", f"QUOTEQA_AUTH=clin:{PASSWORD}", sys.executable]
    with running_app(built_index, tmp_path_factory.mktemp("api-login"), launcher=launcher) as url:
        yield url


def test_a_question_is_answered_with_verbatim_quotes_citations_and_the_disclaimer(server):
    status, answer = post(server, {"question": "What brace is used for foot drop?"})
    assert status == 200 and answer["status"] == "answered" and answer["quotes"]
    for quote in answer["quotes"]:
        assert " ".join(quote["text"].split()) in article_text(quote["article_id"])
        assert quote["number"] in [s["number"] for s in answer["sources"]]
    assert "orthos" in " ".join(q["text"] for q in answer["quotes"]).lower()
    assert answer["disclaimer"].startswith(DISCLAIMER_START)


def test_a_followup_is_read_with_its_history(server):
    status, answer = post(server, {"question": "Can it be permanent?", "history": ["What is foot drop?"]})
    assert status == 200 and answer["followup"] is True
    assert "foot drop" in answer["query"].lower()


def test_a_question_the_articles_do_not_answer_abstains_with_the_disclaimer(server):
    status, answer = post(server, {"question": "What is the dose of amoxicillin for otitis media?"})
    assert status == 200 and answer["status"] == "abstained" and not answer["quotes"]
    assert answer["message"] and answer["disclaimer"].startswith(DISCLAIMER_START)


@pytest.mark.parametrize("body, says", [
    (b"not json", "not JSON"),
    ({"question": 5}, "question"),
    ({"history": []}, "question"),
    ({"question": "What is foot drop?", "history": "What is foot drop?"}, "history"),
    ({"question": "What is foot drop?", "history": [1, 2]}, "history"),
    ({"question": "What is foot drop?", "history": ["q"] * 51}, "history"),
    ({"question": "What is foot drop?", "history": ["x" * 1001]}, "1,000"),
    ({"question": "What is foot drop?", "extra": True}, "extra"),
    ({"question": ""}, "Please type a question"),
    ({"question": "why " * 400}, "limit is 1,000"),
])
def test_a_malformed_call_gets_an_invalid_answer_that_says_what_to_fix(server, body, says):
    status, answer = post(server, body)
    assert status == 422 and answer["status"] == "invalid" and not answer["quotes"]
    assert says in answer["message"], answer["message"]
    assert answer["disclaimer"].startswith(DISCLAIMER_START)


def test_an_oversized_body_is_refused_with_the_disclaimer(server):
    status, answer = post(server, {"question": "What is foot drop?", "history": ["x" * 999] * 2000})
    assert status == 413 and "larger than this server accepts" in answer["error"]
    assert answer["disclaimer"].startswith(DISCLAIMER_START)


def test_sixteen_concurrent_callers_each_get_their_own_answer(server):
    questions = [f"What brace is used for foot drop in patient {k}?" for k in range(16)]
    questions[3] = questions[11] = ""  # two bad calls among them spoil nothing
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda q: post(server, {"question": q}), questions * 2))
    for question, (status, answer) in zip(questions * 2, results):
        assert answer["question"] == question
        assert (status, answer["status"]) == ((422, "invalid") if not question else (200, "answered"))
        assert answer["disclaimer"].startswith(DISCLAIMER_START)


def test_concurrent_calls_are_answered_in_batches_and_a_lone_call_alone():
    """The batcher, in process, over a real batch function: what it is handed and what each caller gets."""
    from serving import AskApi
    from serving.api import Batcher

    seen: list[list] = []

    def answer_batch(calls):
        seen.append(list(calls))
        return [{"question": q, "history": h} for q, h in calls]

    async def run():
        batcher = Batcher(AskApi(answer_batch=answer_batch, invalid=lambda q, m: {}, workers=1, gather_s=0.05))
        batcher.start()
        try:
            lone = await batcher.ask("alone", [])
            together = await asyncio.gather(*(batcher.ask(f"q{k}", [f"h{k}"]) for k in range(10)))
        finally:
            await batcher.stop()
        return lone, together

    lone, together = run_async(run())
    assert lone == {"question": "alone", "history": []} and seen[0] == [("alone", [])]
    assert together == [{"question": f"q{k}", "history": [f"h{k}"]} for k in range(10)]
    assert sum(len(b) for b in seen[1:]) == 10 and max(len(b) for b in seen[1:]) > 1


def test_with_a_login_the_api_asks_for_credentials(guarded):
    status, answer = post(guarded, {"question": "What is foot drop?"})
    assert status == 401 and "Sign in" in answer["message"] and answer["disclaimer"].startswith(DISCLAIMER_START)
    wrong = "Basic " + base64.b64encode(b"clin:wrong").decode()
    assert post(guarded, {"question": "What is foot drop?"}, {"authorization": wrong})[0] == 401
    assert post(guarded, {"questions": 3})[0] == 401  # a malformed call not signed in: 401, not how to mend it
    right = "Basic " + base64.b64encode(f"clin:{PASSWORD}".encode()).decode()
    status, answer = post(guarded, {"question": "What is foot drop?"}, {"authorization": right})
    assert status == 200 and answer["status"] == "answered"
    status, answer = post(guarded, {"questions": 3}, {"authorization": right})  # signed in: what to mend
    assert status == 422 and "question" in answer["message"]
    with pytest.raises(urllib.error.HTTPError) as denied:
        urllib.request.urlopen(guarded + "api/docs", timeout=10)
    assert denied.value.code == 401


def test_the_docs_describe_the_api_and_load_nothing_from_the_internet(server, browser):
    spec = json.loads(urllib.request.urlopen(server + "api/openapi.json", timeout=10).read())
    ask = spec["paths"]["/api/v1/ask"]["post"]
    assert {"200", "401", "413", "422", "500"} <= set(ask["responses"])
    assert "question" in json.dumps(spec["components"]["schemas"]["AskBody"])
    context = browser.new_context()
    try:
        page = context.new_page()
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(server + "api/docs")
        page.get_by_text("/api/v1/ask").first.wait_for(timeout=20_000)
        assert page.locator(".info .title").first.inner_text().startswith("QuoteQA API")
    finally:
        context.close()
    outside = [u for u in requests if not u.startswith(server) and not u.startswith("data:")]
    assert not outside, outside


def test_wrong_passwords_are_throttled_on_the_api_and_metrics_but_calls_without_any_are_not(built_index, tmp_path):
    """20 wrong passwords from one address within a minute: 429, on every route that takes
    credentials; a probe or a docs page opened without credentials is not a wrong password."""
    launcher = ["env", f"QUOTEQA_AUTH=clin:{PASSWORD}", sys.executable]
    with running_app(built_index, tmp_path, launcher=launcher) as url:
        for _ in range(25):
            assert post(url, {"question": "What is foot drop?"})[0] == 401
        wrong = {"authorization": "Basic " + base64.b64encode(b"clin:guess").decode()}
        codes = []
        for k in range(21):
            request = urllib.request.Request(url + ("metrics" if k % 2 else "api/docs"), headers=wrong)
            try:
                codes.append(urllib.request.urlopen(request, timeout=10).status)
            except urllib.error.HTTPError as exc:
                codes.append(exc.code)
        assert codes[:20] == [401] * 20 and codes[20] == 429
        right = "Basic " + base64.b64encode(f"clin:{PASSWORD}".encode()).decode()
        assert post(url, {"question": "What is foot drop?"}, {"authorization": right})[0] == 429  # the address waits


def test_calls_beyond_the_waiting_cap_are_refused_at_once_not_queued():
    import time

    from serving import AskApi
    from serving.api import Batcher, Busy

    def slow(calls):
        time.sleep(0.2)
        return [{"question": q} for q, _ in calls]

    async def run():
        batcher = Batcher(AskApi(answer_batch=slow, invalid=lambda q, m: {}, workers=1, max_batch=1, max_waiting=3))
        batcher.start()
        try:
            return await asyncio.gather(*(batcher.ask(f"q{k}", []) for k in range(8)), return_exceptions=True)
        finally:
            await batcher.stop()

    results = run_async(run())
    answered = [r["question"] for r in results if isinstance(r, dict)]
    assert answered == ["q0", "q1", "q2"] and all(isinstance(r, Busy) for r in results[3:])


def test_a_scoped_call_answers_only_from_its_articles(tagged_server):
    scope = ["droracle-medical-management-foot-drop"]
    status, answer = post(tagged_server, {"question": "What brace is used for foot drop?", "articles": scope})
    assert status == 200 and answer["status"] == "answered" and answer["scope"] == scope
    assert answer["quotes"] and {q["article_id"] for q in answer["quotes"]} == set(scope)
    text = article_text(scope[0])
    assert all(" ".join(q["text"].split()) in text for q in answer["quotes"])  # verbatim, from that article
    assert "Searched only “What is the medical management of foot drop?”" in answer["markdown"].replace("\\", "")
    assert answer["disclaimer"].startswith(DISCLAIMER_START)
    # a follow-up of the same scope keeps to it
    status, follow = post(tagged_server, {"question": "Can it be bought off the shelf?", "articles": scope,
                                          "history": ["What brace is used for foot drop?"]})
    assert status == 200 and {q["article_id"] for q in follow["quotes"]} == set(scope)


def test_a_scope_by_tag_that_does_not_answer_abstains_and_offers_to_search_all(tagged_server):
    status, answer = post(tagged_server, {"question": "What brace is used for foot drop?", "tags": ["ward 3"]})
    assert status == 200 and answer["status"] == "abstained" and answer["scope"] == [HYGIENE_ID]
    assert answer["quotes"] == [] and answer["nearest"] == [HYGIENE_ID]
    assert answer["message"] == "“Hand hygiene on the ward” does not answer this question, so no passage is quoted."
    assert "ask again without the scope" in answer["markdown"]
    assert answer["markdown"].rstrip().endswith("*") and answer["disclaimer"].startswith(DISCLAIMER_START)
    # the same question of every article is answered
    status, everywhere = post(tagged_server, {"question": "What brace is used for foot drop?"})
    assert everywhere["status"] == "answered" and everywhere["scope"] == []


@pytest.mark.parametrize("body,says", [
    ({"articles": ["no-such-article"]}, "No indexed article has the id “no-such-article”"),
    ({"tags": ["cardiology"]}, "No indexed article is tagged “cardiology”. The tags in use are “"),
    ({"articles": "hand-hygiene-ward-3"}, "articles: Input should be a valid list"),
])
def test_an_unknown_article_or_tag_gets_an_invalid_answer_that_names_it(tagged_server, body, says):
    status, answer = post(tagged_server, {"question": "What brace is used for foot drop?", **body})
    assert status == 422 and answer["status"] == "invalid" and says in answer["message"]
    assert answer["quotes"] == [] and answer["disclaimer"].startswith(DISCLAIMER_START)
