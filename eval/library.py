"""`python -m eval.library`: the figures of a hospital-sized library (issue 21), at 100, 1,624 and
5,000 articles, measured in one run so their ratios hold.

The libraries are made from the MedQuAD library (`../shared/benchmarks/medquad-library`, 1,624
NIH pages): its first 100 articles; all of it; and all of it plus copies of its articles under new
ids up to 5,000. A copy's text is its source's, so a 5,000 build embeds no more texts than the
1,624 one (each distinct text is encoded once): its ingest figure measures reading, checking and
writing at that size, not embedding. The one article that cannot be read is left out
(`--skip-broken`). Questions: MedQuAD's dev questions (397 of its 400 articles are in the library).

For each size: ingest seconds and peak memory (the build and its reading processes), the app's
cold start to its first answer, its memory after the questions, the page's size as a browser first
loads it (`/` and `/config`), its first paint and the article finder in headless Chromium (typing a word
until the list answers, opening an article), and per-question latency in-process (`Engine.ask`)
and over the JSON API. `--reuse-index` serves the indexes of a previous run (no ingest figures).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .bench import _rss_mib, api_ask, bench_ask, bench_http, start_server
from .questions import load_questions

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT.parent / "shared" / "benchmarks" / "medquad-library" / "corpus"
QUESTIONS = ROOT.parent / "shared" / "benchmarks" / "medquad" / "questions-dev.jsonl"
SIZES = (100, 1624, 5000)
CHROMIUM = "/usr/bin/chromium"
# run `python -m ingest` and report the peak memory of it and of its reading processes (KiB)
_MEASURED_INGEST = ("import resource, runpy, sys; sys.argv = ['ingest'] + sys.argv[1:]\n"
                    "try:\n    runpy.run_module('ingest', run_name='__main__')\nexcept SystemExit as e:\n    code = e.code\n"
                    "print('peak_kib', max(resource.getrusage(w).ru_maxrss for w in "
                    "(resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)), file=sys.stderr)\nsys.exit(code)")


def make_library(source: Path, dest: Path, size: int) -> Path:
    """A corpus of `size` articles from `source`: its first ones, or all of them and copies under
    new ids (`<id>-copy<k>`). The originals folder is linked, not copied: the copies share it."""
    paths = sorted((source / "articles").glob("*.md"))
    (dest / "articles").mkdir(parents=True, exist_ok=True)
    for k in range(size):
        path, copy = paths[k % len(paths)], k // len(paths)
        name = path.name if copy == 0 else f"{path.stem}-copy{copy}.md"
        (dest / "articles" / name).write_bytes(path.read_bytes())
    for name in ("disclaimer.md", "lexicon.yaml"):
        if (source / name).is_file():
            (dest / name).write_bytes((source / name).read_bytes())
    if not (dest / "originals").exists():
        (dest / "originals").symlink_to((source / "originals").resolve(), target_is_directory=True)
    return dest


def measure_ingest(corpus: Path, index: Path) -> dict[str, float]:
    """A fresh build of `corpus`: seconds, and peak memory of the build and its reading processes."""
    shutil.rmtree(index, ignore_errors=True)
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MEASURED_INGEST, "--quiet", "--skip-broken", "--corpus", str(corpus),
                           "--index", str(index)], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"ingest of {corpus} failed:\n{done.stderr[-2000:]}")
    peak = next(int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("peak_kib"))
    return {"ingest_s": time.perf_counter() - t0, "ingest_peak_mib": peak / 1024}


def measure_page(url: str, query: str = "disease") -> dict[str, float]:
    """In headless Chromium (Debian's): the page's first contentful paint and when the question
    box is there; then the article finder: typing `query` until its list says how many match, and
    opening the first article found until its title shows in the viewer."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        t0 = time.perf_counter()
        page.goto(url)
        page.wait_for_selector("#qqa-question textarea")
        ready = (time.perf_counter() - t0) * 1000
        paint = page.evaluate("performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN")
        page.locator("#qqa-articles").get_by_text("Articles (").click()
        page.locator("#qqa-find input").click()
        t0 = time.perf_counter()
        page.keyboard.type(query)
        page.wait_for_function(f"() => document.querySelector('#qqa-found').innerText.includes('“{query}”')")
        found = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        page.locator("#qqa-found button.qqa-open-article").first.click()
        page.locator("#qqa-source h2").wait_for()
        opened = (time.perf_counter() - t0) * 1000
        browser.close()
    return {"page_first_paint_ms": paint, "page_ready_ms": ready, "find_typed_ms": found, "open_article_ms": opened}


def measure_app(index: Path, corpus: Path, questions, port: int, calls: int) -> dict[str, float]:
    import httpx

    proc, cold, url = start_server(index, corpus, port, Path(tempfile.gettempdir()) / f"quoteqa-library-{port}.log")
    try:
        page = {name: len(httpx.get(url + name, timeout=60).content) for name in ("", "config")}
        results = {"app_start_to_first_answer_s": cold, "page_kib": page[""] / 1024, "config_kib": page["config"] / 1024}
        if Path(CHROMIUM).exists():
            results.update(measure_page(url))
        results.update(bench_http(url, questions, 1, calls, api_ask, "api"))
        results["app_rss_mib"] = _rss_mib(proc.pid)
        return results
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def measure_size(size: int, work: Path, questions, port: int, calls: int, reuse: bool = False) -> dict[str, float]:
    import qa

    corpus = make_library(LIBRARY, work / f"corpus-{size}", size)
    index = work / f"index-{size}"
    results = {"articles": float(size)}
    if not (reuse and (index / "current").exists()):
        results.update(measure_ingest(corpus, index))
    engine = qa.load(index)
    results["sentences"] = float(engine.manifest.counts["sentences"])
    results.update({k: v for k, v in bench_ask(engine, questions, calls).items() if k.startswith("ask_p")})
    del engine
    results.update(measure_app(index, corpus, questions, port, calls))
    return results


def table(by_size: dict[int, dict[str, float]]) -> str:
    sizes = sorted(by_size)
    keys = list(dict.fromkeys(k for s in sizes for k in by_size[s]))
    lines = ["figure".ljust(30) + "".join(f"{s:>12,}" for s in sizes)]
    lines += [key.ljust(30) + "".join(f"{by_size[s].get(key, float('nan')):12.1f}" for s in sizes) for key in keys]
    lines.append("ask_p50 / the smallest's".ljust(30)
                 + "".join(f"{by_size[s]['ask_p50_ms'] / by_size[sizes[0]]['ask_p50_ms']:12.2f}" for s in sizes))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.library", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "quoteqa-library",
                        help="where the libraries and their indexes are made (each index is built afresh)")
    parser.add_argument("--calls", type=int, default=200, help="questions asked per size, in-process and over HTTP")
    parser.add_argument("--port", type=int, default=7897)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--reuse-index", action="store_true",
                        help="serve the indexes a previous run built (no ingest figures): the app and page only")
    args = parser.parse_args(argv)
    questions = load_questions(QUESTIONS)
    by_size = {size: measure_size(size, args.work, questions, args.port, args.calls, args.reuse_index)
               for size in sorted(args.sizes)}
    print(json.dumps(by_size, indent=1) if args.json else table(by_size))
    return 0


if __name__ == "__main__":
    sys.exit(main())
