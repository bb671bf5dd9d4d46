"""Memory soak of the real app: does a long run of requests grow it?

    python -m eval.soak [--requests 20000] [--clients 4] [--index index]

Starts `app.py` on a free loopback port, measures its resident memory (RSS, from /proc) and the
p50 of single-client `/ask` calls, sends `--requests` requests from `--clients` threads (half
of them chat turns from a new browser session each, as tabs opening and closing do; half JSON
API calls), then measures again. Prints one JSON object; exits 1 when RSS grew by more than
`--max-growth-mb`. Takes minutes: not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .bench import http_ask, start_server
from .metrics import percentile
from .questions import load_questions

QUESTIONS = Path(__file__).with_name("questions.jsonl")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def chat_turn(client, url: str, fn_index: int, trigger: int, question: str) -> None:
    """One question from a new browser session, through Gradio's queue (what the page does)."""
    session = uuid.uuid4().hex[:12]
    body = {"data": [question, None, None, [], []], "fn_index": fn_index, "trigger_id": trigger, "session_hash": session,
            "event_data": None}
    event = client.post(f"{url}gradio_api/queue/join", json=body).json()["event_id"]
    with client.stream("GET", f"{url}gradio_api/queue/data", params={"session_hash": session}) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:") and event in line and '"process_completed"' in line:
                if '"success":true' not in line.replace(" ", ""):
                    raise RuntimeError(line[:300])
                return
    raise RuntimeError("the queue stream ended without a result")


def p50_ms(client, url: str, pairs, calls: int) -> float:
    times = []
    for i in range(calls):
        t0 = time.perf_counter()
        http_ask(client, url, *pairs[i % len(pairs)])
        times.append((time.perf_counter() - t0) * 1000)
    return percentile(times, 50)


def submit_event(url: str) -> tuple[int, int]:
    import httpx

    config = httpx.get(url + "config", timeout=10).json()
    box = next(c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == "qqa-question")
    fn = next(i for i, d in enumerate(config["dependencies"]) if [box, "submit"] in d["targets"])
    return fn, box


def load(url: str, pairs, requests: int, clients: int, pid: int) -> int:
    """Send `requests` requests from `clients` threads; returns the number that failed. Prints the
    RSS every 1,000 requests to stderr, so that a run cut short still tells its story."""
    import httpx

    fn_index, trigger = submit_event(url)
    done = iter(range(1, requests + 1))
    t0 = time.perf_counter()

    def run(k: int) -> int:
        errors = 0
        with httpx.Client(timeout=120) as client:
            for i in range(k, requests, clients):
                question, history = pairs[i % len(pairs)]
                try:
                    if i % 2:
                        http_ask(client, url, question, history)
                    else:
                        chat_turn(client, url, fn_index, trigger, question)
                except Exception:  # noqa: BLE001 - counted and reported
                    errors += 1
                n = next(done)  # a shared count: next() on one iterator is safe across threads in CPython
                if n % 1000 == 0:
                    print(f"{n} requests, {time.perf_counter() - t0:.0f} s, RSS {rss_mb(pid):.0f} MB",
                          file=sys.stderr, flush=True)
        return errors

    with ThreadPoolExecutor(clients) as pool:
        return sum(pool.map(run, range(clients)))


def main(argv: list[str] | None = None) -> int:
    import httpx

    parser = argparse.ArgumentParser(prog="python -m eval.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--index", type=Path, default=Path("index"))
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--probe", type=int, default=300, help="single-client calls for each p50")
    parser.add_argument("--max-growth-mb", type=float, default=100.0)
    args = parser.parse_args(argv)
    pairs = [(q.question, list(q.history)) for q in load_questions(QUESTIONS)]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log_path = Path(tempfile.gettempdir()) / f"quoteqa-soak-{port}.log"
    proc, _, url = start_server(args.index, args.corpus, port, log_path)
    try:
        with httpx.Client(timeout=120) as client:
            p50_ms(client, url, pairs, 100)  # warm up
            before = {"rss_mb": rss_mb(proc.pid), "p50_ms": p50_ms(client, url, pairs, args.probe)}
            t0 = time.perf_counter()
            errors = load(url, pairs, args.requests, args.clients, proc.pid)
            seconds = time.perf_counter() - t0
            after = {"rss_mb": rss_mb(proc.pid), "p50_ms": p50_ms(client, url, pairs, args.probe)}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    growth = after["rss_mb"] - before["rss_mb"]
    print(json.dumps({"requests": args.requests, "clients": args.clients, "errors": errors,
                      "seconds": round(seconds, 1), "before": before, "after": after,
                      "rss_growth_mb": round(growth, 1), "ok": growth <= args.max_growth_mb}, indent=2))
    return 0 if growth <= args.max_growth_mb else 1


if __name__ == "__main__":
    sys.exit(main())
