"""Gradio's `/ask` API (for `gradio_client` and `POST /gradio_api/call/ask`), and the batch
answering `POST /api/v1/ask` (serving.AskApi) is handed: `(question, history[, articles, tags])`
calls in (the API's calls may be scoped to some articles), the same JSON as `python -m qa --json`
out, a malformed call answered "invalid" on its own.

Not the page: `handlers.py` answers its events.
"""

from dataclasses import replace

BATCH_SIZE = 16  # /ask calls waiting together are answered with one model call


class GradioAsk:
    def __init__(self, service):
        self.service = service  # chatpage.Service

    # No `from __future__ import annotations` in this module: Gradio reads these hints as types to
    # describe the call in /gradio_api/info.
    def ask(self, question: str, history: list[str]) -> dict:
        """Answer `question` given earlier questions (oldest first); the same JSON as `python -m qa --json`.

        Served batched: Gradio passes lists of the queued calls' arguments (up to BATCH_SIZE) and
        the engine encodes them in one model call. The hints describe one call, as clients see it."""
        answers = self.answer_calls(list(zip(question, history)))
        for q, answer in zip(question, answers):
            self.service.record("gradio-api", answer, q if isinstance(q, str) else "")
        return (answers,)

    def answer_calls(self, calls: list) -> list[dict]:
        """The answer JSON of each (question, history[, articles, tags]) call, the batch encoded in
        one model call; a malformed call gets its own "invalid" answer and spoils none of the others
        (an unknown article id or tag is the engine's "invalid", saying which)."""
        from qa.present import answer_json
        from serving import ask_call_problem

        problems = [ask_call_problem(q, h) for q, h, *_ in calls]
        answered = iter(self.service.ask_all([(q, h or [], *scope) for (q, h, *scope), p in zip(calls, problems)
                                              if p is None]))
        articles = self.service.engine.articles  # a scope is named by its titles
        return [answer_json(next(answered), articles) if p is None else self.invalid(q, p)
                for (q, *_), p in zip(calls, problems)]

    def invalid(self, question, problem: str) -> dict:
        """The JSON of an "invalid" answer: what is wrong with the call, and the disclaimer."""
        from qa.present import answer_json

        engine = self.service.engine
        return answer_json(replace(engine.error_answer(question if isinstance(question, str) else "", problem),
                                   status="invalid"))
