"""Prometheus metrics every service exposes on /metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS_PUBLISHED = Counter("zwk_events_published_total", "Events published from the outbox", ["type"])
EVENTS_CONSUMED = Counter(
    "zwk_events_consumed_total", "Events taken from the stream by a consumer", ["consumer", "type", "outcome"]
)
DEAD_LETTERS = Counter("zwk_dead_letters_total", "Events moved to the dead-letter subject", ["consumer"])
DEAD_LETTERS_PENDING = Gauge(
    "zwk_dead_letters_pending", "Dead letters of a consumer kept in the stream, waiting for a replay", ["consumer"]
)
OUTBOX_BACKLOG = Gauge("zwk_outbox_backlog", "Outbox rows not yet published", ["service"])
CONSUMER_LAG = Gauge(
    "zwk_consumer_lag",
    "Messages in the stream a consumer has not yet handled (undelivered + unacknowledged)",
    ["consumer"],
)
REQUEST_LATENCY = Histogram(
    "zwk_request_seconds",
    "HTTP request latency",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
EVENT_LATENCY = Histogram(
    "zwk_event_latency_seconds",
    "From the moment an event was recorded to the moment a consumer had handled it",
    ["consumer", "type"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
# Observed by the service that delivers notifications, per attempt:
# DELIVERY_LATENCY.labels(channel="email", outcome="delivered").observe(seconds)
DELIVERY_LATENCY = Histogram(
    "zwk_delivery_seconds",
    "From the event that caused a notification to its delivery attempt (channel: email|webhook|inbox)",
    ["channel", "outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900),
)
