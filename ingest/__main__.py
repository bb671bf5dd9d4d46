"""`python -m ingest [--corpus DIR] [--index DIR] [--force] [--quiet]` builds the index;
`python -m ingest add SOURCE... [--corpus DIR] [--url URL] [--publisher NAME]` imports articles;
`python -m ingest list [--corpus DIR] [--overdue] [--json]` lists them; `python -m ingest remove ID`
takes one out (into `removed/`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["add"]:
        return add_main(argv[1:])
    if argv[:1] in (["list"], ["remove"]):
        from .catalog_cli import catalog_main

        return catalog_main(argv)
    args = build_parser().parse_args(argv)

    import os

    from qa.embed import OFFLINE_ENV
    from qa.errors import QuoteQAError

    os.environ.update(OFFLINE_ENV)  # before the model library is imported

    from .build import build_index
    from .parse import CorpusError

    try:
        result = build_index(args.corpus, args.index, force=args.force, quiet=args.quiet, encoder=args.encoder,
                             skip_broken=args.skip_broken)
    except (CorpusError, QuoteQAError) as exc:
        print(f"ingest failed: {exc}", file=sys.stderr)
        return 1
    print(summary(result, args.index))
    return 0


def summary(result, index: Path) -> str:
    """The one line a build ends with: what the index holds now, its size and how long it took."""
    from qa.index import layout as mf

    counts = result.manifest.counts
    left_out = _left_out(result.manifest.left_out)
    if result.status == "up to date":
        return (f"index up to date: {index} ({counts['articles']} articles, {counts['chunks']} chunks{left_out}); "
                "use --force to rebuild")
    size = sum(p.stat().st_size for p in result.build_dir.rglob("*") if p.is_file() and p.name != mf.ENCODER)
    return (f"index built: {index} ({counts['articles']} articles, {counts['chunks']} chunks, "
            f"{counts['sentences']} sentences, {result.manifest.index_type} vectors, {size / 1024:.0f} KiB "
            f"besides the model, {result.manifest.encoder} encoder) "
            f"in {result.seconds:.1f} s; {result.embedded} texts embedded, the rest reused{left_out}")


def _left_out(files) -> str:
    """The articles a --skip-broken build left out, named (the first three) and counted: an up-to-date
    run still says so, until each is mended and the index built again."""
    if not files:
        return ""
    named = ", ".join(sorted(files)[:3]) + (" …" if len(files) > 3 else "")
    return f"; {len(files):,} broken article(s) left out: {named}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Build the QuoteQA index from the corpus.",
                                     epilog="To import articles: python -m ingest add SOURCE...; to list them: "
                                            "python -m ingest list; to take one out: python -m ingest remove ID "
                                            "(see --help there)")
    parser.add_argument("--corpus", type=Path, default=Path("corpus"), help="corpus folder (default: corpus/)")
    parser.add_argument("--index", type=Path, default=Path("index"), help="index folder (default: index/)")
    parser.add_argument("--force", action="store_true", help="rebuild and re-embed even if the index is up to date")
    parser.add_argument("--quiet", action="store_true", help="print only the result line (and warnings)")
    parser.add_argument("--skip-broken", action="store_true",
                        help="leave out articles that cannot be read (each named in a warning) instead of stopping")
    parser.add_argument("--encoder", choices=("onnx", "torch"),
                        help="runtime that encodes the texts and, later, the questions: onnx (the model exported "
                             "once into the user's cache) or torch (sentence-transformers); same vectors. "
                             "Default: the live build's, onnx for a new index")
    return parser


def add_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ingest add",
        description="Import plain-text (.txt), saved web page (.html), Markdown (.md) or PDF (.pdf) articles into the "
                    "corpus. A PDF is read with its columns, headings and running heads (no OCR: it needs a text "
                    "layer); the PDF is kept in originals/ with where each page starts (docs/pdf-import.md).")
    parser.add_argument("sources", nargs="+", type=Path, metavar="SOURCE", help="files to import")
    parser.add_argument("--corpus", type=Path, default=Path("corpus"), help="corpus folder (default: corpus/)")
    parser.add_argument("--url", help="the page's address, when the source does not say (one source only)")
    parser.add_argument("--publisher", help="site or journal that published the article(s)")
    args = parser.parse_args(argv)

    from .importer import ImportRefused, add_articles

    try:
        results = add_articles(args.sources, args.corpus, url=args.url, publisher=args.publisher)
    except ImportRefused as exc:
        print(f"ingest add refused {exc}. Nothing was added to {args.corpus}.", file=sys.stderr)
        return 1
    for r in results:
        print(f"{r.status}: {r.source} -> {args.corpus / r.article}")
        for note in r.did:
            print(f"  did: {note}")
        for note in r.unsure:
            print(f"  unsure: {note}")
    if any(r.status == "added" for r in results):
        print(f"Review the new files, then rebuild: python -m ingest --corpus {args.corpus}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
