"""One trace from the office's request to prozess's effect; the metrics an operator scrapes."""

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from prometheus_client import REGISTRY

from kommunen.main import create_app as create_kommunen
from prozess.main import create_app as create_prozess
from zwk_common.db import asyncpg_dsn
from zwk_common.events import Envelope
from zwk_common.testing import eventually, running_app
from zwk_common.testing.plugin import bearer

REGISTERED = "zwk.kommunen.municipality.registered"
DORTMUND = {"ags": "05913000", "name": "Dortmund", "kind": "KREISFREIE_STADT", "programmes": ["ZWK"]}


@pytest.fixture
async def kommunen_and_prozess(zwk_clean: dict[str, str]) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    async with running_app(create_kommunen()) as kommunen, running_app(create_prozess()) as prozess:
        yield kommunen, prozess


async def register_dortmund(
    kommunen: httpx.AsyncClient, prozess: httpx.AsyncClient, office: dict[str, str]
) -> dict[str, Any]:
    answer = await kommunen.post("/municipalities", json=DORTMUND, headers=office)
    assert answer.status_code == 201, answer.text
    dortmund: dict[str, Any] = answer.json()

    async def stages() -> list[Any]:
        found = await prozess.get("/processes", params={"municipality_id": dortmund["id"]}, headers=office)
        return [stage for process in found.json() for stage in process["stages"]]

    assert len(await eventually(stages, timeout=15)) == 5
    return dortmund


def one(spans: list[ReadableSpan], name: str) -> ReadableSpan:
    found = [span for span in spans if span.name == name]
    assert len(found) == 1, [span.name for span in spans]
    return found[0]


