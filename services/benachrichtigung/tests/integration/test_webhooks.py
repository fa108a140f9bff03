"""Webhooks: signed per Standard Webhooks, retried while the receiver is down, given up after 24 hours,
logged per endpoint, and one slow receiver does not hold up the others."""

import base64
import hmac
import time
import uuid
from datetime import UTC, datetime, timedelta

from benachrichtigung_payloads import stage_overdue

from benachrichtigung.main import create_app, delivery_worker
from zwk_common.testing import eventually, running_app
from zwk_common.testing.plugin import bearer

RIESA = str(uuid.uuid4())
DORTMUND = str(uuid.uuid4())


def overdue(municipality_id: str, name: str) -> dict[str, object]:
    return stage_overdue(municipality_id, name, "WERKSTATTPLAN", "2024-06-30")


def verify_standard_webhook(secret: str, headers: dict[str, str], body: bytes, tolerance: int = 300) -> bool:
    """A receiver's check, written from the Standard Webhooks specification."""
    key = base64.b64decode(secret[len("whsec_") :])
    message_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = base64.b64encode(hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, "sha256").digest())
    return any(
        version == "v1" and hmac.compare_digest(value.encode(), expected)
        for version, _, value in (s.partition(",") for s in headers["webhook-signature"].split(" "))
    )


async def register(client, token, url, **extra):  # type: ignore[no-untyped-def]
    response = await client.post("/webhooks", json={"url": url, **extra}, headers=bearer(token))
    assert response.status_code == 201, response.text
    return response.json()


async def log_of(client, token, endpoint_id):  # type: ignore[no-untyped-def]
    response = await client.get(f"/webhooks/{endpoint_id}/deliveries", headers=bearer(token))
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_signatures_match_the_published_standard_webhooks_test_vector() -> None:
    from benachrichtigung.delivery.webhooks import sign

    signature = sign(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}'
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


async def test_a_municipality_s_endpoint_receives_its_process_events_signed(  # type: ignore[no-untyped-def]
    settings_for, smtp, receiver, publish, event, zwk_token, last_published
) -> None:
    async with running_app(create_app(settings_for(smtp))) as client:
        riesa = zwk_token("municipality", municipality_id=RIESA)
        endpoint = await register(client, riesa, receiver.url("/riesa"), description="Ratsinformationssystem")
        assert endpoint["secret"].startswith("whsec_")
        assert endpoint["organisation"] == RIESA
        await publish(event("zwk.prozess.stage.overdue", overdue(RIESA, "Riesa")))

        calls = await eventually(lambda: receiver.calls_to("/riesa"))
        call = calls[0]
        assert verify_standard_webhook(endpoint["secret"], call.headers, call.body)
        assert not verify_standard_webhook(endpoint["secret"], call.headers, call.body.replace(b"Riesa", b"Riese"))
        assert call.headers["content-type"] == "application/json"
        body = call.json()
        assert body["type"] == "notification.stage_overdue"
        assert body["data"]["title"] == "Riesa: „Werkstattplan“ ist überfällig"
        assert body["data"]["municipality_id"] == RIESA
        assert body["data"]["event_type"] == "zwk.prozess.stage.overdue"

        log = await eventually(lambda: _delivered(client, riesa, endpoint["id"]))
        assert log[0]["id"] == call.headers["webhook-id"]
        assert [a["outcome"] for a in log[0]["attempt_log"]] == ["delivered"]
        assert log[0]["attempt_log"][0]["status_code"] == 200
        delivered = await eventually(lambda: last_published("zwk.benachrichtigung.notification.delivered"))
        assert delivered.data["channel"] == "webhook"
        assert delivered.data["recipient_id"] == endpoint["id"]


async def _delivered(client, token, endpoint_id):  # type: ignore[no-untyped-def]
    items = await log_of(client, token, endpoint_id)
    return items if items and all(d["status"] == "delivered" for d in items) else None


