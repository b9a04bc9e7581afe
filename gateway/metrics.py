"""Prometheus metrics; several processes share them through PROMETHEUS_MULTIPROC_DIR."""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

__all__ = [
    "CHANNEL_ERRORS",
    "CONTENT_TYPE_LATEST",
    "HTTP_DURATION",
    "HTTP_REQUESTS",
    "SUBMISSIONS_RECEIVED",
    "TASK_LATENCY",
    "TRANSITIONS",
    "WEBHOOK_DELIVERIES",
    "render",
]

SUBMISSIONS_RECEIVED = Counter(
    "gateway_submissions_received_total", "Documents accepted for delivery", ["kind"]
)
TRANSITIONS = Counter(
    "gateway_submission_transitions_total", "Submission status changes", ["status"]
)
TASK_LATENCY = Histogram(
    "gateway_task_seconds",
    "Time one background task took",
    ["task"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
CHANNEL_ERRORS = Counter("gateway_channel_errors_total", "Transient channel failures", ["channel"])
HTTP_REQUESTS = Counter(
    "gateway_http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
HTTP_DURATION = Histogram(
    "gateway_http_request_seconds",
    "Time to answer one HTTP request",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
WEBHOOK_DELIVERIES = Counter(
    "gateway_webhook_deliveries_total", "Webhook delivery attempts", ["outcome"]
)


def render(extra: CollectorRegistry | None = None) -> bytes:
    """The exposition text: this process's metrics (or all processes') plus ``extra``."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        body = generate_latest(registry)
    else:
        from prometheus_client import REGISTRY

        body = generate_latest(REGISTRY)
    if extra is not None:
        body += generate_latest(extra)
    return body
