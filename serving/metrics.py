"""Prometheus metrics at `GET /metrics` (prometheus_client's text format), for the hospital's
monitoring: requests by route and status with their latency, answers by status and by way in,
the index build served, its reloads, and the calls waiting for the engine.

A registry of its own per app (two apps in one process do not collide). The app reports answers
(`Metrics.answered`) and hands in `state()` for what only it knows (the index build and article
count, reloads, waiting calls), read at each scrape.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    def __init__(self, state: Callable[[], Mapping[str, Any]] = dict):
        self.registry = CollectorRegistry()
        self.requests = Counter("quoteqa_http_requests", "HTTP requests by route and status",
                                ("route", "status"), registry=self.registry)
        self.latency = Histogram("quoteqa_http_request_seconds", "HTTP request latency by route (whole "
                                 "streams included)", ("route",), buckets=LATENCY_BUCKETS, registry=self.registry)
        self.answers = Counter("quoteqa_answers", "Answers by status (answered, abstained, invalid, error) "
                               "and way in (api, chat, gradio-api)", ("status", "via"), registry=self.registry)
        self._states = [state]
        self.registry.register(_StateCollector(lambda: {k: v for fn in self._states for k, v in fn().items()}))

    def add_state(self, state: Callable[[], Mapping[str, Any]]) -> None:
        """Another source of scrape-time figures (the server adds the calls waiting)."""
        self._states.append(state)

    def request_done(self, route: str, status: int, seconds: float, fields: Mapping[str, Any]) -> None:
        self.requests.labels(route, str(status)).inc()
        self.latency.labels(route).observe(seconds)
        if fields.get("answer_status"):
            self.answered(fields["answer_status"], "api")

    def answered(self, status: str, via: str) -> None:
        self.answers.labels(status, via).inc()

    def text(self) -> bytes:
        return generate_latest(self.registry)


class _StateCollector:
    """What the app reports at each scrape."""

    def __init__(self, state: Callable[[], Mapping[str, Any]]):
        self.state = state

    def describe(self):
        return []  # collected at scrape time only

    def collect(self):
        state = self.state()
        if "index_build" in state:
            info = InfoMetricFamily("quoteqa_index", "The index build being served")
            info.add_metric([], {"build": str(state["index_build"]), "articles": str(state.get("articles", ""))})
            yield info
        if "reloads" in state:
            reloads = CounterMetricFamily("quoteqa_index_reloads", "Rebuilt indexes loaded (switched) or refused "
                                          "(failed) since start", labels=("result",))
            for result, count in state["reloads"].items():
                reloads.add_metric([result], count)
            yield reloads
        if "waiting" in state:
            yield GaugeMetricFamily("quoteqa_queue_depth", "Calls waiting for the engine (JSON API batches and "
                                    "Gradio's queue)", value=state["waiting"])
