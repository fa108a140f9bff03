"""OpenTelemetry and logging set up the same way in every process.

One trace follows a change through the platform; its spans are named so that
each step reads as a verb and what it acts on:

- `POST /municipalities` (server): the request, named by its route (`RequestSpans`);
- `record <event type>` (internal): the event written into the outbox; its context
  is stored in the envelope (`traceparent`), so the trace survives the commit;
- `publish <event type>` (producer): the relay publishing it; the context travels
  in the NATS headers;
- `consume <event type>` (consumer): one durable consumer handling it, with the SQL
  of its effect beneath; attribute `messaging.consumer.group.name`;
- `deliver <channel>` (client, e.g. `deliver email`, `deliver webhook`): a notification
  leaving the platform, beneath the consume span that caused it or continued from the
  carrier stored with it (`trace_carrier()` / `continued_span()`).

Spans are recorded where they are read: with OTEL_EXPORTER_OTLP_ENDPOINT set, or while a
processor is added (`add_span_processor`). Elsewhere they keep their trace ids, for the logs and
the context passed on, and record nothing.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from fastapi.telemetry import TelemetryConfig
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.propagate import extract, inject
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.util.types import Attributes

from zwk_common.metrics import ResponseStatus, matched_route

_configured = False


class _SpanProcessors(SpanProcessor):
    """Processors that can be added and removed while the provider runs (the SDK only adds)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._processors: tuple[SpanProcessor, ...] = ()

    def add(self, processor: SpanProcessor) -> None:
        with self._lock:
            self._processors = (*self._processors, processor)

    def remove(self, processor: SpanProcessor) -> None:
        with self._lock:
            self._processors = tuple(p for p in self._processors if p is not processor)

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        for processor in self._processors:
            processor.on_start(span, parent_context=parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        for processor in self._processors:
            processor.on_end(span)

    def shutdown(self) -> None:
        for processor in self._processors:
            processor.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return all(processor.force_flush(timeout_millis) for processor in self._processors)

    @property
    def reading(self) -> bool:
        """Whether any processor is added: then spans are recorded for it."""
        return bool(self._processors)


_extra_processors = _SpanProcessors()
_attached_to: set[int] = set()


class _RecordWhenRead(Sampler):
    """Records a span only where something reads it: an exporter, or a processor added with
    `add_span_processor` (a test's); there `sampler` decides, as it would alone.

    Elsewhere a span is left unrecorded: it keeps its trace id, for the log lines and the context
    passed on with calls and events, and costs next to nothing. Recording spans that nobody read
    cost the gateway about a ninth of its CPU under the pipeline, prozess a thirteenth
    (benchmarks/README.md, step 65).
    """

    def __init__(self, sampler: Sampler, *, exporting: bool) -> None:
        self.sampler = sampler
        self.exporting = exporting

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: trace.SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[trace.Link] | None = None,
        trace_state: trace.TraceState | None = None,
    ) -> SamplingResult:
        if self.exporting or _extra_processors.reading:
            return self.sampler.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)
        parent = trace.get_current_span(parent_context).get_span_context()
        return SamplingResult(Decision.DROP, None, parent.trace_state if parent.is_valid else None)

    def get_description(self) -> str:
        return f"RecordWhenRead{{{self.sampler.get_description()}}}"


def build_tracer_provider(service_name: str, environ: Mapping[str, str] | None = None) -> TracerProvider:
    """A tracer provider for `service_name`, exporting over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set."""
    environ = os.environ if environ is None else environ
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    exporting = bool(environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"))
    # Where spans are read, the sampler OTEL_TRACES_SAMPLER names decides (by default: every span but
    # those whose parent was left unrecorded).
    provider.sampler = _RecordWhenRead(provider.sampler, exporting=exporting)
    if exporting:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or (
            environ["OTEL_EXPORTER_OTLP_ENDPOINT"].rstrip("/") + "/v1/traces"
        )
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    return provider


def configure_tracing(service_name: str) -> None:
    """Install a tracer provider once per process; OTLP export when the endpoint is set.

    A provider installed before (by a test, or by `opentelemetry-instrument`) is kept.
    """
    global _configured
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = build_tracer_provider(service_name)
        trace.set_tracer_provider(provider)
    if id(provider) not in _attached_to:
        provider.add_span_processor(_extra_processors)
        _attached_to.add(id(provider))
    _configured = True


def add_span_processor(processor: SpanProcessor) -> Callable[[], None]:
    """Hand every span of this process also to `processor`; returns the function that stops it.

    OpenTelemetry installs the global provider once per process, so a test that
    wants the spans adds a processor rather than a provider of its own.
    """
    configure_tracing(os.environ.get("OTEL_SERVICE_NAME", "zwk"))
    _extra_processors.add(processor)
    return lambda: _extra_processors.remove(processor)


def trace_carrier() -> dict[str, str]:
    """The W3C trace context of the current span, to store with work that continues later."""
    carrier: dict[str, str] = {}
    inject(carrier)
    return carrier


@contextmanager
def continued_span(
    name: str,
    carrier: Mapping[str, str] | None,
    *,
    kind: trace.SpanKind = trace.SpanKind.INTERNAL,
    attributes: Mapping[str, Any] | None = None,
    tracer_name: str = "zwk",
) -> Iterator[trace.Span]:
    """A span in the trace stored in `carrier` (a row, a message), or a new trace without one."""
    parent = extract({k: v for k, v in (carrier or {}).items() if v})
    with trace.get_tracer(tracer_name).start_as_current_span(
        name, context=parent, kind=kind, attributes=dict(attributes or {})
    ) as span:
        yield span


# FastAPI's own telemetry, off: `RequestSpans` makes the one server span of each request.
NO_FRAMEWORK_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}
# Asked by probes and the scraper every few seconds; a span each would bury the requests.
UNTRACED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
_PROPAGATED = (b"traceparent", b"tracestate", b"baggage")


