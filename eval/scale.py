"""Scale benchmark (not a test): `python -m eval.scale [--sizes 10000 100000 1000000] [--work DIR]`.

For each size, builds an index folder of that many chunks with the real writer (`ingest`), loads
it with the real loader and answers the eval questions with the real engine, then reports: build
time, size on disk, load time, `ask()` latency, nearest-sentence agreement with exact search
(recall@10 of the shipped search against brute force over the same sentence vectors), both
searches' latency, and whether known questions still get their evidence quoted and unanswerable
ones abstain.

The library is synthetic: the two real articles, plus generated articles whose chunks are one or
two real sentences each (verbatim, so quotes stay checkable). Embedding a million chunks with the
model takes about an hour on two cores, so synthetic vectors are derived instead: each synthetic
sentence gets its source sentence's real embedding plus noise. The model's own throughput is measured on a sample (`embed_rate`) and
the full ingest time extrapolated from it. Each size's build and vectors stay under --work and are
reused by later runs with the same seed and base index (delete the folder to rebuild).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CHUNKS_PER_ARTICLE = 50
NOISE = 0.025  # per-dimension std: a perturbed vector keeps cosine ~0.9 with its source


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def synthetic_library(base, n_chunks: int, corpus: Path, seed: int = 0):
    """A `BuildContent` for a library of `n_chunks` chunks built on the real `base` store."""
    from qa.index import Article, BuildContent, context_text, sentence_context_text

    rng = np.random.default_rng(seed)
    articles = list(base.articles.values())
    chunks, sentences = list(base.chunks), list(base.sentences)
    source_rows = [s.id for s in base.sentences]
    sentence_src: list[int] = list(source_rows)  # row of the real sentence each sentence copies
    n_new = max(0, n_chunks - len(chunks))
    for a in range((n_new + CHUNKS_PER_ARTICLE - 1) // CHUNKS_PER_ARTICLE):
        article_id = f"synthetic-{a:06d}"
        count = min(CHUNKS_PER_ARTICLE, n_new - a * CHUNKS_PER_ARTICLE)
        picks, sizes = rng.choice(source_rows, size=(count, 2)), rng.integers(1, 3, size=count)
        text = _add_chunks(base, article_id, [[int(r) for r in picks[k][: sizes[k]]] for k in range(count)],
                           chunks, sentences, sentence_src)
        articles.append(Article(article_id, f"Synthetic article {a}", "QuoteQA scale benchmark", None, None, None,
                                None, None, {}, None, f"synthetic/{article_id}.md", text))
    sentence_vecs = _copied_vectors(base.sentence_vectors, sentence_src, rng)
    titles = {a.id: a.title for a in articles}
    by_id = {c.id: c for c in chunks}
    chunk_texts = [context_text(titles[c.article_id], c) for c in chunks]
    sentence_texts = [sentence_context_text(by_id[s.chunk_id], s) for s in sentences]
    return BuildContent(articles=articles, chunks=chunks, sentences=sentences, chunk_texts=chunk_texts,
                        sentence_texts=sentence_texts, sentence_vectors=sentence_vecs,
                        corpus_dir=corpus, fingerprint=dict(base.manifest.corpus), model_id=base.manifest.model_id,
                        model_sha256=base.manifest.model_sha256)


def _add_chunks(base, article_id: str, members: list[list[int]], chunks: list, sentences: list,
                sentence_src: list[int]) -> str:
    """Append one synthetic article's chunks, each made of the real sentences (rows) of
    `members`, and their sentences; the article's text."""
    from qa.index import Chunk, Sentence

    pieces, cursor = [], 0
    for k, rows in enumerate(members):
        text = " ".join(base.sentences[r].text for r in rows)
        chunk_id = f"{article_id}#{k}"
        chunks.append(Chunk(chunk_id, article_id, k, (f"Section {k // 10 + 1}",), "paragraph", text,
                            cursor, cursor + len(text)))
        offset = cursor
        for r in rows:
            t = base.sentences[r].text
            sentences.append(Sentence(len(sentences), chunk_id, article_id, t, offset, offset + len(t)))
            sentence_src.append(r)
            offset += len(t) + 1
        pieces.append(text)
        cursor += len(text) + 2
    return "\n\n".join(pieces)


