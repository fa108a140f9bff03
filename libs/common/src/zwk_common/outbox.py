"""The transactional outbox: an event is written with its change and published later."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from opentelemetry import trace
from opentelemetry.propagate import extract, inject
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    bindparam,
    delete,
    func,
    literal,
    select,
    text,
    update,
)
from sqlalchemy import event as orm_event
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, SessionTransaction

from zwk_common import metrics
from zwk_common.events import Envelope, EventPayload
from zwk_common.sql import DriverStatement

log = logging.getLogger(__name__)

PublishFn = Callable[[Envelope, dict[str, str]], Awaitable[None]]
tracer = trace.get_tracer("zwk.outbox")
# The outboxes a session's transaction has recorded events in, kept in its `info` until it ends.
_RECORDED = "zwk.outbox.recorded"


class Outbox:
    """The outbox table of one service and the way events get into it."""

    def __init__(self, metadata: MetaData, source: str) -> None:
        self.source = source
        self.schema = metadata.schema or "public"
        self.channel = f"{self.schema}_outbox"
        self.table = Table(
            "outbox",
            metadata,
            Column("id", BigInteger, primary_key=True, autoincrement=True),
            Column("event_id", String(64), nullable=False, unique=True),
            Column("type", String(200), nullable=False),
            Column("envelope", JSONB, nullable=False),
            Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
            Column("published_at", DateTime(timezone=True)),
            Index("ix_outbox_pending", "id", postgresql_where=text("published_at IS NULL")),
        )
        # Called after a transaction that recorded events here has committed: how a relay in this
        # process learns of them (`wake_after_commit`).
        self._wakers: list[Callable[[], None]] = []
        # Made once: every change of every service records an event through it. Its parameters
        # have names of their own (`outbox_…`), so that they never meet those of a statement that
        # writes its own effect with the event (`with_event`).
        self._recorded = (
            self.table.insert()
            .values(
                event_id=bindparam("outbox_event_id", type_=String),
                type=bindparam("outbox_type", type_=String),
                envelope=bindparam("outbox_envelope", type_=JSONB),
            )
            .returning(self.table.c.id)
            .cte("recorded")
        )
        self._record = self.with_event()

    def with_event(self, *effects: Any) -> Select[Any]:
        """The statement that records an event (its values from `recording`) and writes `effects`
        too (data-modifying CTEs, which run whatever the statement selects): a change and its
        event in one round trip.

        Where no relay runs in this process, the statement also sends the NOTIFY that wakes the
        relays of others; PostgreSQL delivers it only when the transaction commits, so a relay
        wakes for committed events and never sees a rolled-back one. Where one does run, it is
        woken after the commit instead (`wake_after_commit`): every transaction that notifies
        takes one lock of the whole server at its commit and holds it until the commit is
        written, so those transactions commit one after another (benchmarks/README.md,
        fifteenth round)."""
        statement = (
            select(func.pg_notify(literal(self.channel), literal("")))
            .select_from(self._recorded)
            .where(bindparam("outbox_notify", type_=Boolean))
        )
        return statement.add_cte(*effects) if effects else statement

    def wake_after_commit(self, waker: Callable[[], None]) -> Callable[[], None]:
        """Call `waker` (in the committing thread) after each transaction that recorded events here
        has committed, instead of sending a NOTIFY; returns what undoes it."""
        self._wakers.append(waker)
        return lambda: self._wakers.remove(waker)

    def _committed(self) -> None:
        for waker in list(self._wakers):
            try:
                waker()
            except Exception:  # noqa: BLE001 - the commit stands; the relay's poll finds the events
                log.warning("outbox %s: a relay could not be woken", self.schema, exc_info=True)

    async def record(self, session: AsyncSession, payload: EventPayload) -> Envelope:
        """Write `payload` as an event in the caller's transaction; it is published after commit."""
        with self.recording(session, payload) as (envelope, values):
            await session.execute(self._record, values)
        return envelope

    @contextmanager
    def recording(self, session: AsyncSession, payload: EventPayload) -> Iterator[tuple[Envelope, dict[str, Any]]]:
        """The event of `payload` and the values of its row, for a statement of `with_event` run
        inside on `session`: the span of recording it is open meanwhile, the envelope carries its
        context, and the session's transaction wakes this outbox's relays once it has committed."""
        # A session whose statements commit one by one (a consumer's `OneStatement`) has no commit
        # to wait for: the statement wakes the relays as soon as it has run.
        autocommit = session.sync_session.get_bind().get_execution_options().get("isolation_level") == "AUTOCOMMIT"
        envelope = Envelope.wrap(payload, source=self.source)
        with tracer.start_as_current_span(
            f"record {envelope.type}",
            attributes={"messaging.system": "nats", "messaging.message.id": envelope.id, "zwk.outbox": self.schema},
        ):
            # The relay publishes in another transaction, maybe another process:
            # the envelope carries this span's context to it.
            carrier: dict[str, str] = {}
            inject(carrier)
            envelope.traceparent = carrier.get("traceparent")
            envelope.tracestate = carrier.get("tracestate")
            row = {
                "event_id": envelope.id,
                "type": envelope.type,
                "envelope": envelope.model_dump(mode="json", exclude_none=True),
            }
            values: dict[str, Any] = {f"outbox_{name}": value for name, value in row.items()}
            values["outbox_notify"] = not self._wakers
            if not autocommit:
                session.info.setdefault(_RECORDED, set()).add(self)
            yield envelope, values
            if autocommit:
                self._committed()

    async def backlog(self, session: AsyncSession) -> int:
        result = await session.execute(
            select(func.count()).select_from(self.table).where(self.table.c.published_at.is_(None))
        )
        return int(result.scalar_one())


