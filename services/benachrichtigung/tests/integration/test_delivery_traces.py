"""A delivery continues the trace of the event that caused it; a digest that of its earliest entry."""

import uuid
from datetime import UTC, datetime, timedelta

from benachrichtigung_payloads import comment_added, stage_overdue
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from prometheus_client import REGISTRY

from benachrichtigung.delivery.digests import collect_digests
from benachrichtigung.main import create_app, delivery_worker
from zwk_common.testing import eventually, running_app
from zwk_common.testing.plugin import bearer

RIESA = str(uuid.uuid4())
BOERSE = str(uuid.uuid4())
CLARA = "follower-clara"


def named(exporter: InMemorySpanExporter, name: str) -> list[ReadableSpan]:
    return sorted((s for s in exporter.get_finished_spans() if s.name == name), key=lambda s: s.start_time or 0)


def deliveries(channel: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("zwk_delivery_seconds_count", {"channel": channel, "outcome": outcome}) or 0.0


async def test_a_webhook_call_continues_the_trace_of_the_event_and_a_refusal_marks_its_span(  # type: ignore[no-untyped-def]
    settings_for, smtp, receiver, publish, event, zwk_token, zwk_spans
) -> None:
    receiver.answers["/riesa"] = 503
    async with running_app(create_app(settings_for(smtp, retry_base_seconds=3600))) as client:
        riesa = zwk_token("municipality", municipality_id=RIESA)
        added = await client.post("/webhooks", json={"url": receiver.url("/riesa")}, headers=bearer(riesa))
        assert added.status_code == 201, added.text
        failed_before = deliveries("webhook", "failed")
        await publish(event("zwk.prozess.stage.overdue", stage_overdue(RIESA, "Riesa", "WERKSTATTPLAN", "2024-06-30")))

        async def delivered() -> list[ReadableSpan]:
            return named(zwk_spans, "deliver webhook")

        [deliver] = await eventually(delivered)
    [consume] = named(zwk_spans, "consume zwk.prozess.stage.overdue")
    assert deliver.kind is SpanKind.CLIENT
    assert deliver.context.trace_id == consume.context.trace_id
    assert deliver.parent is not None and deliver.parent.span_id == consume.context.span_id
    assert deliver.attributes["http.response.status_code"] == 503  # type: ignore[index]
    assert deliver.status.status_code is StatusCode.ERROR
    assert deliveries("webhook", "failed") == failed_before + 1


def comment(event, n: int):  # type: ignore[no-untyped-def]
    return event("zwk.austausch.comment.added", comment_added(BOERSE, RIESA, f"Gute Idee Nr. {n}"), subject=RIESA)


async def test_a_digest_e_mail_continues_the_trace_of_its_earliest_entry(  # type: ignore[no-untyped-def]
    settings_for, smtp, publish, event, zwk_token, zwk_spans
) -> None:
    app = create_app(settings_for(smtp, run_jobs=False))
    async with running_app(app) as client:
        clara = zwk_token("municipality", municipality_id=RIESA, subject=CLARA)
        await publish(
            event(
                "zwk.austausch.follow.started",
                {"subject": CLARA, "target_kind": "practice", "target_id": BOERSE, "email": "clara@riesa.test"},
                subject=CLARA,
            )
        )
        first, *later = [comment(event, n) for n in range(3)]
        await publish(first)

        async def told(count: int) -> bool:
            unread = await client.get("/inbox/unread-count", headers=bearer(clara))
            return unread.json() == {"unread": count}

        await eventually(lambda: told(1))
        await publish(*later)
        await eventually(lambda: told(3))

        runtime = app.state.runtime
        due = datetime.now(UTC) + timedelta(days=1)
        assert await collect_digests(runtime.sessions, runtime.settings, due) == 1
        await delivery_worker(runtime).run_due(due)
        assert len(smtp.to("clara@riesa.test")) == 1

    [deliver] = named(zwk_spans, "deliver email")
    consumes = {
        s.attributes["messaging.message.id"]: s  # type: ignore[index]
        for s in named(zwk_spans, "consume zwk.austausch.comment.added")
    }
    earliest = consumes[first.id]
    assert deliver.attributes["zwk.kind"] == "digest"  # type: ignore[index]
    assert deliver.context.trace_id == earliest.context.trace_id
    assert deliver.parent is not None and deliver.parent.span_id == earliest.context.span_id
    assert {consumes[e.id].context.trace_id for e in later}.isdisjoint({deliver.context.trace_id})
