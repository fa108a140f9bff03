"""Every statement a service runs is a span, named and described as OpenTelemetry's instrumentation does."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.metrics import get_meter
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import bindparam, column, select, text, values
from sqlalchemy.types import Integer, String

from zwk_common.db import create_engine
from zwk_common.settings import ServiceSettings
from zwk_common.telemetry import add_span_processor, instrument_engine

GREETINGS = select(
    values(column("n", Integer), column("word", String), name="greetings").data(
        [(1, "Moin"), (2, "Servus"), (3, "Grüß Gott")]
    )
).where(column("n") >= bindparam("least", type_=Integer))


async def _spans_of(zwk_database_url: str, instrument: object) -> list[tuple[str, dict[str, object], str]]:
    engine = create_engine(ServiceSettings(database_url=zwk_database_url), application_name="span-test")
    instrument(engine)  # type: ignore[operator]
    exporter = InMemorySpanExporter()
    detach = add_span_processor(SimpleSpanProcessor(exporter))
    try:
        async with engine.begin() as connection:
            for least in (1, 2):
                assert len((await connection.execute(GREETINGS, {"least": least})).all()) == 4 - least
            await connection.execute(text("/* warm */ SELECT 1"))
    finally:
        detach()
        await engine.dispose()
    return [
        (span.name, dict(span.attributes or {}), span.kind.name)
        for span in exporter.get_finished_spans()
        if span.instrumentation_scope is not None and "sqlalchemy" in span.instrumentation_scope.name
    ]


async def test_each_statement_is_a_span_named_and_described_as_the_instrumentation_does(zwk_database_url: str) -> None:
    ours = await _spans_of(zwk_database_url, instrument_engine)

    def plain(engine: object) -> None:
        usage = get_meter("test").create_up_down_counter("db.client.connections.usage", unit="connections")
        EngineTracer(trace.get_tracer("opentelemetry.instrumentation.sqlalchemy"), engine.sync_engine, usage)  # type: ignore[attr-defined]

    theirs = await _spans_of(zwk_database_url, plain)
    assert len(ours) == 3
    assert ours == theirs
    first, again, comment = ours
    assert first == again and first[2] == "CLIENT"
    assert first[0] == "SELECT" and "Grüß Gott" not in str(first[1])
    assert "greetings" in str(first[1].get("db.statement") or first[1].get("db.query.text"))
    assert comment[0] == "SELECT"
