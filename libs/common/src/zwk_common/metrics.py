"""Prometheus metrics every service exposes on /metrics."""

from __future__ import annotations

import time

from prometheus_client import Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


def matched_route(scope: Scope) -> str | None:
    """The path template of the route that answered, e.g. `/municipalities/{id}`; None if none matched.

    The router writes the matched route into the scope it was given, which is the one an ASGI
    middleware passed on."""
    return getattr(scope.get("route"), "path", None)


class ResponseStatus:
    """An ASGI `send` that notes the status the app answers with (None until it starts answering)."""

    __slots__ = ("send", "status")

    def __init__(self, send: Send) -> None:
        self.send = send
        self.status: int | None = None

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        await self.send(message)


class RequestTimer:
    """Observes REQUEST_LATENCY for every HTTP request, by route, method and status.

    A plain ASGI middleware: Starlette's `@app.middleware("http")` runs the rest of the request in
    a task of its own and passes the response through a memory stream, on every request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        sending = ResponseStatus(send)
        try:
            await self.app(scope, receive, sending)
        finally:
            # A 500 is what the caller gets if the app fails before it answers.
            status = sending.status if sending.status is not None else 500
            route = matched_route(scope) or "unmatched"
            REQUEST_LATENCY.labels(route, scope["method"], str(status)).observe(time.perf_counter() - started)
