"""The delivery worker: sends due e-mails and webhook calls concurrently, logging every attempt.

Rows are claimed with FOR UPDATE SKIP LOCKED and leased by moving their next attempt past the
attempt timeout, so several replicas share the queue and nothing is held locked while a slow
server is waited for. Each attempt runs as a task of its own under a timeout and records its
outcome in a transaction of its own: one slow receiver occupies one slot, never the others.
Delivery is at least once: a crash after sending but before recording sends again after the
lease; the webhook id stays the same, so receivers can recognise the repeat.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import aiosmtplib
import httpx
from opentelemetry.trace import SpanKind, Status, StatusCode
from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from benachrichtigung.config import Settings
from benachrichtigung.delivery.email import digest_email, digest_lines, notification_email
from benachrichtigung.delivery.repository import DeliveryRepository
from benachrichtigung.delivery.schedule import retry_delay
from benachrichtigung.delivery.webhooks import payload, public_addresses, signed_headers
from benachrichtigung.events import NotificationDelivered, NotificationFailed
from benachrichtigung.models import outbox
from benachrichtigung.recipients.repository import RecipientRepository
from zwk_common.db import transaction
from zwk_common.metrics import DELIVERY_LATENCY
from zwk_common.telemetry import continued_span

log = logging.getLogger(__name__)

ADDRESS = re.compile(r"[^\s<>@\"',;:]+@[^\s<>@\"',;:]+")


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    error: str | None = None
    status_code: int | None = None
    # No retry can help (there is no address to send to).
    final: bool = False


def _describe(exc: BaseException) -> str:
    """What went wrong, in words for the log, without any e-mail address in it."""
    if isinstance(exc, aiosmtplib.SMTPConnectError | aiosmtplib.SMTPServerDisconnected | ConnectionError):
        text = f"Mailserver nicht erreichbar ({type(exc).__name__})"
    elif isinstance(exc, aiosmtplib.SMTPResponseException):
        text = f"Mailserver lehnt ab: {exc.code} {exc.message}"
    elif isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        text = "Mailserver lehnt den Empfänger ab"
    elif isinstance(exc, httpx.ConnectError):
        text = "Empfänger nicht erreichbar (Verbindung abgelehnt)"
    elif isinstance(exc, httpx.TimeoutException | TimeoutError):
        text = "Zeitüberschreitung"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return ADDRESS.sub("<Adresse>", text)[:1000]


class DeliveryWorker:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self.sessions = sessions
        self.settings = settings
        self.in_flight: set[asyncio.Task[None]] = set()
        self._http: httpx.AsyncClient | None = None
        self._closed = False

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            # Redirects are not followed: a receiver must not steer the call somewhere else.
            self._http = httpx.AsyncClient(follow_redirects=False, timeout=self.settings.attempt_timeout_seconds)
        return self._http

    async def close(self) -> None:
        self._closed = True
        if self.in_flight:
            await asyncio.wait(self.in_flight, timeout=self.settings.attempt_timeout_seconds + 1)
        for task in self.in_flight:
            task.cancel()
        await asyncio.gather(*self.in_flight, return_exceptions=True)
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def tick(self, now: datetime | None = None) -> int:
        """Start sending what is due, as many as there are free slots; returns how many were started."""
        free = self.settings.delivery_concurrency - len(self.in_flight)
        if free <= 0 or self._closed:
            return 0
        at = now or datetime.now(UTC)
        lease = timedelta(seconds=self.settings.attempt_timeout_seconds * 2 + 30)
        async with transaction(self.sessions) as session:
            rows = await DeliveryRepository(session).claim_due(at, free, at + lease)
            targets = [r["target"] for r in rows if r["channel"] == "email"]
            addresses = await RecipientRepository(session).addresses_of(targets) if targets else {}
        for row in rows:
            address = addresses.get(row["target"]) if row["channel"] == "email" else None
            task = asyncio.create_task(self._attempt(row, address, now), name=f"delivery-{row['id']}")
            self.in_flight.add(task)
            task.add_done_callback(self.in_flight.discard)
        return len(rows)

    async def drain(self) -> None:
        """Wait for every attempt in flight."""
        while self.in_flight:
            await asyncio.gather(*list(self.in_flight), return_exceptions=True)

    async def run_due(self, now: datetime | None = None) -> None:
        """Send everything due at `now` and wait for the outcomes (for jobs and tests)."""
        while await self.tick(now):
            await self.drain()
        await self.drain()

    async def _attempt(self, row: RowMapping, address: RowMapping | None, now: datetime | None) -> None:
        channel = row["channel"]
        started = time.monotonic()
        with continued_span(
            f"deliver {channel}",
            row["trace_context"],
            kind=SpanKind.CLIENT,
            attributes={"zwk.channel": channel, "zwk.delivery.id": str(row["id"]), "zwk.kind": row["kind"]},
        ) as span:
            try:
                outcome = await asyncio.wait_for(
                    self._send(row, address), timeout=self.settings.attempt_timeout_seconds
                )
            except Exception as exc:  # noqa: BLE001 - every failure is an outcome to log and retry
                outcome = Outcome(delivered=False, error=_describe(exc))
            if outcome.status_code is not None:
                span.set_attribute("http.response.status_code", outcome.status_code)
            if not outcome.delivered:
                span.set_status(Status(StatusCode.ERROR, outcome.error))
        duration_ms = int((time.monotonic() - started) * 1000)
        # From the event's notification (a digest: from its collection) to this attempt's end.
        caused_at = row["notified_at"] if row["kind"] != "digest" and row["notified_at"] else row["created_at"]
        DELIVERY_LATENCY.labels(channel=channel, outcome="delivered" if outcome.delivered else "failed").observe(
            max(0.0, (datetime.now(UTC) - caused_at).total_seconds())
        )
        try:
            await self._record(row, outcome, now or datetime.now(UTC), duration_ms)
        except Exception:  # noqa: BLE001 - the lease runs out and the delivery is tried again
            log.exception("delivery %s: could not record the outcome", row["id"])

    async def _send(self, row: RowMapping, address: RowMapping | None) -> Outcome:
        if row["channel"] == "email":
            return await self._send_email(row, address)
        return await self._call_webhook(row)

    async def _send_email(self, row: RowMapping, address: RowMapping | None) -> Outcome:
        if address is None:
            return Outcome(delivered=False, error="Keine E-Mail-Adresse bekannt", final=True)
        if row["kind"] == "digest":
            message = digest_email(
                self.settings,
                recipient_id=row["target"],
                address=address["email"],
                name=address["name"],
                frequency=row["frequency"],
                content=row["content"],
            )
        else:
            message = notification_email(
                self.settings,
                recipient_id=row["target"],
                address=address["email"],
                name=address["name"],
                notification=dict(row),
            )
        settings = self.settings
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            use_tls=settings.smtp_use_tls,
            start_tls=settings.smtp_start_tls,
            timeout=settings.attempt_timeout_seconds,
        )
        return Outcome(delivered=True)

    def _webhook_body(self, row: RowMapping) -> bytes:
        app = self.settings.app_url.rstrip("/")
        if row["kind"] == "digest":
            content: dict[str, Any] = row["content"]
            lines = [
                {**line, "text": text, "link": app + link}
                for line, (text, link) in zip(content["lines"], digest_lines(content), strict=False)
            ]
            data: dict[str, Any] = {
                "digest_id": str(row["id"]),
                "frequency": row["frequency"],
                "count": content["count"],
                "lines": lines,
            }
            return payload("digest", row["created_at"], data)
        data = {
            "notification_id": str(row["notification_id"]),
            "kind": row["kind"],
            "title": row["title"],
            "body": row["body"],
            "link": app + (row["link"] or "/"),
            "item": {"kind": row["item_kind"], "id": row["item_id"], "title": row["item_title"]},
            "municipality_id": str(row["municipality_id"]) if row["municipality_id"] else None,
            "event_type": row["event_type"],
        }
        return payload(f"notification.{row['kind']}", row["notified_at"], data)

    async def _call_webhook(self, row: RowMapping) -> Outcome:
        if not row["endpoint_active"]:
            return Outcome(delivered=False, error="Endpunkt ist deaktiviert")
        url: str = row["url"]
        if self.settings.is_production and not await public_addresses(urlsplit(url).hostname or ""):
            return Outcome(delivered=False, error="Ziel ist keine öffentliche Adresse")
        body = self._webhook_body(row)
        headers = signed_headers(row["secret"], str(row["id"]), int(time.time()), body)
        response = await self.http.post(url, content=body, headers=headers)
        if 200 <= response.status_code < 300:
            return Outcome(delivered=True, status_code=response.status_code)
        return Outcome(delivered=False, status_code=response.status_code, error=f"HTTP {response.status_code}")

    async def _record(self, row: RowMapping, outcome: Outcome, at: datetime, duration_ms: int) -> None:
        async with transaction(self.sessions) as session:
            repository = DeliveryRepository(session)
            current = await repository.lock(row["id"])
            if current is None or current["status"] != "queued":
                return  # erased (a removed contact) or settled elsewhere meanwhile
            attempts = current["attempts"] + 1
            await repository.log_attempt(
                {
                    "delivery_id": row["id"],
                    "attempt": attempts,
                    "attempted_at": at,
                    "outcome": "delivered" if outcome.delivered else "failed",
                    "status_code": outcome.status_code,
                    "error": outcome.error,
                    "duration_ms": duration_ms,
                }
            )
            facts = {
                "notification_id": current["notification_id"] or current["id"],
                "channel": current["channel"],
                "recipient_id": current["target"],
                "kind": current["kind"],
                "attempts": attempts,
            }
            if outcome.delivered:
                await repository.update(
                    row["id"],
                    {
                        "status": "delivered",
                        "attempts": attempts,
                        "finished_at": at,
                        "last_error": None,
                        "last_status_code": outcome.status_code,
                    },
                )
                await outbox.record(session, NotificationDelivered(**facts))
                return
            next_attempt = at + retry_delay(attempts, self.settings)
            if outcome.final or next_attempt > current["expires_at"]:
                await repository.update(
                    row["id"],
                    {
                        "status": "failed",
                        "attempts": attempts,
                        "finished_at": at,
                        "last_error": outcome.error,
                        "last_status_code": outcome.status_code,
                    },
                )
                await outbox.record(session, NotificationFailed(**facts, error=outcome.error or "unbekannt"))
                return
            await repository.update(
                row["id"],
                {
                    "attempts": attempts,
                    "next_attempt_at": next_attempt,
                    "last_error": outcome.error,
                    "last_status_code": outcome.status_code,
                },
            )