def _copied_vectors(real: np.ndarray, source: list[int], rng) -> np.ndarray:
    """The real sentences' vectors, then one for each copied sentence (`source`: the real row each
    sentence copies, the real ones first): its source's vector, perturbed by NOISE."""
    n = real.shape[0]
    vectors = np.empty((len(source), real.shape[1]), dtype=np.float32)
    vectors[:n] = real
    extra = np.asarray(source[n:], dtype=np.int64)
    for lo in range(0, len(extra), 200_000):  # in blocks, to bound temporary memory
        part = extra[lo:lo + 200_000]
        vectors[n + lo: n + lo + len(part)] = _unit(
            real[part] + rng.normal(0, NOISE, size=(len(part), real.shape[1])).astype(np.float32))
    return vectors


def exact_top(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    scores = queries @ vectors.T
    return np.argsort(-scores, axis=1)[:, :k]


def build_size(n: int, base, work: Path, corpus: Path, seed: int) -> tuple[Path, np.ndarray, dict]:
    """The synthetic index of `n` chunks under `work` (reused when seed and base match), its sentence
    vectors, and what its build took."""
    from qa.index import write_build

    index_dir = work / f"index-{n}"
    stamp_path, vec_path = index_dir / "scale-build.json", index_dir / "sentence-vectors.npy"
    stamp = json.loads(stamp_path.read_text()) if stamp_path.exists() else {}
    if stamp.get("seed") == seed and stamp.get("base") == base.manifest.digest and vec_path.exists():
        print(f"  reusing the build in {index_dir}", file=sys.stderr, flush=True)
        return index_dir, np.load(vec_path), stamp
    shutil.rmtree(index_dir, ignore_errors=True)
    t0 = time.perf_counter()
    content = synthetic_library(base, n, corpus, seed)
    gen_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    manifest, build_dir = write_build(index_dir, content)
    build_s = time.perf_counter() - t0
    np.save(vec_path, content.sentence_vectors, allow_pickle=False)
    stamp = {"seed": seed, "base": base.manifest.digest, "generate_s": gen_s, "build_s": build_s,
             "index_type": manifest.index_type,
             "size_mib": sum(p.stat().st_size for p in build_dir.rglob("*") if p.is_file()) / 2**20}
    stamp_path.write_text(json.dumps(stamp))
    return index_dir, content.sentence_vectors, stamp


def time_answers(engine, questions) -> tuple[list[float], dict]:
    """Latencies of every eval question plus 100 more calls, and the questions' outcomes."""
    from eval.run import outcome

    pairs = [(q.question, list(q.history)) for q in questions]
    for q, h in pairs[:10]:
        engine.ask(q, h)
    times, outcomes = [], {}
    for q in questions:
        t = time.perf_counter()
        answer = engine.ask(q.question, list(q.history))
        times.append((time.perf_counter() - t) * 1000)
        outcomes[q.id] = outcome(q, answer)
    for i in range(100):
        t = time.perf_counter()
        engine.ask(*pairs[i % len(pairs)])
        times.append((time.perf_counter() - t) * 1000)
    return times, outcomes


def search_times(vectors: np.ndarray, index, queries: np.ndarray) -> list[float]:
    """Milliseconds of each query's ten nearest sentences (`index` None: exact search)."""
    from qa.index import nearest

    times = []
    for i in range(len(queries)):
        t = time.perf_counter()
        nearest(vectors, index, queries[i:i + 1], 10)
        times.append((time.perf_counter() - t) * 1000)
    return times


def run_size(n: int, base, embedder, questions, work: Path, corpus: Path, seed: int) -> dict[str, float]:
    from eval.metrics import answer_metrics, percentile
    from qa import Engine
    from qa.index import load_store, nearest

    index_dir, vectors, stamp = build_size(n, base, work, corpus, seed)
    t0 = time.perf_counter()
    store = load_store(index_dir, model_sha256=embedder.sha256, dim=embedder.dim)
    engine = Engine(store, embedder)
    load_s = time.perf_counter() - t0
    times, outcomes = time_answers(engine, questions)
    quality = answer_metrics(questions, outcomes)

    queries = engine.encode([engine.search_text(q.question) for q in questions])
    exact = exact_top(vectors, queries, 10)
    _, approx = nearest(store.sentence_vectors, store.sentence_index, queries, 10)
    agreement = float(np.mean([len(set(exact[i]) & set(approx[i])) / 10 for i in range(len(queries))]))
    flat_times = search_times(store.sentence_vectors, None, queries)
    index_times = search_times(store.sentence_vectors, store.sentence_index, queries)
    return {
        "chunks": float(len(store.chunks)), "sentences": float(len(store.sentences)),
        "index_type": stamp["index_type"], "generate_s": stamp["generate_s"], "build_s": stamp["build_s"],
        "build_chunks_per_s": len(store.chunks) / stamp["build_s"], "size_mib": stamp["size_mib"], "load_s": load_s,
        "ask_p50_ms": percentile(times, 50), "ask_p95_ms": percentile(times, 95),
        "dense_search_p50_ms": percentile(index_times, 50), "exact_search_p50_ms": percentile(flat_times, 50),
        "recall@10_vs_exact": agreement, "evidence_quoted": quality["evidence_quoted"],
        "abstain_unanswerable": quality["abstain_unanswerable"], "false_abstain": quality["false_abstain"],
    }


def embed_rate(embedder, base, count: int = 2000) -> float:
    """Chunks the model embeds per second (their sentences, as ingest does)."""
    from qa.index import sentence_context_text

    by_id = {c.id: c for c in base.chunks}
    sentences = [base.sentences[i % len(base.sentences)] for i in range(int(count * len(base.sentences) / len(base.chunks)))]
    t0 = time.perf_counter()
    embedder.encode([sentence_context_text(by_id[s.chunk_id], s) for s in sentences])
    return count / (time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.scale", description="Scale benchmark (see module doc).")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--index", type=Path, default=Path("index"), help="the real index (the base library)")
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "quoteqa-scale")
    parser.add_argument("--questions", type=Path, default=Path(__file__).with_name("questions.jsonl"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    import os

    from eval.questions import load_questions
    from qa.embed import OFFLINE_ENV, Embedder
    from qa.index import load_store

    os.environ.update(OFFLINE_ENV)  # before the model library is imported
    embedder = Embedder()
    base = load_store(args.index, model_sha256=embedder.sha256, dim=embedder.dim)
    questions = load_questions(args.questions)
    args.work.mkdir(parents=True, exist_ok=True)
    rate = embed_rate(embedder, base)
    rows = {}
    for n in args.sizes:
        print(f"size {n:,} ...", file=sys.stderr, flush=True)
        rows[n] = run_size(n, base, embedder, questions, args.work, args.corpus, args.seed)
        rows[n]["model_ingest_estimate_h"] = n / rate / 3600
        print(json.dumps({str(n): rows[n]}), file=sys.stderr, flush=True)
    if args.json:
        print(json.dumps({"embed_chunks_per_s": rate, "sizes": rows}, indent=2))
    else:
        print(f"model embedding rate: {rate:.0f} chunks/s (their sentences)\n")
        keys = list(next(iter(rows.values())))
        print(f"{'':26}" + "".join(f"{n:>14,}" for n in rows))
        for k in keys:
            cells = "".join(f"{v:>14}" if isinstance(v, str) else f"{v:>14.3f}" for v in (rows[n][k] for n in rows))
            print(f"{k:26}{cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
