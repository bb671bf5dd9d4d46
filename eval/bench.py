"""Speed benchmark (not a test): `python -m eval.bench [--index DIR] [--calls N] [--json]`.

Measures, on this machine: `ask()` latency over N warm calls cycling through the eval questions
(p50/p95/p99), the cost of encoding one query alone (the floor `ask()` cannot go below), engine
load time, a full ingest (re-embedding) of the corpus, and peak memory. Each figure is printed
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
        engine.embedder.encode([question])
        encode.append((time.perf_counter() - t0) * 1000)
    return {"ask_p50_ms": percentile(times, 50), "ask_p95_ms": percentile(times, 95),
            "ask_p99_ms": percentile(times, 99), "ask_mean_ms": statistics.fmean(times),
            "encode_one_query_p50_ms": percentile(encode, 50)}


def bench_ingest(corpus: Path) -> dict[str, float]:
    from ingest import build_index

    with tempfile.TemporaryDirectory() as tmp:
        result = build_index(corpus, Path(tmp) / "index", force=True, quiet=True)
        size = sum(p.stat().st_size for p in result.build_dir.rglob("*") if p.is_file())
    chunks = result.manifest.counts["chunks"]
    return {"ingest_s": result.seconds, "ingest_chunks_per_s": chunks / result.seconds,
            "index_kib": size / 1024, "chunks": chunks}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=Path("index"))
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--questions", type=Path, default=Path(__file__).with_name("questions.jsonl"))
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    import qa

    t0 = time.perf_counter()
    engine = qa.load(args.index)
    results: dict[str, float] = {"engine_load_s": time.perf_counter() - t0}
    results.update(bench_ask(engine, load_questions(args.questions), args.calls))
    results.update(bench_ingest(args.corpus))
    results["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{args.calls} warm ask() calls over the eval questions; ingest re-embeds {args.corpus}\n")
        for key, value in results.items():
            print(f"{key:26} {value:10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
