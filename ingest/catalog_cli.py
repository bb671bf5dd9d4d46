"""`python -m ingest list` and `python -m ingest remove ID`: the catalog (`catalog.py`) on the
command line."""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

from .catalog import UnknownArticle, as_json, entries, overdue, remove, table
from .parse import CorpusError


def catalog_main(argv: list[str]) -> int:
    command, args = argv[0], _parser(argv[0]).parse_args(argv[1:])
    try:
        return _list(args) if command == "list" else _remove(args)
    except (CorpusError, UnknownArticle) as exc:
        print(f"ingest {command} failed: {exc}", file=sys.stderr)
        return 1


def _parser(command: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"python -m ingest {command}", description=(
        "List the corpus's articles: id, title, latest date, review (overdue when its review_by date has "
        "passed), license and words." if command == "list" else
        "Take an article out of the corpus: it and the originals only it uses move to removed/ (nothing is "
        "deleted); then rebuild the index."))
    parser.add_argument("--corpus", type=Path, default=Path("corpus"), help="corpus folder (default: corpus/)")
    if command == "list":
        parser.add_argument("--overdue", action="store_true", help="only the articles whose review is overdue")
        parser.add_argument("--json", action="store_true", help="one JSON record per article instead of a table")
    else:
        parser.add_argument("id", help="the article's id: its file name without .md (`python -m ingest list`)")
    return parser


def _list(args) -> int:
    today = datetime.date.today()
    found = [e for e in entries(args.corpus) if overdue(e, today) or not args.overdue]
    if args.json:
        print(as_json(found, today))
        return 0
    print(table(found, today))
    late = sum(overdue(e, today) for e in found)
    print(f"{len(found):,} article{'s' if len(found) != 1 else ''}"
          + (f"; {late:,} with an overdue review" if late else ""))
    return 0


def _remove(args) -> int:
    moved = remove(args.corpus, args.id, datetime.datetime.now())
    print(f"removed {args.id}: moved to {moved} (move it back to restore it).")
    print(f"Rebuild the index: python -m ingest --corpus {args.corpus}")
    return 0
