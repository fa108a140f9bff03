"""Prometheus metrics every service exposes on /metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS_PUBLISHED = Counter("zwk_events_published_total", "Events published from the outbox", ["type"])
EVENTS_CONSUMED = Counter(
    "zwk_events_consumed_total", "Events taken from the stream by a consumer", ["consumer", "type", "outcome"]
)
DEAD_LETTERS = Counter("zwk_dead_letters_total", "Events moved to the dead-letter subject", ["consumer"])
OUTBOX_BACKLOG = Gauge("zwk_outbox_backlog", "Outbox rows not yet published", ["service"])
CONSUMER_LAG = Gauge("zwk_consumer_lag", "Messages in the stream not yet delivered to a consumer", ["consumer"])
REQUEST_LATENCY = Histogram(
    "zwk_request_seconds",
    "HTTP request latency",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
