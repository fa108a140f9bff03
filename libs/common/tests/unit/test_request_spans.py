"""Each request is one server span, named by its route, in its caller's trace; described only where recorded."""

from typing import Any

from fastapi import FastAPI, HTTPException
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from zwk_common.telemetry import NO_FRAMEWORK_TELEMETRY, RequestSpans, configure_tracing

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"
TRACEPARENT = f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"


def traced_app(seen: list[trace.SpanContext]) -> FastAPI:
    app = FastAPI(telemetry=NO_FRAMEWORK_TELEMETRY)

    @app.post("/span-probe/{item}", status_code=201)
    async def probe(item: str) -> dict[str, str]:
        seen.append(trace.get_current_span().get_span_context())
        if item == "taken":
            raise HTTPException(409, "taken")
        if item == "broken":
            raise RuntimeError("the app fails before it answers")
        return {"item": item}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        seen.append(trace.get_current_span().get_span_context())
        return {"status": "ok"}

    app.add_middleware(RequestSpans)
    return app


async def ask(app: Any, method: str, path: str, headers: dict[str, str] | None = None) -> int:
    """One request straight to the ASGI app (an HTTP client here would inject a trace context of its own)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()],
        "client": ("127.0.0.1", 50000),
        "server": ("test", 80),
    }
    messages = [{"type": "http.request", "body": b"", "more_body": False}]
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    try:
        await app(scope, receive, send)
    except RuntimeError:
        return 500  # what the server answers when the app fails: ServerErrorMiddleware re-raises after it
    return status[0]


def servers(spans: InMemorySpanExporter) -> list[Any]:
    return [span for span in spans.get_finished_spans() if span.kind is SpanKind.SERVER]


async def test_a_request_is_one_server_span_named_by_its_route_in_the_callers_trace(
    zwk_spans: InMemorySpanExporter,
) -> None:
    seen: list[trace.SpanContext] = []
    assert await ask(traced_app(seen), "POST", "/span-probe/a", {"traceparent": TRACEPARENT}) == 201

    [span] = servers(zwk_spans)
    assert span.name == "POST /span-probe/{item}"
    assert format(span.context.trace_id, "032x") == CALLER_TRACE
    assert span.parent is not None and span.parent.is_remote and format(span.parent.span_id, "016x") == CALLER_SPAN
    assert span.attributes is not None
    assert span.attributes["http.route"] == "/span-probe/{item}"
    assert span.attributes["http.method"] == "POST"
    assert span.attributes["http.target"] == "/span-probe/a"
    assert span.attributes["http.status_code"] == 201
    assert span.status.status_code is StatusCode.UNSET
    # The endpoint runs inside it: its SQL, its events and its log lines belong to this span.
    assert seen == [span.context]


async def test_a_refusal_is_no_error_and_a_failure_is(zwk_spans: InMemorySpanExporter) -> None:
    app = traced_app([])
    assert await ask(app, "POST", "/span-probe/taken") == 409
    assert await ask(app, "POST", "/span-probe/broken") == 500

    refused, failed = servers(zwk_spans)
    assert refused.attributes is not None and refused.attributes["http.status_code"] == 409
    assert refused.status.status_code is StatusCode.UNSET and refused.parent is None
    assert failed.attributes is not None and failed.attributes["http.status_code"] == 500
    assert failed.status.status_code is StatusCode.ERROR
    assert [event.name for event in failed.events] == ["exception"]


async def test_probes_make_no_span(zwk_spans: InMemorySpanExporter) -> None:
    seen: list[trace.SpanContext] = []
    assert await ask(traced_app(seen), "GET", "/healthz", {"traceparent": TRACEPARENT}) == 200
    assert servers(zwk_spans) == []
    assert seen == [trace.INVALID_SPAN_CONTEXT]


async def test_an_unrecorded_request_still_carries_its_callers_trace() -> None:
    # No processor reads spans here: the request's span records nothing, yet the endpoint (its logs,
    # the calls and events it causes) is in the caller's trace.
    configure_tracing("probe")
    seen: list[trace.SpanContext] = []
    assert await ask(traced_app(seen), "POST", "/span-probe/b", {"traceparent": TRACEPARENT}) == 201
    [context] = seen
    assert format(context.trace_id, "032x") == CALLER_TRACE
    assert context.is_valid and format(context.span_id, "016x") != CALLER_SPAN
    assert not context.trace_flags.sampled
