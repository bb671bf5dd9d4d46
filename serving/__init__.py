"""The web server around the chat: request guards (body cap, security headers, CORS allow-list,
login throttling, stream caps), per-session export files, whole-line feedback writes, per-call
checks of the JSON API, `POST /api/v1/ask` with its docs, JSON logs without patient data,
Prometheus metrics, and the launch that puts them in front of Gradio.

Knows HTTP and files, not answers: nothing here imports `qa`; the app passes in what it needs
(the disclaimer as a callable, records as dicts).
"""

from .api import AskApi
from .calls import MAX_HISTORY, ask_call_problem
from .exports import ExportFiles
from .feedback import append_line
from .guards import GuardSettings, Guards, allowed_origins_from
from .logs import log_answer, setup_logging
from .metrics import Metrics
from .server import serve

__all__ = ["AskApi", "ExportFiles", "GuardSettings", "Guards", "MAX_HISTORY", "Metrics", "allowed_origins_from",
           "append_line", "ask_call_problem", "log_answer", "serve", "setup_logging"]