async def test_a_call_to_a_receiver_that_is_down_is_retried_until_it_answers(  # type: ignore[no-untyped-def]
    settings_for, smtp, receiver_later, publish, event, zwk_token
) -> None:
    async with running_app(create_app(settings_for(smtp))) as client:
        riesa = zwk_token("municipality", municipality_id=RIESA)
        endpoint = await register(client, riesa, receiver_later.url("/riesa"))
        await publish(event("zwk.prozess.stage.overdue", overdue(RIESA, "Riesa")))

        async def failed_once():  # type: ignore[no-untyped-def]
            items = await log_of(client, riesa, endpoint["id"])
            return items and items[0]["attempt_log"] and items[0]

        pending = await eventually(failed_once)
        assert pending["status"] == "queued"
        assert pending["attempt_log"][0]["outcome"] == "failed"
        assert pending["attempt_log"][0]["error"] == "Empfänger nicht erreichbar (Verbindung abgelehnt)"

        await receiver_later.start()
        log = await eventually(lambda: _delivered(client, riesa, endpoint["id"]))
        outcomes = [a["outcome"] for a in log[0]["attempt_log"]]
        assert outcomes[-1] == "delivered" and set(outcomes[:-1]) == {"failed"} and len(outcomes) >= 2
        assert len(receiver_later.calls_to("/riesa")) == 1


async def test_a_call_is_given_up_after_24_hours_and_reported_failed(  # type: ignore[no-untyped-def]
    settings_for, smtp, receiver, publish, event, zwk_token, last_published
) -> None:
    receiver.answers["/riesa"] = 503
    app = create_app(settings_for(smtp, run_jobs=False, retry_base_seconds=60, retry_max_delay_seconds=4 * 3600))
    async with running_app(app) as client:
        riesa = zwk_token("municipality", municipality_id=RIESA)
        endpoint = await register(client, riesa, receiver.url("/riesa"))
        await publish(event("zwk.prozess.stage.overdue", overdue(RIESA, "Riesa")))
        await eventually(lambda: log_of(client, riesa, endpoint["id"]))
        worker = delivery_worker(app.state.runtime)

        now = datetime.now(UTC)
        await worker.run_due(now)
        [pending] = await log_of(client, riesa, endpoint["id"])
        assert pending["status"] == "queued"
        assert pending["last_error"] == "HTTP 503"
        assert datetime.fromisoformat(pending["next_attempt_at"]) > now + timedelta(seconds=59)

        for hours in (1, 6, 12, 18, 23):
            await worker.run_due(now + timedelta(hours=hours))
        await worker.run_due(now + timedelta(hours=25))
        [given_up] = await log_of(client, riesa, endpoint["id"])
        assert given_up["status"] == "failed"
        assert given_up["next_attempt_at"] is None
        assert {a["outcome"] for a in given_up["attempt_log"]} == {"failed"}
        assert {a["status_code"] for a in given_up["attempt_log"]} == {503}
        assert given_up["attempts"] == len(given_up["attempt_log"]) == len(receiver.calls_to("/riesa"))
        # The same message each time: receivers recognise a repeat by its id.
        assert {c.headers["webhook-id"] for c in receiver.calls_to("/riesa")} == {given_up["id"]}

        failed = await eventually(lambda: last_published("zwk.benachrichtigung.notification.failed"))
        assert failed.data == {
            "notification_id": given_up["notification_id"],
            "channel": "webhook",
            "recipient_id": endpoint["id"],
            "kind": "stage_overdue",
            "attempts": given_up["attempts"],
            "error": "HTTP 503",
        }


async def test_a_slow_receiver_does_not_hold_up_the_others(  # type: ignore[no-untyped-def]
    settings_for, smtp, receiver, publish, event, zwk_token
) -> None:
    receiver.held.add("/riesa")
    async with running_app(create_app(settings_for(smtp, attempt_timeout_seconds=30))) as client:
        riesa = zwk_token("municipality", municipality_id=RIESA)
        dortmund = zwk_token("municipality", municipality_id=DORTMUND)
        slow = await register(client, riesa, receiver.url("/riesa"))
        fast = await register(client, dortmund, receiver.url("/dortmund"))
        await publish(event("zwk.prozess.stage.overdue", overdue(RIESA, "Riesa")))
        await eventually(lambda: receiver.calls_to("/riesa"))
        await publish(event("zwk.prozess.stage.overdue", overdue(DORTMUND, "Dortmund")))

        await eventually(lambda: _delivered(client, dortmund, fast["id"]))
        [waiting] = await log_of(client, riesa, slow["id"])
        assert waiting["status"] == "queued" and waiting["attempt_log"] == []

        receiver.release.set()
        await eventually(lambda: _delivered(client, riesa, slow["id"]))
