"""The event bus on NATS JetStream: stream, publishing, durable pull consumers, dead letters."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import decode_header
from typing import Any

import asyncpg.exceptions
import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, RetentionPolicy, StorageType, StreamConfig
from opentelemetry import trace
from opentelemetry.propagate import extract
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from zwk_common import metrics
from zwk_common.errors import is_unavailable
from zwk_common.events import Envelope, EventPayload
from zwk_common.inbox import Inbox, InboxClaim
from zwk_common.settings import ServiceSettings
from zwk_common.telemetry import mask_personal_data

log = logging.getLogger(__name__)
tracer = trace.get_tracer("zwk.messaging")

DEAD_LETTER = "deadletter"
# Failures of the infrastructure, not of the event: retried without counting
# towards the dead letter, since the event is not at fault.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    ConnectionError,
    OSError,
    asyncio.TimeoutError,
    nats.errors.ConnectionClosedError,
    nats.errors.NoServersError,
)
# A replayed dead letter names the one consumer that is to handle it again.
REPLAY_FOR = "Zwk-Replay-For"


def is_transient(exc: BaseException) -> bool:
    """A failure of the infrastructure (database, NATS), retried without end, never dead-lettered."""
    return isinstance(exc, TRANSIENT_ERRORS) or is_unavailable(exc)


def is_conflict(exc: BaseException) -> bool:
    """A transaction that lost against a concurrent one (SQLSTATE class 40); the same work succeeds again."""
    current: BaseException | None = exc
    for _ in range(4):
        if current is None:
            return False
        if isinstance(current, asyncpg.exceptions.TransactionRollbackError):
            return True
        current = getattr(current, "orig", None) or current.__cause__
    return False


def _lane_of(message: Msg) -> str:
    try:
        envelope = Envelope.from_bytes(message.data)
    except ValidationError:
        return f"unreadable-{message.metadata.sequence.stream}"
    # Events without an entity to order by keep the stream's order among themselves.
    return f"entity:{envelope.subject}" if envelope.subject else "unordered"


def describe_error(exc: BaseException) -> str:
    """A short, address-free description of why handling failed, for the dead letter."""
    cause = exc.orig.__cause__ or exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    if isinstance(exc, ValidationError):
        text = "ValidationError: " + "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
    elif cause is not exc:
        # SQLAlchemy's message would carry the statement's parameters.
        text = f"{type(exc).__name__} ({type(cause).__name__}): {str(cause).splitlines()[0] if str(cause) else ''}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return mask_personal_data(text)[:1000]


def header_text(value: object) -> str:
    """A NATS header value as text: the client hands back UTF-8 values as undecoded `email` headers."""
    if isinstance(value, str):
        return value
    parts: list[str] = []
    for chunk, charset in decode_header(value):  # type: ignore[arg-type]
        if isinstance(chunk, bytes):
            parts.append(chunk.decode("utf-8" if charset in (None, "unknown-8bit") else charset, errors="replace"))
        else:
            parts.append(chunk)
    return "".join(parts)


def server_urls(nats_url: str) -> list[str]:
    """The servers of a NATS URL setting: one URL or several, comma-separated (a cluster)."""
    return [url.strip() for url in nats_url.split(",") if url.strip()]


@dataclass(frozen=True)
class EventContext:
    """What a handler gets beside its payload: the open transaction and the envelope; for a
    `OneStatement` handler, a session without a transaction and the claim its statement writes."""

    session: AsyncSession
    envelope: Envelope
    claim: InboxClaim | None = None


@dataclass(frozen=True)
class OneStatement:
    """A handler whose whole effect is one statement that also claims the event in the inbox.

    The statement includes `Inbox.claimed` (with `EventContext.claim`'s values) and has an effect
    only if the claim is new; `handle` answers whether it was (False: a duplicate, nothing done).
    The consumer runs it without BEGIN and COMMIT: one round trip to the database instead of
    four. A statement is atomic on its own, so the claim and the effect still commit together.
    A handler that may need a second statement is not one of these: it is a plain `Handler`.
    """

    handle: Callable[[Any, EventContext], Awaitable[bool]]


Handler = Callable[[Any, EventContext], Awaitable[None]] | OneStatement


class EventBus:
    """One NATS connection of a service, reconnecting without giving up."""

    def __init__(self, settings: ServiceSettings, client_name: str) -> None:
        self.settings = settings
        self.client_name = client_name
        self.nc: Client | None = None
        self._js: JetStreamContext | None = None
        self.connected = asyncio.Event()
        self.generation = 0  # bumps on every (re)connect, so consumers re-check their setup

    @property
    def js(self) -> JetStreamContext:
        if self._js is None:
            raise nats.errors.ConnectionClosedError
        return self._js

    @property
    def is_connected(self) -> bool:
        return self.nc is not None and self.nc.is_connected

    def subject(self, event_type: str) -> str:
        return self.settings.subject_for(event_type)

    def dead_letter_subject(self, consumer: str) -> str:
        return f"{self.settings.event_subject_root}.{DEAD_LETTER}.{consumer}"

    async def connect(self, stop: asyncio.Event | None = None) -> None:
        """Connect, retrying until the server answers (or `stop` is set), then ensure the stream."""
        delay = 0.2
        while self.nc is None:
            try:
                self.nc = await nats.connect(
                    server_urls(self.settings.nats_url),
                    name=self.client_name,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=0.5,
                    connect_timeout=2,
                    allow_reconnect=True,
                    error_cb=self._on_error,
                    disconnected_cb=self._on_disconnected,
                    reconnected_cb=self._on_reconnected,
                )
            except (nats.errors.NoServersError, OSError, TimeoutError) as exc:
                log.warning("NATS not reachable (%s); retrying in %.1fs", type(exc).__name__, delay)
                if stop is not None and stop.is_set():
                    return
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        self._js = self.nc.jetstream(timeout=5)
        delay = 0.2
        while True:
            try:
                await self.ensure_stream()
                break
            except (nats.errors.Error, OSError) as exc:
                # A cluster still electing its leaders answers "temporarily unavailable".
                log.warning("JetStream not ready (%s: %s); retrying in %.1fs", type(exc).__name__, exc, delay)
                if stop is not None and stop.is_set():
                    return
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        self.generation += 1
        self.connected.set()

    async def ensure_stream(self) -> None:
        """Create the stream, or bring its configuration up to date; safe to repeat."""
        config = StreamConfig(
            name=self.settings.event_stream,
            subjects=[f"{self.settings.event_subject_root}.>"],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            num_replicas=self.settings.event_stream_replicas,
            duplicate_window=600.0,
        )
        try:
            await self.js.stream_info(self.settings.event_stream)
        except nats.js.errors.NotFoundError:
            try:
                await self.js.add_stream(config)
                return
            except nats.js.errors.BadRequestError:
                pass  # another replica created it a moment ago
        await self.js.update_stream(config)

    async def publish(self, envelope: Envelope, headers: Mapping[str, str] | None = None) -> None:
        """Publish and wait for JetStream's acknowledgement; the event id de-duplicates."""
        all_headers = {"Nats-Msg-Id": envelope.id, "Ce-Type": envelope.type, **(headers or {})}
        await self.js.publish(self.subject(envelope.type), envelope.to_bytes(), headers=all_headers)

    async def close(self) -> None:
        """Drain: finish what is in flight, then disconnect."""
        if self.nc is not None and not self.nc.is_closed:
            try:
                await asyncio.wait_for(self.nc.drain(), timeout=5)
            except Exception:  # noqa: BLE001 - closing anyway
                await self.nc.close()
        self.connected.clear()

    async def _on_error(self, exc: Exception) -> None:
        log.debug("NATS: %s", exc)

    async def _on_disconnected(self) -> None:
        log.warning("NATS disconnected; reconnecting")

    async def _on_reconnected(self) -> None:
        log.info("NATS reconnected")
        self.generation += 1


class EventConsumer:
    """A durable pull consumer of one upstream subject tree, handling each event once.

    Each message is handled in one transaction that also records the event id
    in the inbox (a `OneStatement` handler: in one statement that does); the ack
    follows the commit. A failing handler is retried with
    backoff; after `event_max_deliveries` tries the message goes to the
    dead-letter subject with its error, and the consumer goes on. An outage of
    the database is not the event's fault: the consumer pauses and tries again,
    as long as it takes, and never dead-letters for it.
    """

    def __init__(
        self,
        bus: EventBus,
        *,
        durable: str,
        filter_subject: str,
        handlers: Mapping[str, tuple[type[EventPayload], Handler]],
        sessions: async_sessionmaker[AsyncSession],
        inbox: Inbox,
        batch_size: int = 50,
        limit: asyncio.Semaphore | None = None,
        parallel_by_entity: bool = False,
    ) -> None:
        self.bus = bus
        self.durable = durable
        self.filter_subject = filter_subject
        self.handlers = handlers
        self.sessions = sessions
        self.inbox = inbox
        self.batch_size = batch_size
        # How many events may be handled at once (shared by a runtime's consumers).
        self.limit = limit or asyncio.Semaphore(1)
        # Only a consumer whose handlers touch nothing but the entity of the
        # ordering key may run entities side by side; any other keeps the
        # stream's order, since its handlers may relate events of different
        # entities (an unfollow must not be overtaken by a later publication).
        self.parallel_by_entity = parallel_by_entity
        self.settings = bus.settings
        # A OneStatement handler's session: the same pool, without BEGIN and COMMIT.
        self._autocommit = sessions.kw["bind"].execution_options(isolation_level="AUTOCOMMIT")
        self._sub: JetStreamContext.PullSubscription | None = None
        self._generation = -1
        self._outages = 0

    async def _subscribe(self) -> JetStreamContext.PullSubscription:
        if self._sub is not None and self._generation == self.bus.generation:
            return self._sub
        await self.bus.connected.wait()
        generation = self.bus.generation
        if self._sub is not None:
            # The client restores its subscriptions after a reconnect; a new one
            # would orphan what the server already sent to the old one until the
            # ack timeout. Only a server that lost the consumer needs a new one.
            try:
                await self.bus.js.consumer_info(self.settings.event_stream, self.durable)
                self._generation = generation
                return self._sub
            except nats.js.errors.NotFoundError:
                pass
            try:
                await self._sub.unsubscribe()
            except Exception:  # noqa: BLE001
                pass
            self._sub = None
        await self.bus.ensure_stream()
        config = ConsumerConfig(
            durable_name=self.durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=30,
            max_ack_pending=1000,
            filter_subject=self.filter_subject,
        )
        self._sub = await self.bus.js.pull_subscribe(
            self.filter_subject, durable=self.durable, stream=self.settings.event_stream, config=config
        )
        self._generation = generation
        return self._sub

    async def run(self, stop: asyncio.Event) -> None:
        failures = 0
        idle = 0
        while not stop.is_set():
            if not self.bus.is_connected:
                # A pull request sent now would wait in the client's buffer and
                # reach the server after the reconnect, long expired.
                await _sleep_or_stop(stop, 0.1)
                continue
            try:
                sub = await self._subscribe()
                try:
                    messages = await sub.fetch(self.batch_size, timeout=1.0)
                except nats.errors.TimeoutError:
                    idle += 1
                    if idle % 30 == 0:
                        await self.refresh_lag()
                    continue
                idle = 0
                failures = 0
                await self._handle_batch(messages, stop)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - a consumer outlives outages
                failures += 1
                self._sub = None if not isinstance(exc, nats.errors.TimeoutError) else self._sub
                delay = min(0.2 * 2**failures, 5.0)
                log.warning("consumer %s: %s; retrying in %.1fs", self.durable, type(exc).__name__, delay)
                await _sleep_or_stop(stop, delay)
        if self._sub is not None:
            try:
                await self._sub.unsubscribe()
            except Exception:  # noqa: BLE001
                pass

    async def _handle_batch(self, messages: list[Msg], stop: asyncio.Event) -> None:
        # Events of one entity (the envelope's subject, e.g. a municipality) keep
        # their order in one lane; lanes run side by side within the runtime's
        # limit. Without parallel_by_entity the whole batch is one lane.
        lanes: dict[str, list[Msg]] = {}
        for message in messages:
            lanes.setdefault(_lane_of(message) if self.parallel_by_entity else "stream", []).append(message)
        halted: list[float] = []

        async def run_lane(lane: list[Msg]) -> None:
            for index, message in enumerate(lane):
                async with self.limit:
                    if stop.is_set() or halted:
                        # Handed back at once (another replica need not wait for the
                        # ack timeout), or held behind the outage, in order.
                        for rest in lane[index:]:
                            await (rest.nak(delay=halted[0]) if halted else rest.nak())
                        return
                    if await self._handle(message) == "outage":
                        halted.append(self._outage_delay())
                        for rest in lane[index + 1 :]:
                            await rest.nak(delay=halted[0])
                        return

        # Every lane ends before the next fetch, failed or not: a lane still running
        # beside the next batch could overtake an entity's later events.
        results = await asyncio.gather(*(run_lane(lane) for lane in lanes.values()), return_exceptions=True)
        failure = next((result for result in results if isinstance(result, BaseException)), None)
        if failure is not None:
            raise failure
        if halted:
            # Rather than running every remaining message into the same outage.
            await _sleep_or_stop(stop, halted[0])

    def _outage_delay(self) -> float:
        return min(self.settings.event_retry_backoff_seconds * 2 ** min(self._outages, 10), 5.0)

    async def refresh_lag(self) -> int | None:
        """Ask the server how many messages this consumer has not handled yet; sets the lag metric."""
        try:
            info = await self.bus.js.consumer_info(self.settings.event_stream, self.durable)
        except nats.js.errors.NotFoundError:
            self._sub = None
            return None
        lag = (info.num_pending or 0) + (info.num_ack_pending or 0)
        metrics.CONSUMER_LAG.labels(self.durable).set(lag)
        return lag

    async def _check_consumer(self) -> None:
        await self.refresh_lag()

    async def handle(self, message: Msg) -> None:
        """Handle one message: effect and inbox in one transaction (or one statement), then ack."""
        await self._handle(message)

    async def _handle(self, message: Msg) -> str:
        try:
            envelope = Envelope.from_bytes(message.data)
        except ValidationError as exc:
            await self._dead_letter(message, None, exc)
            return "dead_lettered"
        replay_for = (message.headers or {}).get(REPLAY_FOR)
        registered = self.handlers.get(envelope.type)
        if registered is None or (replay_for is not None and replay_for != self.durable):
            await message.ack()
            return "skipped"
        model, handler = registered
        parent = (
            extract(dict(message.headers or {}))
            if message.headers and "traceparent" in message.headers
            else extract({"traceparent": envelope.traceparent} if envelope.traceparent else {})
        )
        with tracer.start_as_current_span(
            f"consume {envelope.type}",
            context=parent,
            kind=trace.SpanKind.CONSUMER,
            attributes={
                "messaging.system": "nats",
                "messaging.operation.type": "process",
                "messaging.destination.name": message.subject,
                "messaging.consumer.group.name": self.durable,
                "messaging.message.id": envelope.id,
            },
        ) as span:
            try:
                payload = model.model_validate(envelope.data)
                if isinstance(handler, OneStatement):
                    claim = InboxClaim.of(self.inbox, self.durable, envelope.id, envelope.type)
                    async with self.sessions(bind=self._autocommit) as session:
                        claimed = await handler.handle(
                            payload, EventContext(session=session, envelope=envelope, claim=claim)
                        )
                else:
                    async with self.sessions() as session, session.begin():
                        claimed = await self.inbox.claim(session, self.durable, envelope.id, envelope.type)
                        if claimed:
                            await handler(payload, EventContext(session=session, envelope=envelope))
                if not claimed:
                    span.set_attribute("zwk.duplicate", True)
            except Exception as exc:  # noqa: BLE001 - every failure is either retried or dead-lettered
                span.record_exception(exc)
                span.set_status(trace.StatusCode.ERROR, type(exc).__name__)
                return await self._failed(message, envelope, exc)
        await message.ack()
        self._outages = 0
        metrics.EVENTS_CONSUMED.labels(self.durable, envelope.type, "handled").inc()
        if envelope.time.tzinfo is not None:
            metrics.EVENT_LATENCY.labels(self.durable, envelope.type).observe(
                max((datetime.now(UTC) - envelope.time).total_seconds(), 0.0)
            )
        return "handled"

    async def _failed(self, message: Msg, envelope: Envelope, exc: Exception) -> str:
        deliveries = message.metadata.num_delivered or 1
        if is_conflict(exc):
            # Two transactions met (a deadlock, a serialization failure): trying again
            # succeeds, and the event is not at fault.
            delay = self.settings.event_retry_backoff_seconds
            metrics.EVENTS_CONSUMED.labels(self.durable, envelope.type, "retried").inc()
            await message.nak(delay=delay)
            return "retried"
        if is_transient(exc):
            self._outages += 1
            delay = self._outage_delay()
            log.warning(
                "consumer %s: %s on %s (outage); retrying in %.1fs",
                self.durable,
                type(exc).__name__,
                envelope.type,
                delay,
            )
            metrics.EVENTS_CONSUMED.labels(self.durable, envelope.type, "retried").inc()
            await message.nak(delay=delay)
            return "outage"
        if deliveries < self.settings.event_max_deliveries:
            delay = min(self.settings.event_retry_backoff_seconds * 2 ** (deliveries - 1), 60.0)
            log.warning(
                "consumer %s: %s on %s (try %d); retrying in %.1fs",
                self.durable,
                type(exc).__name__,
                envelope.type,
                deliveries,
                delay,
            )
            metrics.EVENTS_CONSUMED.labels(self.durable, envelope.type, "retried").inc()
            await message.nak(delay=delay)
            return "retried"
        log.error(
            "consumer %s: %s gave up on %s after %d tries", self.durable, type(exc).__name__, envelope.type, deliveries
        )
        await self._dead_letter(message, envelope, exc)
        return "dead_lettered"

    async def _dead_letter(self, message: Msg, envelope: Envelope | None, exc: Exception) -> None:
        sequence = message.metadata.sequence.stream
        event_id = envelope.id if envelope is not None else f"seq-{sequence}"
        headers = {
            # One dead letter per stream message and consumer: a repeated publish
            # is stored once, a replayed copy that fails again is kept again.
            "Nats-Msg-Id": f"dl-{self.durable}-{event_id}-{sequence}",
            "Zwk-Consumer": self.durable,
            "Zwk-Original-Subject": message.subject,
            "Zwk-Error": " ".join(describe_error(exc).split()),
            "Zwk-Deliveries": str(message.metadata.num_delivered or 1),
            "Zwk-Failed-At": datetime.now(UTC).isoformat(),
        }
        if envelope is not None:
            headers["Zwk-Event-Id"] = envelope.id
            headers["Zwk-Event-Type"] = envelope.type
        for key in ("traceparent", "tracestate"):
            if message.headers and message.headers.get(key):
                headers[key] = message.headers[key]
        # Publish first, then terminate: if the publish fails, the message is
        # redelivered and nothing is lost.
        await self.bus.js.publish(self.bus.dead_letter_subject(self.durable), message.data, headers=headers)
        await message.term()
        metrics.DEAD_LETTERS.labels(self.durable).inc()
        metrics.DEAD_LETTERS_PENDING.labels(self.durable).inc()
        metrics.EVENTS_CONSUMED.labels(self.durable, envelope.type if envelope else "?", "dead_lettered").inc()


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass


def group_handlers(
    service: str, table: Mapping[type[EventPayload], Handler]
) -> dict[str, dict[str, tuple[type[EventPayload], Handler]]]:
    """Split a service's handler table by upstream service: one durable consumer each.

    `zwk.kommunen.municipality.registered` is consumed by the durable
    `<service>-kommunen` filtering `zwk.kommunen.>`.
    """
    groups: dict[str, dict[str, tuple[type[EventPayload], Handler]]] = {}
    for model, handler in table.items():
        upstream = model.event_type.split(".")[1]
        groups.setdefault(upstream, {})[model.event_type] = (model, handler)
    return groups
