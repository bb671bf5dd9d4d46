"""`python -m ingest [--corpus DIR] [--index DIR] [--force] [--quiet]`"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Build the QuoteQA index from the corpus.")
    parser.add_argument("--corpus", type=Path, default=Path("corpus"), help="corpus folder (default: corpus/)")
    parser.add_argument("--index", type=Path, default=Path("index"), help="index folder (default: index/)")
    parser.add_argument("--force", action="store_true", help="rebuild and re-embed even if the index is up to date")
    parser.add_argument("--quiet", action="store_true", help="print only the result line")
    args = parser.parse_args(argv)

    import os

    from qa.embed import OFFLINE_ENV
    from qa.errors import QuoteQAError

    os.environ.update(OFFLINE_ENV)  # before the model library is imported

    from .build import build_index
    from .parse import CorpusError

    try:
        result = build_index(args.corpus, args.index, force=args.force, quiet=args.quiet)
    except (CorpusError, QuoteQAError) as exc:
        print(f"ingest failed: {exc}", file=sys.stderr)
        return 1
    counts = result.manifest.counts
    size = sum(p.stat().st_size for p in result.build_dir.rglob("*") if p.is_file())
    if result.status == "up to date":
        print(f"index up to date: {args.index} ({counts['articles']} articles, {counts['chunks']} chunks); "
              "use --force to rebuild")
    else:
        print(f"index built: {args.index} ({counts['articles']} articles, {counts['chunks']} chunks, "
              f"{counts['sentences']} sentences, {result.manifest.index_type} vectors, {size / 1024:.0f} KiB) "
              f"in {result.seconds:.1f} s; {result.embedded} texts embedded, the rest reused")
    return 0


if __name__ == "__main__":
    sys.exit(main())
