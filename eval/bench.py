"""Speed benchmark (not a test): `python -m eval.bench [--index DIR] [--calls N] [--json]`.

Measures, on this machine: `ask()` latency over N warm calls cycling through the eval questions
(p50/p95/p99) and the cost of encoding one query alone (the floor `ask()` cannot go below), each
with both query encoders (onnxruntime and PyTorch, `[onnx]`/`[torch]`) and their ratios, a full
ingest (re-embedding) of the corpus with each, peak memory; then starts the real app and
measures cold start to first answer and latency through Gradio's HTTP API (POST + event stream)
for 1 client (200 calls) and 16 concurrent clients (25 calls each), with answers per second, the
same through the JSON API (`POST /api/v1/ask`, concurrent calls batched) with its ratios to
in-process `ask()`, and one figure through the gradio_client library for comparison. Each figure is printed
with how it was measured so it can be reproduced.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from .metrics import percentile
from .questions import load_questions


def bench_ask(engine, questions, calls: int) -> dict[str, float]:
    pairs = [(q.question, list(q.history)) for q in questions]
    for question, history in pairs[:10]:  # warm-up
        engine.ask(question, history)
    times = []
    for i in range(calls):
        question, history = pairs[i % len(pairs)]
        t0 = time.perf_counter()
        engine.ask(question, history)
        times.append((time.perf_counter() - t0) * 1000)
    encode = []
    for question, _ in pairs[: min(calls, len(pairs))]:
        t0 = time.perf_counter()
        engine.encode([question])
        encode.append((time.perf_counter() - t0) * 1000)
    return {"ask_p50_ms": percentile(times, 50), "ask_p95_ms": percentile(times, 95),
            "ask_p99_ms": percentile(times, 99), "ask_mean_ms": statistics.fmean(times),
            "encode_one_query_p50_ms": percentile(encode, 50)}


def start_server(index: Path, corpus: Path, port: int, log_path: Path):
    """Start the real app; return (process, seconds from spawn to its first answer)."""
    import subprocess
    import urllib.request

    from gradio_client import Client

    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port), "--index", str(index), "--corpus", str(corpus)],
                            stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(1200):
        try:
            urllib.request.urlopen(url, timeout=1)
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"the app exited; see {log_path}")
            time.sleep(0.05)
    Client(url, verbose=False).predict("What brace is used for foot drop?", [], api_name="/ask")
    return proc, time.perf_counter() - t0, url


def http_ask(client, base: str, question: str, history: list[str]) -> dict:
    """One call of the app's /ask endpoint through Gradio's HTTP API: POST the inputs, then read
    the result from the event stream (no client library, so its overhead is not measured)."""
    event = client.post(f"{base}gradio_api/call/ask", json={"data": [question, history]}).json()["event_id"]
    kind = None
    with client.stream("GET", f"{base}gradio_api/call/ask/{event}") as stream:
        for line in stream.iter_lines():
            if line.startswith("event:"):
                kind = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and kind in ("complete", "error"):
                if kind == "error":
                    raise RuntimeError(line)
                return json.loads(line[5:])[0]
    raise RuntimeError("the event stream ended without a result")


def api_ask(client, base: str, question: str, history: list[str]) -> dict:
    """One call of the JSON API: `POST /api/v1/ask`."""
    return client.post(f"{base}api/v1/ask", json={"question": question, "history": history}).json()


def bench_http(url: str, questions, clients: int, per_client: int, ask=http_ask, tag: str = "http") -> dict[str, float]:
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    pairs = [(q.question, list(q.history)) for q in questions]
    sessions = [httpx.Client(timeout=120) for _ in range(clients)]
    for s in sessions:  # warm each connection
        ask(s, url, *pairs[0])

    def run(k):
        times, errors = [], 0
        for i in range(per_client):
            q, h = pairs[(k * per_client + i) % len(pairs)]
            t0 = time.perf_counter()
            try:
                answer = ask(sessions[k], url, q, h)
                errors += not answer["markdown"].rstrip().endswith("*")
            except Exception:  # noqa: BLE001 - counted, reported
                errors += 1
            times.append((time.perf_counter() - t0) * 1000)
        return times, errors

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(run, range(clients)))
    wall = time.perf_counter() - t0
    times = [t for ts, _ in results for t in ts]
    tag = f"{tag}_{clients}c"
    return {f"{tag}_p50_ms": percentile(times, 50), f"{tag}_p95_ms": percentile(times, 95),
            f"{tag}_answers_per_s": len(times) / wall, f"{tag}_errors": float(sum(e for _, e in results))}


def bench_gradio_client(url: str, calls: int = 60) -> dict[str, float]:
    """The same call through the gradio_client library, which adds its own client-side time."""
    from gradio_client import Client

    client = Client(url, verbose=False)
    times = []
    for _ in range(calls):
        t0 = time.perf_counter()
        client.predict("What brace is used for foot drop?", [], api_name="/ask")
        times.append((time.perf_counter() - t0) * 1000)
    return {"gradio_client_1c_p50_ms": percentile(times[5:], 50)}


def bench_ingest(corpus: Path, encoder: str = "onnx") -> dict[str, float]:
    from ingest import build_index
    from qa.index import ENCODER

    with tempfile.TemporaryDirectory() as tmp:
        result = build_index(corpus, Path(tmp) / "index", force=True, quiet=True, encoder=encoder)
        size = sum(p.stat().st_size for p in result.build_dir.rglob("*") if p.is_file() and p.name != ENCODER)
    chunks = result.manifest.counts["chunks"]
    return {f"ingest_s[{encoder}]": result.seconds, f"ingest_chunks_per_s[{encoder}]": chunks / result.seconds,
            "index_kib": size / 1024, "chunks": chunks}


def both_encoders(engine) -> dict[str, object]:
    """The engine with each query encoder over the same index (the vectors are the same)."""
    other = "torch" if engine.encoder == "onnx" else "onnx"
    return {engine.encoder: engine, other: engine.with_encoder(other)}


def encoder_ratios(results: dict[str, float]) -> dict[str, float]:
    """The ratios the speed work is judged by, from one round's figures."""
    return {"ask_p50_onnx_over_torch": results["ask_p50_ms[onnx]"] / results["ask_p50_ms[torch]"],
            "ask_p50_over_onnx_encode": results["ask_p50_ms[onnx]"] / results["encode_one_query_p50_ms[onnx]"],
            "ingest_onnx_over_torch": results["ingest_s[onnx]"] / results["ingest_s[torch]"]}