def parent_of(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


async def test_one_trace_runs_from_the_registration_through_the_outbox_and_nats_to_prozess(
    zwk_spans: InMemorySpanExporter, kommunen_and_prozess: Any, zwk_token: Any
) -> None:
    kommunen, prozess = kommunen_and_prozess
    await register_dortmund(kommunen, prozess, bearer(zwk_token("office")))

    async def consumed() -> list[ReadableSpan] | None:
        finished = list(zwk_spans.get_finished_spans())
        return finished if any(s.name == f"consume {REGISTERED}" for s in finished) else None

    finished = await eventually(consumed)
    request = one(finished, "POST /municipalities")
    record = one(finished, f"record {REGISTERED}")
    publish = one(finished, f"publish {REGISTERED}")
    consume = one(finished, f"consume {REGISTERED}")

    assert request.kind is SpanKind.SERVER and request.parent is None
    assert parent_of(record) == request.context.span_id
    assert publish.kind is SpanKind.PRODUCER and parent_of(publish) == record.context.span_id
    assert consume.kind is SpanKind.CONSUMER and parent_of(consume) == publish.context.span_id
    assert consume.attributes["messaging.consumer.group.name"] == "prozess-kommunen"  # type: ignore[index]
    assert consume.attributes["messaging.message.id"] == publish.attributes["messaging.message.id"]  # type: ignore[index]
    trace_id = request.context.trace_id
    assert {record.context.trace_id, publish.context.trace_id, consume.context.trace_id} == {trace_id}
    # The SQL of both services sits in the trace: kommunen's insert under the request, prozess's effect
    # under the consume span.
    in_trace = [span for span in finished if span.context.trace_id == trace_id]
    under_consume = [
        str((span.attributes or {}).get("db.statement") or (span.attributes or {}).get("db.query.text") or "")
        for span in in_trace
        if parent_of(span) == consume.context.span_id
    ]
    # prozess keeps the participant, opens its process and claims the event in one statement.
    assert len(under_consume) == 1, under_consume
    for table in ("inbox", "municipalities", "processes", "stages"):
        assert f"INSERT INTO prozess.{table}" in under_consume[0], table
    under_record = [span for span in in_trace if parent_of(span) == record.context.span_id]
    # The outbox row is one statement beneath its record.
    statements = [
        str((span.attributes or {}).get("db.statement") or (span.attributes or {}).get("db.query.text") or "")
        for span in under_record
    ]
    assert any("INSERT INTO kommunen.outbox" in statement for statement in statements), [
        span.name for span in under_record
    ]


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_metrics_count_requests_events_and_show_backlog_lag_and_dead_letters(
    kommunen_and_prozess: Any, zwk_token: Any
) -> None:
    kommunen, prozess = kommunen_and_prozess
    route = {"route": "/municipalities", "method": "POST", "status": "201"}
    before = {
        "requests": sample("zwk_request_seconds_count", **route),
        "published": sample("zwk_events_published_total", type=REGISTERED),
        "handled": sample("zwk_events_consumed_total", consumer="prozess-kommunen", type=REGISTERED, outcome="handled"),
        "latency": sample("zwk_event_latency_seconds_count", consumer="prozess-kommunen", type=REGISTERED),
    }
    await register_dortmund(kommunen, prozess, bearer(zwk_token("office")))

    scraped = (await kommunen.get("/metrics")).text
    assert "zwk_request_seconds_bucket" in scraped
    assert 'zwk_outbox_backlog{service="kommunen"} 0.0' in scraped
    assert sample("zwk_request_seconds_count", **route) == before["requests"] + 1
    assert sample("zwk_events_published_total", type=REGISTERED) == before["published"] + 1
    scraped = (await prozess.get("/metrics")).text
    assert 'zwk_consumer_lag{consumer="prozess-kommunen"} 0.0' in scraped
    assert 'zwk_dead_letters_pending{consumer="prozess-kommunen"} 0.0' in scraped
    # Defined here for the service that delivers notifications.
    assert "# TYPE zwk_delivery_seconds histogram" in scraped
    assert (
        sample("zwk_events_consumed_total", consumer="prozess-kommunen", type=REGISTERED, outcome="handled")
        == before["handled"] + 1
    )
    assert (
        sample("zwk_event_latency_seconds_count", consumer="prozess-kommunen", type=REGISTERED) == before["latency"] + 1
    )


async def test_consumer_lag_is_kept_current_while_a_consumer_is_held_up(
    zwk_clean: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZWK_METRICS_INTERVAL_SECONDS", "0.2")
    app = create_prozess()
    riesa = str(uuid.uuid4())
    async with running_app(app):
        runtime = app.state.runtime
        await runtime.bus.connected.wait()
        # prozess's copy of Riesa is locked by a transaction that does not end yet.
        blocker = await asyncpg.connect(asyncpg_dsn(zwk_clean["ZWK_DATABASE_URL"]))
        held = blocker.transaction()
        await held.start()
        try:
            await blocker.execute(
                "INSERT INTO prozess.municipalities (id, ags, name, kind, bundesland, programmes, event_time) "
                "VALUES ($1, '14627230', 'Riesa', 'STADT', 'SN', '{ZWK}', now())",
                uuid.UUID(riesa),
            )
            for programmes in (["ZWK"], ["ZWK", "DAKS"], ["DWK", "ZWK"]):
                await runtime.bus.publish(
                    Envelope(
                        source="/zwk/kommunen",
                        type=REGISTERED,
                        subject=riesa,
                        data={
                            "municipality_id": riesa,
                            "ags": "14627230",
                            "name": "Riesa",
                            "kind": "STADT",
                            "bundesland": "SN",
                            "programmes": programmes,
                        },
                    )
                )

            async def lag_of(expected: int) -> bool:
                return sample("zwk_consumer_lag", consumer="prozess-kommunen") == expected

            # Nobody scrapes: the service keeps the gauge current itself.
            await eventually(lambda: lag_of(3), timeout=10, message="the lag did not show the waiting events")
        finally:
            await held.rollback()
            await blocker.close()
        await eventually(lambda: lag_of(0), timeout=10, message="the lag did not fall back to 0")
