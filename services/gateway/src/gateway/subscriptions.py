"""Live events for GraphQL subscriptions, fed from NATS.

One core NATS subscription per subject serves every subscriber of this gateway
process; it is opened with the first subscriber and closed with the last, so a
client that disconnects leaves nothing behind. Core NATS, not a JetStream
consumer: a subscriber wants what happens from now on, and JetStream's
publishes reach core subscribers as well.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from pydantic import ValidationError

from gateway.errors import SERVICE_UNAVAILABLE, GatewayError
from zwk_common.events import Envelope
from zwk_common.messaging import EventBus

log = logging.getLogger(__name__)


@dataclass
class _Feed:
    subscription: Subscription
    listeners: set[asyncio.Queue[Envelope]] = field(default_factory=set)


class EventHub:
    """Fans the events of a subject out to this process's subscribers."""

    def __init__(self, bus: EventBus, *, buffer: int = 100, connect_timeout: float = 5.0) -> None:
        self.bus = bus
        self.buffer = buffer
        self.connect_timeout = connect_timeout
        self._feeds: dict[str, _Feed] = {}
        self._lock = asyncio.Lock()

    def subject(self, event_type: str) -> str:
        """The subject of an event type (`zwk.prozess.stage.>`) under this installation's root."""
        return self.bus.subject(event_type)

    @property
    def listener_count(self) -> int:
        return sum(len(feed.listeners) for feed in self._feeds.values())

    @property
    def open_subjects(self) -> list[str]:
        return sorted(self._feeds)

    @asynccontextmanager
    async def listen(self, subject: str) -> AsyncIterator[asyncio.Queue[Envelope]]:
        """A queue of the envelopes published on `subject` from now until the block is left."""
        queue: asyncio.Queue[Envelope] = asyncio.Queue(maxsize=self.buffer)
        await self._join(subject, queue)
        try:
            yield queue
        finally:
            await self._leave(subject, queue)

    async def _join(self, subject: str, queue: asyncio.Queue[Envelope]) -> None:
        try:
            await asyncio.wait_for(self.bus.connected.wait(), timeout=self.connect_timeout)
        except TimeoutError as exc:
            raise GatewayError(
                "Live events are unavailable right now; try again shortly.", SERVICE_UNAVAILABLE
            ) from exc
        async with self._lock:
            feed = self._feeds.get(subject)
            if feed is None:
                assert self.bus.nc is not None
                feed = _Feed(await self.bus.nc.subscribe(subject, cb=self._dispatcher(subject)))
                self._feeds[subject] = feed
                # Once the server has the subscription, nothing published from now on is missed.
                await self.bus.nc.flush(timeout=self.connect_timeout)
            feed.listeners.add(queue)

    async def _leave(self, subject: str, queue: asyncio.Queue[Envelope]) -> None:
        async with self._lock:
            feed = self._feeds.get(subject)
            if feed is None:
                return
            feed.listeners.discard(queue)
            if not feed.listeners:
                del self._feeds[subject]
                try:
                    await feed.subscription.unsubscribe()
                except Exception:  # noqa: BLE001 - a closed connection has dropped it already
                    log.debug("unsubscribe from %s failed", subject)

    def _dispatcher(self, subject: str):  # type: ignore[no-untyped-def]
        async def dispatch(message: Msg) -> None:
            try:
                envelope = Envelope.from_bytes(message.data)
            except ValidationError:
                log.warning("not an event envelope on %s; ignored", message.subject)
                return
            feed = self._feeds.get(subject)
            for queue in list(feed.listeners if feed else ()):
                if queue.full():
                    # A subscriber that does not keep up loses its oldest event, not the others their newest.
                    queue.get_nowait()
                queue.put_nowait(envelope)

        return dispatch

    async def close(self) -> None:
        async with self._lock:
            for feed in self._feeds.values():
                try:
                    await feed.subscription.unsubscribe()
                except Exception:  # noqa: BLE001
                    pass
            self._feeds.clear()