def _rss_mib(pid: int) -> float:
    """Peak resident memory of a running process (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(args) -> dict[str, float]:
    """One full round of measurements."""
    import os

    import qa
    from qa.embed import OFFLINE_ENV

    os.environ.update(OFFLINE_ENV)  # before the model library is imported

    engine = qa.load(args.index)  # load time: see the app's cold start, measured in a fresh process
    results: dict[str, float] = {}
    questions = load_questions(args.questions)
    for runtime, each in sorted(both_encoders(engine).items()):  # side by side, in the same round
        results.update({f"{k}[{runtime}]": v for k, v in bench_ask(each, questions, args.calls).items()})
    for runtime in ("onnx", "torch"):
        results.update(bench_ingest(args.corpus, runtime))
    results.update(encoder_ratios(results))
    results["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    del engine  # the server below gets the machine to itself
    if not args.no_http:
        proc, cold, url = start_server(args.index, args.corpus, args.port, Path(tempfile.gettempdir()) / "quoteqa-bench-app.log")
        try:
            results["app_cold_start_to_first_answer_s"] = cold
            results.update(bench_http(url, questions, 1, 200))
            results.update(bench_http(url, questions, 16, 25))
            results.update(bench_http(url, questions, 1, 200, api_ask, "api"))
            results.update(bench_http(url, questions, 16, 25, api_ask, "api"))
            results["api_1c_p50_over_ask_p50"] = results["api_1c_p50_ms"] / results["ask_p50_ms[onnx]"]
            results["api_16c_over_1c_answers_per_s"] = results["api_16c_answers_per_s"] / results["api_1c_answers_per_s"]
            results.update(bench_gradio_client(url))
            results["app_rss_mib"] = _rss_mib(proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=Path("index"))
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--questions", type=Path, default=Path(__file__).with_name("questions.jsonl"))
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-http", action="store_true", help="skip the app server measurements")
    parser.add_argument("--port", type=int, default=7899)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; each figure is the median over them")
    args = parser.parse_args(argv)

    runs = [measure(args) for _ in range(args.repeat)]
    results = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"median of {args.repeat} rounds; each round: {args.calls} warm ask() calls over the eval "
              f"questions, a re-embedding ingest of {args.corpus}, the app over HTTP\n")
        for key, value in results.items():
            print(f"{key:34} {value:10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
