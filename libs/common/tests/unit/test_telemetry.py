"""Logs without addresses and with the trace id; spans exported over OTLP; traces continued from a carrier."""

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from zwk_common.telemetry import (
    add_span_processor,
    build_tracer_provider,
    configure_logging,
    configure_tracing,
    continued_span,
    mask_personal_data,
    trace_carrier,
)


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        ("Einladung an anna.schmidt@dortmund.de verschickt", "Einladung an ***@dortmund.de verschickt"),
        ("jürgen.müller@stadt-riesa.de, b+c@x.org", "***@stadt-riesa.de, ***@x.org"),
        ("<Buergermeister@Gemeinde.Averlak.de>", "<***@Gemeinde.Averlak.de>"),
        ("Stufe KICK_OFF abgeschlossen @ 10:00", "Stufe KICK_OFF abgeschlossen @ 10:00"),
        ("kein@adresse", "kein@adresse"),
    ],
)
def test_e_mail_addresses_are_masked_and_nothing_else(line: str, masked: str) -> None:
    assert mask_personal_data(line) == masked


def test_json_log_lines_carry_the_trace_id_and_no_e_mail_address(
    restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_tracing("kommunen")
    configure_logging("kommunen", json_lines=True, level="INFO")
    log = logging.getLogger("kommunen.contacts")
    tracer = trace.get_tracer("test")
    with tracer.start_as_current_span("POST /municipalities/{id}/contacts") as span:
        log.info("Ansprechperson %s für %s angelegt", "anna.schmidt@dortmund.de", "Dortmund")
        try:
            raise ValueError("Adresse anna.schmidt@dortmund.de ist schon vergeben")
        except ValueError:
            log.exception("Anlegen gescheitert für %s", "anna.schmidt@dortmund.de")
    # uvicorn's loggers go through the same handler.
    logging.getLogger("uvicorn.error").warning("Verbindung von info@riesa.de abgelehnt")

    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert "@dortmund.de" in lines[0]["message"] and "anna.schmidt" not in json.dumps(lines, ensure_ascii=False)
    assert lines[0]["message"] == "Ansprechperson ***@dortmund.de für Dortmund angelegt"
    assert lines[0]["service"] == "kommunen" and lines[0]["level"] == "INFO"
    assert lines[0]["trace_id"] == lines[1]["trace_id"] == format(span.get_span_context().trace_id, "032x")
    assert "trace_id" not in lines[2]
    assert "ValueError: Adresse ***@dortmund.de ist schon vergeben" in lines[1]["error"]
    assert lines[2]["logger"] == "uvicorn.error" and lines[2]["message"] == "Verbindung von ***@riesa.de abgelehnt"


def test_text_log_lines_are_masked_too(restore_logging: None, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("benachrichtigung", json_lines=False, level="INFO")
    logging.getLogger("benachrichtigung.email").warning("Zustellung an %s gescheitert", "kontakt@riesa.de")
    line = capsys.readouterr().err.strip()
    assert line.endswith("benachrichtigung.email: Zustellung an ***@riesa.de gescheitert")
    assert "kontakt@" not in line


class _Collector(BaseHTTPRequestHandler):
    received: list[tuple[str, str, bytes]] = []

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, self.headers["Content-Type"], body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_spans_are_exported_over_otlp_when_the_endpoint_is_set() -> None:
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_port}"
        provider = build_tracer_provider("prozess", {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint})
        with provider.get_tracer("test").start_as_current_span("consume zwk.kommunen.municipality.registered"):
            pass
        assert provider.force_flush(10_000)
        provider.shutdown()
    finally:
        server.shutdown()
        thread.join(5)
    assert len(_Collector.received) == 1
    path, content_type, body = _Collector.received[0]
    assert (path, content_type) == ("/v1/traces", "application/x-protobuf")
    assert b"consume zwk.kommunen.municipality.registered" in body and b"prozess" in body


def test_no_exporter_without_the_endpoint() -> None:
    provider = build_tracer_provider("prozess", {})
    assert provider._active_span_processor._span_processors == ()


def test_a_delivery_later_continues_the_trace_of_the_event_that_caused_it() -> None:
    exporter = InMemorySpanExporter()
    detach = add_span_processor(SimpleSpanProcessor(exporter))
    try:
        tracer = trace.get_tracer("test")
        with tracer.start_as_current_span("consume zwk.prozess.stage.completed") as consume:
            stored = trace_carrier()  # kept with the notification until it is sent
        with continued_span("deliver email", stored, kind=trace.SpanKind.CLIENT, attributes={"zwk.channel": "email"}):
            pass
        with continued_span("deliver webhook", None):
            pass
    finally:
        detach()
    spans = {span.name: span for span in exporter.get_finished_spans()}
    deliver = spans["deliver email"]
    assert deliver.parent is not None and deliver.parent.span_id == consume.get_span_context().span_id
    assert deliver.context.trace_id == consume.get_span_context().trace_id
    assert deliver.kind is trace.SpanKind.CLIENT and deliver.attributes == {"zwk.channel": "email"}
    assert spans["deliver webhook"].parent is None
    # Detached: later spans no longer reach the exporter.
    with trace.get_tracer("test").start_as_current_span("after"):
        pass
    assert "after" not in {span.name for span in exporter.get_finished_spans()}


def test_spans_nobody_reads_are_not_recorded_yet_carry_their_trace_on() -> None:
    tracer = build_tracer_provider("prozess", {}).get_tracer("test")
    with (
        tracer.start_as_current_span("POST /processes/{municipality_id}/{programme}/stages/{stage}/start") as request,
        tracer.start_as_current_span("record zwk.prozess.stage.started") as record,
    ):
        carrier = trace_carrier()
    trace_id = request.get_span_context().trace_id
    assert not request.is_recording() and not record.is_recording()
    assert request.get_span_context().is_valid and record.get_span_context().trace_id == trace_id
    # The event carries the trace on: a consumer that records continues it.
    assert carrier["traceparent"].split("-")[1] == format(trace_id, "032x")

    # While a processor reads the process's spans (as the trace tests' does), they are recorded.
    detach = add_span_processor(SimpleSpanProcessor(InMemorySpanExporter()))
    try:
        with tracer.start_as_current_span("consume zwk.prozess.stage.started") as read:
            assert read.is_recording()
    finally:
        detach()
    with tracer.start_as_current_span("consume zwk.prozess.stage.completed") as unread:
        assert not unread.is_recording()