class RequestSpans:
    """The server span of every HTTP request, named `<method> <route>`, in the trace its caller's
    `traceparent` names; its attributes only where the span is recorded.

    In place of OpenTelemetry's FastAPI instrumentation, which worked out every attribute of every
    request and matched the route a second time to name the span, whether or not anything recorded
    it: that doubled the cost of a small request to a service (about 200 µs more than the endpoint
    alone, benchmarks/README.md, step 67). Here an unrecorded request costs a look through its headers
    for the trace context and a span that keeps the trace id for the logs and the calls and events it
    causes.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.tracer = trace.get_tracer("zwk.http")

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] in UNTRACED_PATHS:
            await self.app(scope, receive, send)
            return
        carrier = {name.decode(): value.decode("latin-1") for name, value in scope["headers"] if name in _PROPAGATED}
        method = scope["method"]
        span = self.tracer.start_span(method, context=extract(carrier) if carrier else None, kind=trace.SpanKind.SERVER)
        sending = ResponseStatus(send)
        failure: BaseException | None = None
        with trace.use_span(span, end_on_exit=False, record_exception=False, set_status_on_exception=False):
            try:
                await self.app(scope, receive, sending)
            except BaseException as exc:
                failure = exc
                raise
            finally:
                if span.is_recording():
                    _describe_request(span, scope, method, sending.status, failure)
                span.end()


def _describe_request(
    span: trace.Span, scope: dict[str, Any], method: str, status: int | None, failure: BaseException | None
) -> None:
    route = matched_route(scope)
    if route is not None:
        span.update_name(f"{method} {route}")
        span.set_attribute("http.route", route)
    client = scope.get("client")
    span.set_attributes(
        {
            "http.method": method,
            "http.scheme": scope.get("scheme", "http"),
            "http.target": scope["path"],
            "http.flavor": scope.get("http_version", "1.1"),
            **({"net.peer.ip": client[0], "net.peer.port": client[1]} if client else {}),
        }
    )
    # An exception that escapes the app becomes a 500 further out.
    answered = status if status is not None and failure is None else 500
    span.set_attribute("http.status_code", answered)
    if failure is not None:
        span.record_exception(failure)
    if answered >= 500:
        span.set_status(trace.StatusCode.ERROR)


def instrument_app(app: Any) -> None:
    """Trace the requests of one app and every outgoing HTTP call of the process.

    The app is made with `FastAPI(telemetry=NO_FRAMEWORK_TELEMETRY)`; FastAPI would otherwise make a
    second server span of its own for every request.
    """
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    app.add_middleware(RequestSpans)
    if not HTTPXClientInstrumentor().is_instrumented_by_opentelemetry:
        HTTPXClientInstrumentor().instrument()


def instrument_engine(engine: Any) -> None:
    """Trace the SQL of one async engine (every engine of the process, not only the first)."""
    from opentelemetry.metrics import get_meter

    try:
        from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    except ImportError:  # a later instrumentation may move it; the instrumentor still covers one engine
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

        SQLAlchemyInstrumentor().instrument(engine=engine.sync_engine)
        return
    meter = get_meter("zwk.sqlalchemy")
    usage = meter.create_up_down_counter("db.client.connections.usage", unit="connections")
    _statement_tracer(EngineTracer)(
        trace.get_tracer("opentelemetry.instrumentation.sqlalchemy"), engine.sync_engine, usage
    )


# How many statements' span names and attributes a process keeps: its statements are made once and few.
DESCRIBED_STATEMENTS = 512


class _Attributes:
    """Collects what the instrumentation would set on a span, to set it at the span's start instead."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def set_attribute(self, key: str, value: Any) -> None:
        self.values[key] = value


