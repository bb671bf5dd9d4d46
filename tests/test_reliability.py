"""Reliability: rebuilds while serving, damaged builds, killed ingests, load, fuzzing, no network.

Deterministic and without wall-clock thresholds: loops are bounded by counts, and timeouts only
guard against hangs.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from qa.index import LiveIndex
from qa.index.layout import resolve_build
from qa.present import escape_md, render_markdown
from qa.index import load_store
from qa.verbatim import normalise
from tests.conftest import CORPUS, ROOT
from tests.conftest import running_app
from tests.test_hardening import Page

QUESTIONS = [("What brace is used for foot drop?", []), ("How is CIDP treated?", []),
             ("Can it be bought off the shelf?", ["What brace is used for foot drop?"]),
             ("What is the capital of France?", []), ("Which exercises can be done at home?", [])]


def expected_answers(engine) -> dict[str, str]:
    return {q: render_markdown(engine.ask(q, h)) for q, h in QUESTIONS}


def corrupt_copy_of_current(index: Path) -> str:
    """Put a damaged copy of the live build in place, as a botched manual rebuild would."""
    good = resolve_build(index)
    bad = index / "builds" / "zz-bad"
    shutil.copytree(good, bad)
    data = bytearray((bad / "sentences.npy").read_bytes())
    data[len(data) // 2] ^= 0x40
    (bad / "sentences.npy").write_bytes(bytes(data))
    os.symlink("builds/zz-bad", index / "current.new")
    os.replace(index / "current.new", index / "current")
    return "builds/zz-bad"


def test_live_engine_switches_builds_and_refuses_a_damaged_one(index_copy, embedder, build):
    from qa import Engine

    engine = Engine(load_store(index_copy), embedder)
    live = LiveIndex(engine, index_copy, engine.reloaded, check_every=0.0)
    before = expected_answers(engine)
    old_build = engine.index_build

    build(CORPUS, index_copy, force=True)
    assert live.reload_now() is True
    assert live.current.index_build != old_build
    assert expected_answers(live.current) == {q: md for q, md in before.items()}  # same corpus, same answers

    serving = live.current.index_build
    corrupt_copy_of_current(index_copy)
    assert live.reload_now() is False
    assert "sentences.npy" in live.last_error and "python -m ingest --force" in live.last_error
    assert live.current.index_build == serving
    assert expected_answers(live.current) == before


def ask_json(client, question, history):
    return client.predict(question, history, api_name="/ask")


def test_rebuild_while_serving_switches_without_a_failed_answer(index_copy, tmp_path, engine):
    from gradio_client import Client

    expected = expected_answers(engine)
    with running_app(index_copy, tmp_path) as url:
        client = Client(url, verbose=False)
        first = ask_json(client, *QUESTIONS[0])["index_build"]
        page = Page(url, json.loads(urllib.request.urlopen(url + "config", timeout=10).read()))
        assert first not in json.dumps(header_sent(page.ask("What brace is used for foot drop?")))  # nothing new
        answers, errors, stop_flag = [], [], threading.Event()

        def keep_asking():
            for i in range(3000):  # bounded; stops early once the switch has been seen
                if stop_flag.is_set():
                    return
                q, h = QUESTIONS[i % len(QUESTIONS)]
                try:
                    answers.append((q, ask_json(client, q, h)))
                except Exception as exc:  # noqa: BLE001 - any failure is what the test counts
                    errors.append(repr(exc))

        asker = threading.Thread(target=keep_asking)
        asker.start()
        ingest = subprocess.run([sys.executable, "-m", "ingest", "--force", "--index", str(index_copy),
                                 "--corpus", str(CORPUS)], cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert ingest.returncode == 0, ingest.stderr
        new_build = load_store(index_copy).manifest.digest
        for _ in range(2000):  # wait (bounded) until the app answers from the new build
            if answers and answers[-1][1]["index_build"] == new_build:
                break
            threading.Event().wait(0.05)
        stop_flag.set()
        asker.join(timeout=120)
        builds = [a["index_build"] for _, a in answers]
        assert not errors, errors[:3]
        assert first != new_build and builds[-1] == new_build
        switch = builds.index(new_build)
        assert set(builds[:switch]) <= {first} and set(builds[switch:]) == {new_build}, "answers went back to the old build"
        for q, a in answers:
            assert a["markdown"] == expected[q], f"garbled answer for {q!r}"
            assert a["markdown"].rstrip().endswith(f"*{escape_md(a['disclaimer'])}*")
        # the chat page's header shows the new build with the next answer
        assert new_build in json.dumps(header_sent(page.ask("Does FES help foot drop?")))


def header_sent(result: dict):
    """What a chat answer sent for the page's header (outputs: box, chat, turns, ratings, source, header, ...)."""
    return result["output"]["data"][5]


