"""`python -m qa [--index DIR] [--history "earlier question"]... [--json] "question"`"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa", description="Answer a question with verbatim, cited quotes.")
    parser.add_argument("question")
    parser.add_argument("--index", type=Path, default=Path("index"), help="index folder (default: index/)")
    parser.add_argument("--history", action="append", default=[], metavar="QUESTION",
                        help="an earlier question of the conversation, oldest first (repeatable)")
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")
    args = parser.parse_args(argv)

    import os

    from .embed import OFFLINE_ENV

    os.environ.update(OFFLINE_ENV)  # before the model library is imported
    from . import load
    from .errors import QuoteQAError
    from .present import answer_json, render_text

    try:
        engine = load(args.index)
    except QuoteQAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    answer = engine.ask(args.question, args.history)
    if args.json:
        print(json.dumps(answer_json(answer), indent=2, ensure_ascii=False))
    else:
        print(render_text(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