# Made from the instrumentation's class where `instrument_engine` imports it, so that a later
# instrumentation that moves the class falls back to the instrumentor as before; made once.
@functools.cache
def _statement_tracer(engine_tracer: type) -> type:
    from opentelemetry.instrumentation.utils import is_instrumentation_enabled

    class StatementTracer(engine_tracer):  # type: ignore[misc,valid-type]
        """The instrumentation's spans, with each statement's name and attributes worked out once.

        The instrumentation splits the whole statement into words for its first one and builds the
        attributes anew on every execution. With a fan-out's statement of a few kilobytes, the SQL
        spans took 12 % of benachrichtigung's CPU in the pipeline benchmark; made this way, 4.5 %.
        The spans, their names and attributes are the same.
        """

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self._described: dict[str, tuple[str, dict[str, Any]]] = {}
            super().__init__(*args, **kwargs)

        def _before_cur_exec(
            self, conn: Any, cursor: Any, statement: Any, params: Any, context: Any, executemany: bool
        ) -> tuple[Any, Any]:
            if not is_instrumentation_enabled():
                return statement, params
            if self.enable_commenter or not isinstance(statement, str):
                return super()._before_cur_exec(conn, cursor, statement, params, context, executemany)  # type: ignore[no-any-return]
            described = self._described.get(statement)
            if described is None:
                described = self._describe(conn, cursor, statement)
            span = self.tracer.start_span(described[0], kind=trace.SpanKind.CLIENT, attributes=described[1])
            context._otel_span = span
            return statement, params

        def _describe(self, conn: Any, cursor: Any, statement: str) -> tuple[str, dict[str, Any]]:
            from opentelemetry.instrumentation.sqlalchemy import engine as instrumented

            attrs, found = instrumented._get_attributes_from_url(
                conn.engine.url, self._sem_conv_opt_in_mode_db, self._sem_conv_opt_in_mode_http
            )
            if not found:
                attrs = instrumented._get_attributes_from_cursor_or_conn(
                    self.vendor, conn, cursor, attrs, self._sem_conv_opt_in_mode_db, self._sem_conv_opt_in_mode_http
                )
            db_name = instrumented._get_db_name_from_cursor_or_conn(self.vendor, conn, cursor)
            collected = _Attributes()
            self._set_db_client_span_attributes(collected, statement, db_name, attrs)
            described = (self._operation_name(db_name, statement), collected.values)
            if len(self._described) < DESCRIBED_STATEMENTS:
                self._described[statement] = described
            return described

    return StatementTracer


# Addresses in any spelling a person types, umlauts included; the domain stays
# readable (it names an institution, not a person) so delivery problems remain traceable.
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@((?:[\w-]+\.)+[\w-]{2,})", re.UNICODE)


def mask_personal_data(text: str) -> str:
    """`text` with every e-mail address masked (`***@example.org`)."""
    return _EMAIL.sub(lambda match: "***@" + match.group(1), text)


class PersonalDataFilter(logging.Filter):
    """Masks e-mail addresses in the message, the traceback and the stack of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_data(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_data(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line, with the trace id of the current span."""

    def __init__(self, service: str | None = None) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if self.service:
            entry["service"] = self.service
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            entry["trace_id"] = format(context.trace_id, "032x")
            entry["span_id"] = format(context.span_id, "016x")
        if record.exc_info or record.exc_text:
            entry["error"] = record.exc_text or self.formatException(record.exc_info)  # type: ignore[arg-type]
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        context = trace.get_current_span().get_span_context()
        record.trace_id = format(context.trace_id, "032x")[:8] if context.is_valid else "-"
        return super().format(record)


def configure_logging(service_name: str, *, json_lines: bool, level: str) -> None:
    """Structured logs: JSON in production, short text in development; both carry the trace id, neither an address."""
    handler = logging.StreamHandler(sys.stderr)
    if json_lines:
        handler.setFormatter(JsonFormatter(service_name))
    else:
        handler.setFormatter(
            TextFormatter(f"%(asctime)s {service_name} %(levelname)s [%(trace_id)s] %(name)s: %(message)s")
        )
    # On the handler, not a logger: it then sees the records of every logger.
    handler.addFilter(PersonalDataFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn's own handlers would write past the formatter and the filter.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    # Library chatter (and the addresses it may print) stays out of the logs.
    for noisy in ("nats", "asyncio", "httpx", "httpcore", "aiosmtplib"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
