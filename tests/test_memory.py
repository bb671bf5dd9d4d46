"""Freed memory goes back to the system (serving/memory.py): the server's RSS follows what it
really uses instead of only climbing (issue 14's soak)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from serving.memory import malloc_trim
from tests.conftest import ROOT

FRAGMENT = """
import json
from pathlib import Path
from serving.memory import malloc_trim

def rss():
    return next(int(l.split()[1]) / 1024 for l in Path("/proc/self/status").read_text().splitlines()
                if l.startswith("VmRSS:"))

blocks = [bytes(2000) for _ in range(150_000)]   # ~300 MB from malloc, not Python's small-object pool
survivors = blocks[::50]                          # one live block every 100 KB: the heap cannot shrink by itself
del blocks
before = rss()
released = malloc_trim()()
print(json.dumps({"before": before, "after": rss(), "released": released}))
"""


@pytest.mark.skipif(malloc_trim() is None, reason="this C library has no malloc_trim (not glibc)")
def test_trimming_returns_freed_heap_pages_to_the_system():
    proc = subprocess.run([sys.executable, "-c", FRAGMENT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    rss = json.loads(proc.stdout)
    assert rss["released"] == 1
    assert rss["before"] - rss["after"] > 150, rss  # most of the ~300 MB freed but held came back


THREADS = """
import json, os, threading
from concurrent.futures import ThreadPoolExecutor
from qa.embed import OFFLINE_ENV
os.environ.update(OFFLINE_ENV)
from qa.embed import Embedder

threads = lambda: len(os.listdir("/proc/self/task"))
embedder = Embedder()
embedder.encode(["warm up: the model's own threads start here"])
before = threads()
callers = 8
ready = threading.Barrier(callers)

def ask(i):
    ready.wait()  # all callers alive at once, as a server's request threads are
    embedder.encode([f"question {i} about drop foot and its braces"])
    embedder.word_pieces("peroneal")
    ready.wait()  # ... and still alive when the threads are counted
    return threads()

with ThreadPoolExecutor(callers) as pool:
    during = max(pool.map(ask, range(callers)))
print(json.dumps({"before": before, "during": during, "callers": callers}))
"""


def test_model_calls_from_many_request_threads_do_not_add_threads():
    """A server answers from a pool of dozens of threads. Each thread that runs torch itself gets
    an OpenMP team of its own, kept for the thread's life, with stacks and malloc arenas: 4
    clients put ~150 MB on the soak's RSS. Every model call runs on the embedder's one thread."""
    proc = subprocess.run([sys.executable, "-c", THREADS], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    count = json.loads(proc.stdout)
    assert count["during"] - count["callers"] <= count["before"], count


@pytest.mark.parametrize("prune_every, left", [(0.2, 0), (3600.0, 12)])
def test_the_queue_forgets_sessions_whose_events_finished(prune_every, left):
    """Gradio's queue left an empty set behind for every session it had seen (each /ask call is
    one): ~300 bytes a request, for the life of the server. A real Gradio app served by
    `serving.make_app`, 12 API calls: with pruning nothing is left; with pruning an hour away, the
    12 sets are still there (what the test guards against)."""
    import gradio as gr
    import uvicorn

    from serving import GuardSettings
    from serving.server import make_app
    from tests.conftest import free_port

    def shout(text: str) -> str:
        return text.upper()

    with gr.Blocks() as demo:
        gr.api(shout, api_name="shout")
    demo.queue()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(make_app(demo, GuardSettings(), prune_every=prune_every),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{port}/"
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        for k in range(12):
            event = post(url + "gradio_api/call/shout", {"data": [f"call {k}"]})["event_id"]
            with urllib.request.urlopen(url + f"gradio_api/call/shout/{event}", timeout=30) as stream:
                assert f"CALL {k}" in stream.read().decode()
        time.sleep(1.0)  # a few pruning rounds when pruning runs
        assert len(demo._queue.pending_event_ids_session) == left
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def post(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())
