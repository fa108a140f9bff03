"""One trace from the office's GraphQL mutation to the e-mail that tells the office of it.

The gateway calls prozess over HTTP, so prozess listens on a loopback port; every service
runs in this process, so all their spans land in one in-memory exporter.
"""

import asyncio
import email
import email.policy
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
import uvicorn
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from prometheus_client import REGISTRY

from benachrichtigung.config import Settings as BenachrichtigungSettings
from benachrichtigung.main import create_app as create_benachrichtigung
from gateway.config import Settings as GatewaySettings
from gateway.main import create_app as create_gateway
from kommunen.main import create_app as create_kommunen
from prozess.main import create_app as create_prozess
from zwk_common.embedded import free_port
from zwk_common.testing import eventually, running_app
from zwk_common.testing.plugin import bearer

STARTED = "zwk.prozess.stage.started"
RIESA = {"ags": "14627230", "name": "Riesa", "kind": "STADT", "programmes": ["ZWK"]}
ANNA = "office-anna"  # on the office's list, told by e-mail
BERND = "office-bernd"  # starts the stage (the actor is not told of their own change)
START_KICK_OFF = """
mutation Start($municipality: ID!) {
  startStage(municipalityId: $municipality, stage: KICK_OFF) { status }
}
"""


class SmtpServer:
    """An SMTP server on loopback that keeps every message it accepts."""

    def __init__(self) -> None:
        self.port = free_port()
        self.mails: list[tuple[list[str], EmailMessage]] = []
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.mails.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.controller.start()
    yield server
    server.controller.stop()


