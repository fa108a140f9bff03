"""Real servers on loopback for benachrichtigung's tests: an SMTP server and an HTTP receiver."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from aiosmtpd.controller import Controller

from benachrichtigung.config import Settings
from zwk_common.embedded import free_port
from zwk_common.events import Envelope
from zwk_common.messaging import EventBus
from zwk_common.settings import ServiceSettings

# The tests import the payloads of upstream events (`benachrichtigung_payloads`) from this folder.
sys.path.insert(0, str(Path(__file__).parent))


@dataclass
class Mail:
    recipients: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()  # type: ignore[union-attr]


class SmtpServer:
    """An SMTP server on loopback that keeps every message it accepts; it can start late."""

    def __init__(self) -> None:
        self.port = free_port()
        self.mails: list[Mail] = []
        self._controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.mails.append(Mail(list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[Mail]:
        return [m for m in self.mails if address in m.recipients]


@dataclass
class Call:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpReceiver:
    """An HTTP server on loopback that records every call; per path it answers a status or holds the call."""

    port: int = field(default_factory=free_port)
    calls: list[Call] = field(default_factory=list)
    answers: dict[str, int] = field(default_factory=dict)
    held: set[str] = field(default_factory=set)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    _server: uvicorn.Server | None = None
    _task: asyncio.Task[None] | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def calls_to(self, path: str) -> list[Call]:
        return [c for c in self.calls if c.path == path]

    async def __call__(self, scope: dict[str, Any], receive: Callable[[], Awaitable[Any]], send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path = scope["path"]
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.calls.append(Call(path, headers, body))
        if path in self.held:
            await self.release.wait()
        status = self.answers.get(path, 200)
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})

    async def start(self) -> None:
        config = uvicorn.Config(
            self, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off", timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                await self._task
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        self.release.set()
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
            self._server = None


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_later() -> Iterator[SmtpServer]:
    """An SMTP server that is down until the test starts it."""
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
async def receiver() -> AsyncIterator[HttpReceiver]:
    server = HttpReceiver()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def receiver_later() -> AsyncIterator[HttpReceiver]:
    """An HTTP receiver that is down until the test starts it."""
    server = HttpReceiver()
    yield server
    await server.stop()


@pytest.fixture
def settings_for(zwk_clean: dict[str, str]) -> Callable[..., Settings]:
    """Settings of a benachrichtigung under test: fast polling and retries, mail to the given server."""

    def make(mail: SmtpServer | None = None, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "smtp_host": "127.0.0.1",
            "smtp_port": mail.port if mail is not None else free_port(),
            "delivery_poll_seconds": 0.05,
            "retry_base_seconds": 0.1,
            "retry_max_delay_seconds": 0.5,
            "attempt_timeout_seconds": 5.0,
            "digest_poll_seconds": 3600.0,
            "public_url": "http://benachrichtigung.test",
            "app_url": "https://zwk.test",
        }
        values.update(overrides)
        return Settings(**values)

    return make


async def _publish(*envelopes: Envelope, msg_ids: list[str] | None = None) -> None:
    bus = EventBus(ServiceSettings(), client_name="test-upstream")
    await bus.connect()
    try:
        for i, envelope in enumerate(envelopes):
            await bus.publish(envelope, {"Nats-Msg-Id": msg_ids[i]} if msg_ids else None)
    finally:
        await bus.close()


@pytest.fixture
def publish(zwk_clean: dict[str, str]) -> Callable[..., Awaitable[None]]:
    """Publish envelopes as an upstream service would (distinct msg_ids get copies past de-duplication)."""
    return _publish


@pytest.fixture
def event() -> Callable[..., Envelope]:
    """An envelope of an upstream event: event("zwk.prozess.stage.completed", {...})."""

    def make(event_type: str, data: dict[str, Any], subject: str | None = None) -> Envelope:
        source = "/zwk/" + event_type.split(".")[1]
        return Envelope(source=source, type=event_type, subject=subject or data.get("municipality_id"), data=data)

    return make


@pytest.fixture
def last_published(zwk_clean: dict[str, str]) -> Callable[[str], Awaitable[Envelope | None]]:
    """The last event of a type on this test's stream, or None."""

    async def read(event_type: str) -> Envelope | None:
        import nats
        import nats.js.errors

        settings = ServiceSettings()
        connection = await nats.connect(settings.nats_url)
        try:
            message = await connection.jetstream().get_last_msg(settings.event_stream, settings.subject_for(event_type))
            return Envelope.from_bytes(message.data)  # type: ignore[arg-type]
        except nats.js.errors.NotFoundError:
            return None
        finally:
            await connection.close()

    return read


@pytest.fixture
def handled() -> Callable[[Any, str, int], Awaitable[bool]]:
    """Whether a running app has handled `count` events of a type (a sync point between consumers)."""

    async def probe(app: Any, event_type: str, count: int = 1) -> bool:
        from sqlalchemy import func, select

        from benachrichtigung.models import inbox

        async with app.state.runtime.sessions() as session:
            table = inbox.table
            result = await session.execute(
                select(func.count()).select_from(table).where(table.c.event_type == event_type)
            )
            return int(result.scalar_one()) >= count

    return probe