class OutboxRelay:
    """Publishes committed outbox rows to JetStream, oldest first.

    Rows are claimed with FOR UPDATE SKIP LOCKED, so several relay replicas
    share the work, and marked published by the same statement; the mark commits
    only after JetStream acknowledged the batch. A crash between the two
    re-publishes the rows, and JetStream drops the copies because the message id
    is the event id.
    """

    def __init__(
        self,
        outbox: Outbox,
        sessions: async_sessionmaker[AsyncSession],
        publish: PublishFn,
        *,
        listen_dsn: str | None,
        batch_size: int = 200,
        poll_seconds: float = 1.0,
        retention: timedelta = timedelta(days=7),
        vacuum_every: int = 2000,
    ) -> None:
        self.outbox = outbox
        self.sessions = sessions
        self.publish = publish
        self.listen_dsn = listen_dsn
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.retention = retention
        self.vacuum_every = vacuum_every
        self._wake = asyncio.Event()
        table = outbox.table
        claimed = (
            select(table.c.id)
            .where(table.c.published_at.is_(None))
            .order_by(table.c.id)
            .limit(bindparam("batch_size", type_=Integer))
            .with_for_update(skip_locked=True)
            .cte("claimed")
        )
        # Run for every batch, most often of one or two events: on the driver's connection.
        self._claim = DriverStatement(
            update(table)
            .where(table.c.id == claimed.c.id)
            .values(published_at=func.now())
            .returning(table.c.id, table.c.type, table.c.envelope)
        )
        # Where another VACUUM of the outbox runs (another replica's, autovacuum), this one is
        # skipped rather than waited for; index cleanup is asked for because the claim walks the
        # pending index, which holds an entry for every row published since the last cleanup.
        quoted = postgresql.dialect().identifier_preparer.format_table(table)
        self._vacuum = f"VACUUM (SKIP_LOCKED, INDEX_CLEANUP ON) {quoted}"

    async def publish_pending(self) -> int:
        """Publish one batch of pending events; returns how many were published."""
        async with self.sessions() as session, session.begin():
            # Claimed and marked in one statement; the mark commits only once JetStream has
            # acknowledged every event of the batch, and a failed publish rolls it back.
            rows = sorted(await self._claim.fetch(session, {"batch_size": self.batch_size}), key=lambda row: row["id"])
            if not rows:
                return 0
            # Sent in order on one connection, acknowledged concurrently: the
            # stream keeps the order, and the batch costs one round trip.
            await asyncio.gather(*(self._publish_row(row["type"], row["envelope"]) for row in rows))
        return len(rows)

    async def _publish_row(self, event_type: str, body: dict[str, object]) -> None:
        envelope = Envelope.model_validate(body)
        parent = extract(
            {k: v for k, v in (("traceparent", envelope.traceparent), ("tracestate", envelope.tracestate)) if v}
        )
        with tracer.start_as_current_span(
            f"publish {event_type}",
            context=parent,
            kind=trace.SpanKind.PRODUCER,
            attributes={
                "messaging.system": "nats",
                "messaging.operation.type": "publish",
                "messaging.message.id": envelope.id,
            },
        ):
            headers: dict[str, str] = {}
            inject(headers)
            await self.publish(envelope, headers)
        metrics.EVENTS_PUBLISHED.labels(event_type).inc()

    async def vacuum(self) -> None:
        """VACUUM the outbox, on a connection of the relay's own outside any transaction.

        Every row the relay marks published leaves a dead row, and an entry in the pending index
        that each claim passes over until a VACUUM removes it; where the claim's scans cannot mark
        such entries dead, it visits each one's row again. Autovacuum visits a database at most once
        a minute, and a table once a fifth of it is dead: in a full benchmark the claim became
        PostgreSQL's most frequent statement on the CPU while the outbox's dead rows grew to 10,800,
        and once autovacuum had removed them PostgreSQL's CPU fell from two thirds of a core to a
        quarter (benchmarks/README.md, seventeenth and eighteenth rounds)."""
        async with self.sessions() as session:
            connection = await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            await connection.exec_driver_sql(self._vacuum)

    async def _vacuum_or_warn(self) -> None:
        try:
            await self.vacuum()
        except Exception as exc:  # noqa: BLE001 - the next VACUUM comes after as many rows more
            log.warning("outbox relay: VACUUM of %s failed: %s", self.outbox.schema, type(exc).__name__)

    async def purge_published(self) -> int:
        """Forget rows published longer ago than the retention."""
        table = self.outbox.table
        cutoff = datetime.now(UTC) - self.retention
        async with self.sessions() as session, session.begin():
            result = await session.execute(delete(table).where(table.c.published_at < cutoff))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def wake(self) -> None:
        """Publish what is pending now rather than at the next poll; call it on the loop that runs
        `run` (from another thread, through that loop's `call_soon_threadsafe`)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until `stop` is set: woken after a commit of this process or by another's
        NOTIFY, and polling as a fallback."""
        listener = asyncio.create_task(self._listen(stop), name=f"{self.outbox.channel}-listen")
        failures = 0
        last_purge = 0.0
        # Rows marked published or purged since the last VACUUM began, and that VACUUM.
        unvacuumed = 0
        vacuuming: asyncio.Task[None] | None = None
        loop = asyncio.get_running_loop()
        try:
            while not stop.is_set():
                # Cleared before the claim, not after it: a wake-up that arrives while a batch is
                # being published is for a row the claim may have missed, and the wait below must
                # return at once for it rather than leave the row until the next poll.
                self._wake.clear()
                try:
                    published = await self.publish_pending()
                    failures = 0
                    unvacuumed += published
                    if loop.time() - last_purge > 600:
                        last_purge = loop.time()
                        unvacuumed += await self.purge_published()
                    if unvacuumed >= self.vacuum_every and (vacuuming is None or vacuuming.done()):
                        # Beside the claims, on a connection of its own: the VACUUM scans the
                        # outbox's indexes whole, 9 ms at 18,000 rows and 100 ms at a million,
                        # and publishing must not wait for it. Counted from zero as it starts,
                        # so one that fails is tried again after as many rows more.
                        unvacuumed = 0
                        vacuuming = asyncio.create_task(self._vacuum_or_warn(), name=f"{self.outbox.channel}-vacuum")
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # noqa: BLE001 - the relay must outlive NATS and database outages
                    failures += 1
                    delay = min(0.2 * 2**failures, 5.0)
                    log.warning("outbox relay: %s; retrying in %.1fs", type(exc).__name__, delay)
                    await _sleep_or_stop(stop, delay)
                    continue
                if published >= self.batch_size:
                    continue
                await _wait_any(stop, self._wake, self.poll_seconds)
        finally:
            listener.cancel()
            # A VACUUM under way is finished rather than cancelled: it is short, and a cancelled
            # statement would leave its connection to be thrown away.
            await asyncio.gather(listener, *([vacuuming] if vacuuming else []), return_exceptions=True)

    async def _listen(self, stop: asyncio.Event) -> None:
        if self.listen_dsn is None:
            return
        while not stop.is_set():
            try:
                connection = await asyncpg.connect(self.listen_dsn, timeout=5)
            except Exception:  # noqa: BLE001 - polling covers the gap
                await _sleep_or_stop(stop, 2.0)
                continue
            lost = asyncio.Event()
            try:
                connection.add_termination_listener(lambda _c, lost=lost: lost.set())
                await connection.add_listener(self.outbox.channel, lambda *_: self.wake())
                self.wake()
                while not stop.is_set() and not lost.is_set() and not connection.is_closed():
                    await _wait_any(stop, lost, 5.0)
            except Exception:  # noqa: BLE001
                log.debug("outbox listener lost its connection")
            finally:
                if not connection.is_closed():
                    connection.terminate()


# Registered once for every session: the mark `Outbox.recording` leaves on a session wakes the
# outbox's relays when its transaction commits, not before (a savepoint's release is no commit),
# and is dropped when it rolls back.
@orm_event.listens_for(Session, "after_commit")
def _wake_relays(session: Session) -> None:
    if session.in_nested_transaction():
        return
    for outbox in session.info.pop(_RECORDED, ()):
        outbox._committed()


@orm_event.listens_for(Session, "after_soft_rollback")
def _forget_recorded(session: Session, previous: SessionTransaction) -> None:
    if previous.parent is None:
        session.info.pop(_RECORDED, None)


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass


async def _wait_any(stop: asyncio.Event, other: asyncio.Event, seconds: float) -> None:
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(other.wait())]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