@asynccontextmanager
async def listening(app: FastAPI) -> AsyncIterator[str]:
    """Serve `app` (with its lifespan) on a loopback port; yields its URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=1)
    )
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        if task.done():
            await task  # raises what kept it from starting
        return server.started

    try:
        await eventually(started, timeout=15, interval=0.01, message="prozess did not start listening")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def one(spans: list[ReadableSpan], name: str, kind: SpanKind) -> ReadableSpan:
    found = [span for span in spans if span.name == name and span.kind is kind]
    assert len(found) == 1, sorted((span.name, span.kind.name) for span in spans)
    return found[0]


def parent_of(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


def ancestors(span: ReadableSpan, spans: list[ReadableSpan]) -> list[ReadableSpan]:
    by_id = {s.context.span_id: s for s in spans}
    chain = []
    while (parent := by_id.get(parent_of(span) or 0)) is not None:
        chain.append(parent)
        span = parent
    return chain


def delivered_emails() -> float:
    return REGISTRY.get_sample_value("zwk_delivery_seconds_count", {"channel": "email", "outcome": "delivered"}) or 0.0


async def test_one_trace_runs_from_the_graphql_mutation_through_prozess_and_nats_to_the_offices_email(
    zwk_clean: dict[str, str], zwk_spans: InMemorySpanExporter, smtp: SmtpServer, zwk_token: Any
) -> None:
    benachrichtigung_settings = BenachrichtigungSettings(
        smtp_host="127.0.0.1", smtp_port=smtp.port, delivery_poll_seconds=0.05, app_url="https://zwk.test"
    )
    async with (
        running_app(create_kommunen()) as kommunen,
        listening(create_prozess()) as prozess_url,
        running_app(create_benachrichtigung(benachrichtigung_settings)) as benachrichtigung,
        running_app(create_gateway(GatewaySettings(prozess_url=prozess_url))) as gateway,
        httpx.AsyncClient(base_url=prozess_url) as prozess,
    ):
        office = bearer(zwk_token("office", subject=BERND))
        anna = await benachrichtigung.put(
            f"/office-users/{ANNA}",
            json={"name": "Anna Berger", "email": "anna.berger@zwk.test"},
            headers=bearer(zwk_token("office", subject=ANNA)),
        )
        assert anna.status_code == 201, anna.text
        # Stage progress goes by e-mail at once unless a person chose otherwise: Anna keeps the default.
        preferences = await benachrichtigung.get("/preferences", headers=bearer(zwk_token("office", subject=ANNA)))
        assert preferences.status_code == 200, preferences.text
        stage_progress = next(p for p in preferences.json() if p["kind"] == "stage_progress")
        assert (stage_progress["channel"], stage_progress["frequency"]) == ("email", "immediately")

        registered = await kommunen.post("/municipalities", json=RIESA, headers=office)
        assert registered.status_code == 201, registered.text
        riesa = registered.json()["id"]

        async def has_process() -> bool:
            found = await prozess.get("/processes", params={"municipality_id": riesa}, headers=office)
            return found.status_code == 200 and len(found.json()) == 1

        await eventually(has_process, timeout=15, message="prozess did not open Riesa's process")
        latency_before = delivered_emails()
        zwk_spans.clear()

        answer = await gateway.post(
            "/graphql", json={"query": START_KICK_OFF, "variables": {"municipality": riesa}}, headers=office
        )
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"data": {"startStage": {"status": "IN_PROGRESS"}}}

        async def mailed() -> bool:
            return bool(_mail_to(smtp, "anna.berger@zwk.test"))

        await eventually(mailed, timeout=15, message="no e-mail to Anna")

        async def delivered() -> list[ReadableSpan] | None:
            finished = list(zwk_spans.get_finished_spans())
            return finished if any(s.name == "deliver email" for s in finished) else None

        finished = await eventually(delivered, message="no deliver email span")

        # A call the service refuses is a client span in error, with the status it answered.
        zwk_spans.clear()
        again = await gateway.post(
            "/graphql", json={"query": START_KICK_OFF, "variables": {"municipality": riesa}}, headers=office
        )
        assert again.json()["errors"][0]["extensions"]["code"] == "CONFLICT"
        refused = [s for s in zwk_spans.get_finished_spans() if s.kind is SpanKind.CLIENT and s.name == "POST"]
        assert len(refused) == 1 and refused[0].attributes is not None
        assert refused[0].attributes["http.status_code"] == 409
        assert refused[0].status.status_code is StatusCode.ERROR

    graphql = one(finished, "POST /graphql", SpanKind.SERVER)
    request = one(finished, "POST /processes/{municipality_id}/{programme}/stages/{stage}/start", SpanKind.SERVER)
    record = one(finished, f"record {STARTED}", SpanKind.INTERNAL)
    publish = one(finished, f"publish {STARTED}", SpanKind.PRODUCER)
    consumes = [s for s in finished if s.name == f"consume {STARTED}" and s.kind is SpanKind.CONSUMER]
    deliver = one(finished, "deliver email", SpanKind.CLIENT)

    # The gateway's request is where the trace begins; its HTTP call to prozess carries it on.
    assert graphql.parent is None
    call = next(s for s in finished if s.context.span_id == parent_of(request))
    assert call.kind is SpanKind.CLIENT
    assert call.name == "POST"
    assert call.attributes is not None and call.attributes["http.status_code"] == 200
    assert str(call.attributes["http.url"]).startswith(f"{prozess_url}/processes/{riesa}/")
    assert str(call.attributes["http.url"]).endswith("/stages/KICK_OFF/start")
    assert graphql in ancestors(call, finished)
    assert parent_of(record) == request.context.span_id
    assert parent_of(publish) == record.context.span_id
    # The start's history, the process's summary and its event are one statement beneath the record.
    written = [
        str(attributes.get("db.statement") or attributes.get("db.query.text"))
        for span in finished
        if parent_of(span) == record.context.span_id
        and (attributes := span.attributes or {})
        and ("db.statement" in attributes or "db.query.text" in attributes)
    ]
    assert len(written) == 1, written
    assert "INSERT INTO prozess.stage_transitions" in written[0] and "INSERT INTO prozess.outbox" in written[0]
    # Every consumer of the event continues the trace; benachrichtigung's queued the e-mail.
    assert consumes and all(parent_of(c) == publish.context.span_id for c in consumes)
    told = next(c for c in consumes if c.attributes["messaging.consumer.group.name"].startswith("benachrichtigung"))  # type: ignore[index,union-attr]
    assert parent_of(deliver) == told.context.span_id
    assert deliver.attributes["zwk.channel"] == "email"  # type: ignore[index]
    trace_id = graphql.context.trace_id
    chain = [graphql, call, request, record, publish, *consumes, deliver]
    assert {span.context.trace_id for span in chain} == {trace_id}
    assert delivered_emails() == latency_before + 1

    [(_, mail)] = _mail_to(smtp, "anna.berger@zwk.test")
    assert mail["Subject"] == "Riesa: „Kick-Off“ begonnen"


def _mail_to(smtp: SmtpServer, address: str) -> list[tuple[list[str], EmailMessage]]:
    return [(to, mail) for to, mail in smtp.mails if address in to]