def test_running_app_keeps_serving_when_a_damaged_build_is_swapped_in(index_copy, tmp_path, engine):
    from gradio_client import Client

    expected = expected_answers(engine)
    with running_app(index_copy, tmp_path) as url:
        client = Client(url, verbose=False)
        serving = ask_json(client, *QUESTIONS[0])["index_build"]
        corrupt_copy_of_current(index_copy)
        for i in range(40):  # the app looks at most every 0.5 s; ask across several checks
            q, h = QUESTIONS[i % len(QUESTIONS)]
            a = ask_json(client, q, h)
            assert a["index_build"] == serving and a["markdown"] == expected[q]
            threading.Event().wait(0.05)
    log = next(tmp_path.glob("app-*.log")).read_text()
    assert "zz-bad" in log and "sentences.npy" in log and "python -m ingest --force" in log


@pytest.mark.parametrize("kill_after", ["Reading the corpus", "Embedding", "Writing build", "Switching"])
def test_ingest_killed_at_any_stage_leaves_a_loadable_index(index_copy, engine, kill_after):
    before = expected_answers(engine)
    proc = subprocess.Popen([sys.executable, "-m", "ingest", "--force", "--index", str(index_copy),
                             "--corpus", str(CORPUS)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:  # progress lines are printed as each stage starts
        if line.startswith(kill_after):
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=300)
    assert proc.returncode == -signal.SIGKILL, f"ingest finished before the kill point {kill_after!r}"

    reloaded = engine.reloaded(index_copy)
    assert expected_answers(reloaded) == before
    # a later run cleans up what the killed one left
    subprocess.run([sys.executable, "-m", "ingest", "--index", str(index_copy), "--corpus", str(CORPUS), "--force", "--quiet"],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    assert not list((index_copy / "builds").glob("*.tmp"))


def test_sixteen_concurrent_clients_get_the_single_threaded_answers(built_index, tmp_path, engine):
    from gradio_client import Client

    expected = expected_answers(engine)
    with running_app(built_index, tmp_path) as url:
        clients = [Client(url, verbose=False) for _ in range(16)]

        def session(k):
            out = []
            for i in range(10):
                q, h = QUESTIONS[(k + i) % len(QUESTIONS)]
                out.append((q, ask_json(clients[k], q, h)))
            return out

        with ThreadPoolExecutor(16) as pool:
            results = [r for batch in pool.map(session, range(16)) for r in batch]
    assert len(results) == 160
    for q, a in results:
        assert a["markdown"] == expected[q]
        assert a["disclaimer"] and a["markdown"].rstrip().endswith(f"*{escape_md(a['disclaimer'])}*")


def test_overload_beyond_the_queue_gets_a_fast_busy_reply_not_a_hang(built_index, tmp_path):
    from gradio_client import Client

    with running_app(built_index, tmp_path, extra=["--queue-size", "1", "--concurrency", "1"]) as url:
        client = Client(url, verbose=False)
        jobs = [client.submit("What brace is used for foot drop? " + "x " * (i % 7), [], api_name="/ask")
                for i in range(40)]
        done, busy = 0, 0
        for job in jobs:
            try:
                job.result(timeout=120)  # a hang guard, not a speed threshold
                done += 1
            except Exception as exc:  # noqa: BLE001
                assert "queue is full" in str(exc).lower(), repr(exc)
                busy += 1
    assert done >= 1 and busy >= 1 and done + busy == 40


text_strategy = st.text(alphabet=st.characters(codec="utf-8"), max_size=300) | st.sampled_from([
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))", "**bold** _it_ `code`",
    "\x00\x01\x1b[31m", "foot drop " * 150, "AFO?" * 300, "\u202eevil", "", "   ",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(question=text_strategy, history=st.lists(text_strategy, max_size=4))
def test_fuzzed_questions_never_raise_and_stay_well_formed(engine, question, history):
    answer = engine.ask(question, history)
    assert answer.status in ("answered", "abstained", "invalid")
    assert render_markdown(answer).rstrip().endswith(f"*{escape_md(engine.disclaimer)}*")
    for q in answer.quotes:
        text = engine.articles[q.article_id].text
        assert text[q.start:q.end] == q.text and normalise(q.text) in normalise(text)
    assert "<script" not in render_markdown(answer) and "<img" not in render_markdown(answer)


def _outbound(log: Path) -> list[str]:
    bad = []
    for line in log.read_text().splitlines():
        record = json.loads(line)
        target = record.get("address") or record.get("host") or ""
        if record["event"] == "socket.connect" and not target.startswith("'/"):  # AF_UNIX paths are local
            if not any(h in target for h in ("'127.", "'localhost'", "'::1'")):
                bad.append(line)
        elif record["event"] == "socket.getaddrinfo" and target not in ("'127.0.0.1'", "'localhost'", "'::1'", "None", "b'127.0.0.1'"):
            bad.append(line)
    return bad


def test_ingest_and_app_open_no_outbound_connection(tmp_path):
    from gradio_client import Client

    watch = [sys.executable, str(ROOT / "tests" / "netwatch.py")]
    ingest_log = tmp_path / "ingest-net.jsonl"
    subprocess.run(watch + [str(ingest_log), "-m", "ingest", "--index", str(tmp_path / "index"), "--corpus", str(CORPUS)],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    app_log = tmp_path / "app-net.jsonl"
    with running_app(tmp_path / "index", tmp_path, launcher=watch + [str(app_log)]) as url:
        answer = Client(url, verbose=False).predict("What brace is used for foot drop?", [], api_name="/ask")
        assert answer["status"] == "answered"
    assert app_log.exists() and app_log.read_text().strip(), "the watcher recorded nothing: it did not run"
    assert not _outbound(ingest_log), _outbound(ingest_log)
    assert not _outbound(app_log), _outbound(app_log)


def test_the_network_check_flags_outbound_events(tmp_path):
    """The classifier above, on recorded events (no traffic is sent to make them)."""
    log = tmp_path / "events.jsonl"
    events = [{"event": "socket.connect", "address": "('127.0.0.1', 7860)"},
              {"event": "socket.connect", "address": "'/run/dbus/socket'"},
              {"event": "socket.getaddrinfo", "host": "'localhost'", "port": "7860"},
              {"event": "socket.getaddrinfo", "host": "'huggingface.co'", "port": "443"},
              {"event": "socket.connect", "address": "('93.184.216.34', 443)"}]
    log.write_text("\n".join(json.dumps(e) for e in events))
    flagged = _outbound(log)
    assert len(flagged) == 2 and "huggingface.co" in flagged[0] and "93.184.216.34" in flagged[1]


def test_a_citation_from_before_a_rebuild_marks_the_words_it_quoted(corpus_copy, tmp_path, build):
    """After a rebuild moved the article's text, the viewer marks what the earlier answer quoted, not
    whatever now sits at its old offsets, and says which quoted passages the article lost."""
    import html as html_lib
    import re

    import qa
    from qa.present import source_html

    index = tmp_path / "index"
    build(corpus_copy, index)
    answer = qa.load(index).ask("What are the symptoms of foot drop?")
    quoted = [q.text for q in answer.quotes if q.number == 1]
    assert "Foot pain or cramping" in quoted and len(quoted) >= 3
    path = corpus_copy / "articles" / "symptom-database-foot-drop.md"
    text = path.read_text(encoding="utf-8")
    earlier = next(line for line in text.splitlines() if line.startswith("- Spinal cord injury:"))
    path.write_text(text.replace(earlier + "\n", "").replace("Foot pain or cramping", "Foot pain"), encoding="utf-8")
    build(corpus_copy, index)
    rebuilt = qa.load(index)
    assert rebuilt.index_build != answer.index_build

    page = source_html(rebuilt, answer, 0, 1)
    marked = [html_lib.unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", page, flags=re.S)]
    assert sorted(marked) == sorted(t for t in quoted if t != "Foot pain or cramping")
    assert f"1 of the {len(quoted)} passages it quoted from here is no longer in it" in page


def test_an_unexpected_error_while_loading_a_build_leaves_the_old_one_serving_and_ready(index_copy, build):
    """A loader failing in a way nobody foresaw (not a QuoteQA error) must not leave the app
    'loading' for ever: /readyz would say not ready until a restart."""
    def broken(path):
        raise RuntimeError("simulated bug in a loader")

    live = LiveIndex("old engine", index_copy, broken, check_every=0.0)
    build(CORPUS, index_copy, force=True)
    assert live.reload_now() is False
    assert live.current == "old engine" and live.loading is False
    assert live.reloads == {"switched": 0, "failed": 1} and "simulated bug" in live.last_error
