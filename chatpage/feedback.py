"""One feedback line per thumb pressed, taken back or explained, appended whole to the feedback
file (`serving.append_line`): the rating ("up", "down", "undo"), the answer it is about (question,
quotes, index build) and the time. Which line to write is the handlers' call.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

log = logging.getLogger("quoteqa.app")  # the name the log lines have always carried


def feedback_record(answer, rating: str, **extra) -> dict:
    """The line for `answer`: `rating` ("up", "down" or "undo"), and whatever of `extra` is set
    (`replaces`, `undoes`, `reason`)."""
    return {
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "rating": rating, **{k: v for k, v in extra.items() if v},
        "question": answer.question, "query": answer.query, "status": answer.status,
        "quotes": [{"text": q.text, "lead_in": q.lead_in, "chunk_id": q.chunk_id} for q in answer.quotes],
        "index_build": answer.index_build,
        **({"scope": list(answer.scope)} if answer.scope else {}),  # a scoped answer: of these articles only
    }


def write_feedback(path: Path, record: dict, disclaimer: str) -> None:
    """Append `record` to `path`; when the server cannot, log it and tell the reader (a toast)."""
    from serving import append_line

    try:
        append_line(path, record)  # the whole line or nothing
    except OSError as exc:
        import gradio as gr

        log.error("feedback could not be saved to %s: %s", path, exc)
        gr.Warning("Your feedback could not be saved (the server could not write it). Please tell the "
                   f"QuoteQA maintainers. {disclaimer}")
