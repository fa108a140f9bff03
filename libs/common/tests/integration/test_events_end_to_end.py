"""The outbox, the relay, the inbox and dead letters against a real PostgreSQL and NATS."""

import asyncio
import random
import threading
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager, suppress
from typing import Any

import asyncpg
import nats.js.errors
import pytest
from sqlalchemy import Column, Integer, String, Table, func, insert, literal, select, text, update

from zwk_common.cli import main as zwk
from zwk_common.db import asyncpg_dsn, service_metadata, transaction
from zwk_common.events import Envelope, EventPayload
from zwk_common.inbox import Inbox
from zwk_common.messaging import EventContext, OneStatement
from zwk_common.outbox import Outbox, OutboxRelay
from zwk_common.service import Runtime, ServiceDefinition, create_service_app
from zwk_common.settings import ServiceSettings
from zwk_common.testing import eventually, running_app, scratch_schema
from zwk_common.testing.plugin import bearer

metadata = service_metadata("zwk_selftest")
outbox = Outbox(metadata, source="/zwk/selftest")
inbox = Inbox(metadata)
greetings = Table(
    "greetings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("text", String(200), nullable=False),
)


class GreetingSent(EventPayload):
    event_type = "zwk.selftest.greeting.sent"
    text: str


class VisitPlanned(EventPayload):
    """An event of one municipality: its visits must be kept in the order they were planned."""

    event_type = "zwk.selftest.visit.planned"
    municipality: str
    number: int

    def ordering_key(self) -> str:
        return self.municipality


class WelcomeSent(EventPayload):
    """An event whose handler is one statement that claims it in the inbox itself."""

    event_type = "zwk.selftest.welcome.sent"
    text: str


class PoisonSent(EventPayload):
    event_type = "zwk.selftest.poison.sent"
    text: str


async def keep_greeting(event: GreetingSent, ctx: EventContext) -> None:
    await asyncio.sleep(random.random() / 200)  # handlers take their time, differently
    await ctx.session.execute(greetings.insert().values(text=event.text))


async def keep_visit(event: VisitPlanned, ctx: EventContext) -> None:
    await asyncio.sleep(random.random() / 200)
    await ctx.session.execute(greetings.insert().values(text=f"{event.municipality} {event.number}"))


# Whether the connection was inside a transaction after each welcome was handled.
IN_TRANSACTION_AFTER_WELCOME: list[bool] = []


async def keep_welcome(event: WelcomeSent, ctx: EventContext) -> bool:
    assert ctx.claim is not None
    new = ctx.claim.inbox.claim_is_new
    kept = insert(greetings).from_select(["text"], select(literal(event.text)).where(new)).cte("kept")
    result = await ctx.session.execute(select(new).add_cte(kept), dict(ctx.claim.values))
    raw = await (await ctx.session.connection()).get_raw_connection()
    IN_TRANSACTION_AFTER_WELCOME.append(raw.driver_connection.is_in_transaction())  # type: ignore[union-attr]
    return bool(result.scalar_one())


# What the handler has learned to digest (the fix of its defect, for the replay test).
DIGESTIBLE: set[str] = set()


async def choke(event: PoisonSent, ctx: EventContext) -> None:
    if event.text not in DIGESTIBLE:
        raise ValueError(f"cannot digest {event.text}")
    await ctx.session.execute(greetings.insert().values(text=event.text))


@pytest.fixture
async def selftest_schema(zwk_clean: dict[str, str]) -> AsyncIterator[None]:
    async with scratch_schema(zwk_clean["ZWK_DATABASE_URL"], metadata):
        yield


@pytest.fixture
async def runtime_without_relay(selftest_schema: None) -> AsyncIterator[Runtime]:
    """The service running with neither relay nor consumers: the test drives its outbox itself."""
    app = selftest_app(run_relay=False, run_consumers=False)
    async with running_app(app):
        runtime: Runtime = app.state.runtime
        assert runtime.sessions is not None
        yield runtime


def selftest_app(parallel_by_entity: bool | frozenset[str] = False, **overrides: object):  # type: ignore[no-untyped-def]
    settings = ServiceSettings(event_max_deliveries=3, **overrides)  # type: ignore[arg-type]
    return create_service_app(
        ServiceDefinition(
            name="selftest",
            settings=settings,
            metadata=metadata,
            outbox=outbox,
            inbox=inbox,
            handlers={
                GreetingSent: keep_greeting,
                VisitPlanned: keep_visit,
                PoisonSent: choke,
                WelcomeSent: OneStatement(keep_welcome),
            },
            parallel_by_entity=parallel_by_entity,
        )
    )


async def send(runtime: Runtime, *payloads: EventPayload, fail: bool = False) -> None:
    assert runtime.sessions is not None
    try:
        async with transaction(runtime.sessions) as session:
            for payload in payloads:
                await outbox.record(session, payload)
            if fail:
                raise RuntimeError("the change fails after its event was recorded")
    except RuntimeError:
        if not fail:
            raise


async def greetings_kept(runtime: Runtime) -> list[str]:
    assert runtime.sessions is not None
    async with runtime.sessions() as session:
        return list((await session.execute(select(greetings.c.text).order_by(greetings.c.id))).scalars())


async def test_a_committed_event_is_published_and_consumed_once(selftest_schema: None) -> None:
    app = selftest_app()
    async with running_app(app):
        runtime: Runtime = app.state.runtime
        await send(runtime, GreetingSent(text="Guten Tag, Dortmund"))
        await send(runtime, GreetingSent(text="never committed"), fail=True)
        assert await eventually(lambda: greetings_kept(runtime)) == ["Guten Tag, Dortmund"]
        info = await runtime.bus.js.stream_info(runtime.settings.event_stream)
        assert info.state.messages == 1


async def test_a_change_written_with_its_event_in_one_statement_commits_or_rolls_back_with_it(
    selftest_schema: None,
) -> None:
    app = selftest_app()
    async with running_app(app):
        runtime: Runtime = app.state.runtime
        assert runtime.sessions is not None
        for text_, fail in (("Hallo Riesa", False), ("Hallo Nirgendwo", True)):
            statement = outbox.with_event(insert(greetings).values(text=text_).cte("greeted"))
            with suppress(RuntimeError):
                async with transaction(runtime.sessions) as session:
                    with outbox.recording(session, GreetingSent(text=f"{text_}, sagt das Ereignis")) as (_, recorded):
                        await session.execute(statement, recorded)
                    if fail:
                        raise RuntimeError("the change fails after the statement")
        # The statement's own row, then the one its event's consumer wrote; nothing of the other.
        expected = ["Hallo Riesa", "Hallo Riesa, sagt das Ereignis"]
        assert await eventually(lambda: _kept_when(runtime, expected)) == expected
        info = await runtime.bus.js.stream_info(runtime.settings.event_stream)
        assert info.state.messages == 1


async def _kept_when(runtime: Runtime, expected: list[str]) -> list[str] | None:
    kept = await greetings_kept(runtime)
    return kept if len(kept) >= len(expected) else None


async def test_a_republished_outbox_row_is_dropped_by_the_server(selftest_schema: None) -> None:
    app = selftest_app(run_consumers=False)
    async with running_app(app):
        runtime: Runtime = app.state.runtime
        assert runtime.relay is not None and runtime.sessions is not None
        await send(runtime, GreetingSent(text="Moin, Dithmarschen"))

        async def published() -> bool:
            async with runtime.sessions() as session:  # type: ignore[union-attr]
                return await outbox.backlog(session) == 0

        await eventually(published)
        # A relay that crashed after publishing but before marking the row publishes it again.
        async with transaction(runtime.sessions) as session:
            await session.execute(update(outbox.table).values(published_at=None))
        await eventually(published)
        info = await runtime.bus.js.stream_info(runtime.settings.event_stream)
        assert info.state.messages == 1


async def test_a_batch_the_relay_could_not_publish_stays_pending_and_goes_out_in_order(
    runtime_without_relay: Runtime,
) -> None:
    runtime = runtime_without_relay
    await send(runtime, *(GreetingSent(text=f"Gruß {i}") for i in range(5)))
    sent: list[str] = []

    async def publish_failing_on_the_third(envelope: Envelope, _headers: dict[str, str]) -> None:
        if len(sent) == 2:
            raise ConnectionError("JetStream went away")
        sent.append(envelope.data["text"])

    relay = OutboxRelay(outbox, runtime.sessions, publish_failing_on_the_third, listen_dsn=None, batch_size=4)
    with pytest.raises(ConnectionError):
        await relay.publish_pending()
    async with runtime.sessions() as session:
        assert await outbox.backlog(session) == 5

    sent.clear()

    async def publish(envelope: Envelope, _headers: dict[str, str]) -> None:
        sent.append(envelope.data["text"])

    relay = OutboxRelay(outbox, runtime.sessions, publish, listen_dsn=None, batch_size=4)
    assert await relay.publish_pending() == 4
    assert await relay.publish_pending() == 1
    assert await relay.publish_pending() == 0
    assert sent == [f"Gruß {i}" for i in range(5)]
    async with runtime.sessions() as session:
        assert await outbox.backlog(session) == 0


async def test_the_relay_vacuums_its_outbox_once_it_has_published_so_many_rows(runtime_without_relay: Runtime) -> None:
    runtime = runtime_without_relay
    relay, sent = _relay_keeping_what_it_sends(runtime, vacuum_every=6)
    async with _running(relay):
        await send(runtime, *(GreetingSent(text=f"Gruß {i}") for i in range(5)))
        await eventually(lambda: len(sent) == 5, message="the relay did not publish the first five")
        await asyncio.sleep(0.3)  # several polls: five rows are not yet enough
        assert await _vacuums_of_the_outbox(runtime) == 0
        await send(runtime, GreetingSent(text="Gruß 5"))
        await eventually(
            lambda: _vacuums_of_the_outbox(runtime), message="the relay did not vacuum after the sixth row"
        )
        assert await _vacuums_of_the_outbox(runtime) == 1
        assert len(sent) == 6


async def test_the_relay_goes_on_publishing_while_its_vacuum_runs(runtime_without_relay: Runtime) -> None:
    runtime = runtime_without_relay
    vacuum_started = asyncio.Event()
    vacuum_may_end = asyncio.Event()

    async def slow_vacuum() -> None:
        # A VACUUM of a large outbox, held until the test lets it end.
        vacuum_started.set()
        await vacuum_may_end.wait()

    relay, sent = _relay_keeping_what_it_sends(runtime, vacuum_every=2)
    relay.vacuum = slow_vacuum  # type: ignore[method-assign]
    async with _running(relay):
        try:
            await send(runtime, GreetingSent(text="Erste"), GreetingSent(text="Zweite"))
            await asyncio.wait_for(vacuum_started.wait(), timeout=10)
            await send(runtime, *(GreetingSent(text=f"Weitere {i}") for i in range(3)))
            # The VACUUM is held until the end of the test: only a relay that does not wait for it
            # publishes the three that came after.
            await eventually(lambda: len(sent) == 5, message="the relay waited for its VACUUM")
        finally:
            vacuum_may_end.set()  # the relay finishes a VACUUM under way before it stops


async def test_a_vacuum_that_fails_is_logged_and_the_relay_goes_on(
    runtime_without_relay: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    runtime = runtime_without_relay

    async def failing_vacuum() -> None:
        raise PermissionError("must be owner of table outbox")

    relay, sent = _relay_keeping_what_it_sends(runtime, vacuum_every=2)
    relay.vacuum = failing_vacuum  # type: ignore[method-assign]
    async with _running(relay):
        await send(runtime, GreetingSent(text="Erste"), GreetingSent(text="Zweite"))
        await eventually(
            lambda: any("VACUUM of zwk_selftest failed: PermissionError" in r.getMessage() for r in caplog.records),
            message="the failed VACUUM was not logged",
        )
        await send(runtime, GreetingSent(text="Dritte"))
        await eventually(lambda: sent == ["Erste", "Zweite", "Dritte"], message="the relay stopped publishing")


def _relay_keeping_what_it_sends(runtime: Runtime, *, vacuum_every: int) -> tuple[OutboxRelay, list[str]]:
    """A relay polling every 50 ms that vacuums after `vacuum_every` rows, and the texts it sends."""
    sent: list[str] = []

    async def publish(envelope: Envelope, _headers: dict[str, str]) -> None:
        sent.append(envelope.data["text"])

    relay = OutboxRelay(
        outbox, runtime.sessions, publish, listen_dsn=None, batch_size=4, poll_seconds=0.05, vacuum_every=vacuum_every
    )
    return relay, sent


@asynccontextmanager
async def _running(relay: OutboxRelay) -> AsyncIterator[None]:
    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    try:
        yield
    finally:
        stop.set()
        await running


async def _vacuums_of_the_outbox(runtime: Runtime) -> int:
    """How often the selftest outbox was vacuumed by a VACUUM command (autovacuum is counted apart)."""
    assert runtime.sessions is not None
    async with runtime.sessions() as session:
        count = await session.scalar(
            text(
                "SELECT vacuum_count FROM pg_stat_user_tables WHERE schemaname = 'zwk_selftest' AND relname = 'outbox'"
            )
        )
    return int(count)


async def test_the_services_relay_publishes_while_its_vacuum_holds_a_connection(selftest_schema: None) -> None:
    app = selftest_app(run_consumers=False)
    async with running_app(app):
        runtime: Runtime = app.state.runtime
        relay = runtime.relay
        assert relay is not None
        holding = threading.Event()
        may_end = threading.Event()

        async def vacuum_holding_a_connection() -> None:
            # On the relay's own loop: a long VACUUM, on a connection of the relay's pool.
            async with relay.sessions() as session:
                await session.connection()
                holding.set()
                await asyncio.to_thread(may_end.wait, 30)

        relay.vacuum = vacuum_holding_a_connection  # type: ignore[method-assign]
        relay.vacuum_every = 2
        try:
            await send(runtime, GreetingSent(text="Erste"), GreetingSent(text="Zweite"))
            await eventually(holding.is_set, message="the relay never began its VACUUM")
            await send(runtime, *(GreetingSent(text=f"Weitere {i}") for i in range(3)))
            # Only a pool with a connection beside the VACUUM's lets the claims go on meanwhile.
            await eventually(lambda: _published(runtime, 5), message="the claims waited for the VACUUM's connection")
        finally:
            may_end.set()


async def test_the_relay_publishes_while_the_service_loop_is_busy_and_stops_with_the_service(
    selftest_schema: None,
) -> None:
    app = selftest_app(run_consumers=False)
    async with running_app(app):
        runtime: Runtime = app.state.runtime
        await send(runtime, GreetingSent(text="Moin aus Husum"))
        # The service's loop is held until the event is out (or 15 s have passed): only a relay
        # that does not wait for this loop's turn can publish it meanwhile.
        published = _wait_in_another_thread(_published_within(asyncpg_dsn(runtime.settings.database_url), 15.0))
        assert published, "the relay published nothing while the service's loop was busy"
        info = await runtime.bus.js.stream_info(runtime.settings.event_stream)
        assert info.state.messages == 1
    assert not [t for t in threading.enumerate() if t.name == "selftest-outbox-relay"], "the relay outlived its service"


def _wait_in_another_thread(work: Coroutine[Any, Any, bool]) -> bool:
    """Run `work` on a loop of its own and block the calling loop until it is done."""
    outcome: list[bool] = []
    worker = threading.Thread(target=lambda: outcome.append(asyncio.run(work)))
    worker.start()
    worker.join()
    return outcome == [True]


async def _published_within(dsn: str, seconds: float) -> bool:
    connection = await asyncpg.connect(dsn)
    try:
        await eventually(
            lambda: connection.fetchval("SELECT count(*) FROM zwk_selftest.outbox WHERE published_at IS NOT NULL"),
            timeout=seconds,
        )
        return True
    except AssertionError:
        return False
    finally:
        await connection.close()


async def test_an_event_committed_while_the_relay_publishes_goes_out_without_waiting_for_the_poll(
    runtime_without_relay: Runtime,
) -> None:
    runtime = runtime_without_relay
    sent: list[str] = []
    publishing = asyncio.Event()
    go_on = asyncio.Event()

    async def publish_held_on_the_first(envelope: Envelope, _headers: dict[str, str]) -> None:
        if not sent:
            publishing.set()
            await go_on.wait()
        sent.append(envelope.data["text"])

    # Polling once a minute: within the test's time only a NOTIFY can wake the relay.
    relay = OutboxRelay(
        outbox,
        runtime.sessions,
        publish_held_on_the_first,
        listen_dsn=asyncpg_dsn(runtime.settings.database_url),
        poll_seconds=60.0,
    )
    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    try:
        await eventually(lambda: _listening(runtime, outbox.channel), message="the relay never listened")
        await send(runtime, GreetingSent(text="Erste"))
        await asyncio.wait_for(publishing.wait(), timeout=10)
        # Committed while the first batch is still being published: its NOTIFY comes now.
        await send(runtime, GreetingSent(text="Zweite"))
        await eventually(relay._wake.is_set, message="the second event's NOTIFY never arrived")
        go_on.set()
        await eventually(lambda: sent == ["Erste", "Zweite"], message="the second one waited for the poll")
    finally:
        stop.set()
        await running


async def test_a_relay_in_the_same_process_is_woken_by_the_commit_and_no_notify_is_sent(selftest_schema: None) -> None:
    app = selftest_app(run_consumers=False)
    async with running_app(app):
        runtime: Runtime = app.state.runtime
        assert runtime.relay is not None
        await eventually(lambda: _listening(runtime, outbox.channel), message="the relay never listened")
        # From its next wait on, the relay polls once a minute: within the test's time only a
        # wake-up makes it publish.
        runtime.relay.poll_seconds = 60.0
        await send(runtime, GreetingSent(text="Vorher"))
        await eventually(lambda: _published(runtime, 1), message="the relay never published the first event")
        heard: list[str] = []
        listener = await asyncpg.connect(asyncpg_dsn(runtime.settings.database_url))
        try:
            await listener.add_listener(outbox.channel, lambda *args: heard.append(args[3]))
            await send(runtime, GreetingSent(text="Nachher"))
            await eventually(lambda: _published(runtime, 2), timeout=10, message="the commit did not wake the relay")
            # A NOTIFY of the commit would have reached the listener before this round trip's answer.
            await listener.fetchval("SELECT 1")
            await asyncio.sleep(0)
            assert heard == []
        finally:
            await listener.close()


async def test_once_the_service_with_the_relay_has_stopped_a_commit_notifies_again(selftest_schema: None) -> None:
    async with running_app(selftest_app(run_consumers=False)):
        pass
    # Its relay is no longer there to be woken: a process without one must send the NOTIFY.
    app = selftest_app(run_relay=False, run_consumers=False)
    async with running_app(app):
        runtime: Runtime = app.state.runtime
        heard: list[str] = []
        listener = await asyncpg.connect(asyncpg_dsn(runtime.settings.database_url))
        try:
            await listener.add_listener(outbox.channel, lambda *args: heard.append(args[3]))
            await send(runtime, GreetingSent(text="Danach"))
            await eventually(lambda: heard == [""], message="the commit sent no NOTIFY")
        finally:
            await listener.close()


async def _published(runtime: Runtime, count: int) -> bool:
    async with runtime.sessions() as session:  # type: ignore[union-attr]
        published = await session.scalar(
            select(func.count()).select_from(outbox.table).where(outbox.table.c.published_at.is_not(None))
        )
    return published == count


async def test_relays_are_woken_when_a_recording_transaction_commits_not_at_a_savepoint_nor_after_a_rollback(
    runtime_without_relay: Runtime,
) -> None:
    runtime = runtime_without_relay
    woken: list[int] = []
    unwake = outbox.wake_after_commit(lambda: woken.append(len(woken) + 1))
    try:
        async with runtime.sessions() as session:
            async with session.begin():
                async with session.begin_nested():
                    await outbox.record(session, GreetingSent(text="im Sicherungspunkt"))
                assert woken == [], "a savepoint's release woke the relay before the commit"
            assert woken == [1]
            # A change written with its event in one statement wakes it the same way.
            async with session.begin():
                statement = outbox.with_event(insert(greetings).values(text="Hallo Husum").cte("greeted"))
                with outbox.recording(session, GreetingSent(text="mit dem Gruß")) as (_, recorded):
                    await session.execute(statement, recorded)
            assert woken == [1, 2]
            async with session.begin():
                await session.execute(select(literal(1)))
            assert woken == [1, 2], "a transaction that recorded nothing woke the relay"
            await session.begin()
            await outbox.record(session, GreetingSent(text="zurückgerollt"))
            await session.rollback()
            async with session.begin():
                await session.execute(select(literal(1)))
            assert woken == [1, 2], "a rolled-back event woke the relay at the next commit"
        # A statement that commits by itself (a consumer's `OneStatement`) wakes it once it has run.
        autocommit = runtime.sessions.kw["bind"].execution_options(isolation_level="AUTOCOMMIT")
        async with runtime.sessions(bind=autocommit) as session:
            await outbox.record(session, GreetingSent(text="ohne Transaktion"))
            assert woken == [1, 2, 3], "a statement that committed by itself did not wake the relay"
        async with runtime.sessions() as session:
            assert await outbox.backlog(session) == 3
    finally:
        unwake()


async def test_a_relay_that_cannot_be_woken_leaves_the_commit_standing_and_the_others_woken(
    runtime_without_relay: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise RuntimeError("the relay's loop is gone")

    woken: list[str] = []
    undo = [outbox.wake_after_commit(broken), outbox.wake_after_commit(lambda: woken.append("woken"))]
    try:
        # The waker runs after the commit: its failure must not turn a committed change into an error.
        async with transaction(runtime_without_relay.sessions) as session:
            await outbox.record(session, GreetingSent(text="trotzdem gespeichert"))
    finally:
        for unwake in undo:
            unwake()
    assert woken == ["woken"]
    assert "a relay could not be woken" in caplog.text
    async with runtime_without_relay.sessions() as session:
        # Left for the relay's poll to find.
        assert await outbox.backlog(session) == 1


async def _listening(runtime: Runtime, channel: str) -> bool:
    async with runtime.sessions() as session:  # type: ignore[union-attr]
        # asyncpg's LISTEN is the last statement its connection ran, for as long as it listens.
        listeners = await session.scalar(
            text("SELECT count(*) FROM pg_stat_activity WHERE query = :listen"), {"listen": f'LISTEN "{channel}"'}
        )
    return bool(listeners)


async def test_the_same_event_delivered_twice_is_handled_once(selftest_schema: None) -> None:
    app = selftest_app(run_relay=False)
    async with running_app(app):
        runtime: Runtime = app.state.runtime
        await runtime.bus.connected.wait()
        envelope = Envelope.wrap(GreetingSent(text="Servus, Bamberg"), source="/zwk/selftest")
        subject = runtime.bus.subject(envelope.type)
        # Two copies with distinct message ids get past the server's de-duplication,
        # as a redelivery after a lost ack would.
        for copy in ("a", "b"):
            await runtime.bus.js.publish(subject, envelope.to_bytes(), headers={"Nats-Msg-Id": envelope.id + copy})
        marker = Envelope.wrap(GreetingSent(text="marker"), source="/zwk/selftest")
        await runtime.bus.publish(marker)
        kept = await eventually(lambda: _has(runtime, "marker"))
        assert kept.count("Servus, Bamberg") == 1


async def test_a_one_statement_handler_runs_without_a_transaction_and_handles_a_duplicate_once(
    selftest_schema: None,
) -> None:
    app = selftest_app(run_relay=False)
    IN_TRANSACTION_AFTER_WELCOME.clear()
    async with running_app(app):
        runtime: Runtime = app.state.runtime
        assert runtime.sessions is not None
        await runtime.bus.connected.wait()
        envelope = Envelope.wrap(WelcomeSent(text="Willkommen in Görlitz"), source="/zwk/selftest")
        subject = runtime.bus.subject(envelope.type)
        for copy in ("a", "b"):
            await runtime.bus.js.publish(subject, envelope.to_bytes(), headers={"Nats-Msg-Id": envelope.id + copy})
        await runtime.bus.publish(Envelope.wrap(GreetingSent(text="marker"), source="/zwk/selftest"))
        kept = await eventually(lambda: _has(runtime, "marker"))
        assert kept.count("Willkommen in Görlitz") == 1
        # Both copies were handled, neither inside BEGIN … COMMIT: the statement committed on its own.
        assert IN_TRANSACTION_AFTER_WELCOME == [False, False]
        async with runtime.sessions() as session:
            claims = (await session.execute(select(inbox.table).where(inbox.table.c.event_id == envelope.id))).all()
        assert [(c.consumer, c.event_type) for c in claims] == [("selftest-selftest", WelcomeSent.event_type)]


async def _has(runtime: Runtime, text_: str) -> list[str] | None:
    kept = await greetings_kept(runtime)
    return kept if text_ in kept else None


async def test_a_failing_handler_ends_in_the_dead_letter_subject_and_the_consumer_goes_on(
    selftest_schema: None,
) -> None:
    app = selftest_app()
    async with running_app(app):
        runtime: Runtime = app.state.runtime
        await send(runtime, PoisonSent(text="Kaktus"))
        await send(runtime, GreetingSent(text="after the poison"))
        assert "after the poison" in await eventually(lambda: _has(runtime, "after the poison"))

        async def dead_letter() -> object:
            try:
                return await runtime.bus.js.get_last_msg(
                    runtime.settings.event_stream, runtime.bus.dead_letter_subject("selftest-selftest")
                )
            except nats.js.errors.NotFoundError:
                return None

        message = await eventually(dead_letter, timeout=15)
        assert message.headers["Zwk-Error"] == "ValueError: cannot digest Kaktus"  # type: ignore[attr-defined]
        assert message.headers["Zwk-Deliveries"] == "3"  # type: ignore[attr-defined]
        assert Envelope.from_bytes(message.data).data == {"text": "Kaktus"}  # type: ignore[attr-defined]


async def test_readiness_reports_a_database_it_cannot_reach(zwk_clean: dict[str, str]) -> None:
    app = selftest_app(database_url="postgresql+asyncpg://postgres@127.0.0.1:1/none")
    async with running_app(app) as client:
        response = await client.get("/readyz")
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["checks"]["database"].startswith("unavailable")
        assert (await client.get("/healthz")).status_code == 200


async def test_the_office_sees_a_dead_letter_and_replays_it_once_the_defect_is_fixed(
    selftest_schema: None, zwk_token: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    app = selftest_app()
    office = bearer(zwk_token("office"))
    async with running_app(app) as client:
        runtime: Runtime = app.state.runtime
        await send(runtime, PoisonSent(text="Distel"))

        async def one_dead_letter() -> dict[str, Any] | None:
            answer = await client.get("/dead-letters", headers=office)
            if answer.status_code == 503:
                return None  # "try again shortly": on a loaded machine NATS may be reconnecting
            assert answer.status_code == 200, answer.text
            listed = answer.json()
            return listed if listed["total_count"] == len(listed["items"]) == 1 else None  # type: ignore[no-any-return]

        listed = await eventually(one_dead_letter, timeout=15)
        letter = listed["items"][0]
        assert letter["consumer"] == "selftest-selftest"
        assert letter["event_type"] == "zwk.selftest.poison.sent"
        assert letter["error"] == "ValueError: cannot digest Distel"
        assert letter["deliveries"] == 3
        assert listed["next_cursor"] is None
        for headers, status in ((bearer(zwk_token("adviser", municipality_ids=[])), 403), ({}, 401)):
            assert (await client.get("/dead-letters", headers=headers)).status_code == status
        assert (await client.get("/dead-letters", params={"after": "nonsense"}, headers=office)).status_code == 422
        assert (await client.post("/dead-letters/999999/replay", headers=office)).status_code == 404
        assert (await client.post("/dead-letters/0/replay", headers=office)).status_code == 422

        assert await asyncio.to_thread(zwk, ["dead-letters", "list"]) == 0
        shown = capsys.readouterr().out
        assert str(letter["id"]) in shown and "selftest-selftest" in shown and "cannot digest Distel" in shown

        DIGESTIBLE.add("Distel")
        try:
            assert await asyncio.to_thread(zwk, ["dead-letters", "replay", "--id", str(letter["id"])]) == 0
            assert f"replayed {letter['id']} to selftest-selftest" in capsys.readouterr().out
            assert "Distel" in await eventually(lambda: _has(runtime, "Distel"), timeout=15)
        finally:
            DIGESTIBLE.discard("Distel")
        assert (await client.get("/dead-letters", headers=office)).json() == {
            "items": [],
            "next_cursor": None,
            "total_count": 0,
        }


# Side by side for every upstream, or for the one named.
@pytest.mark.parametrize("parallel", [True, frozenset({"selftest"})], ids=["every upstream", "named upstream"])
async def test_events_of_one_municipality_keep_their_order_while_others_are_handled_beside_them(
    selftest_schema: None, parallel: bool | frozenset[str]
) -> None:
    app = selftest_app(parallel_by_entity=parallel, event_concurrency=8)
    async with running_app(app):
        runtime: Runtime = app.state.runtime
        assert [consumer.parallel_by_entity for consumer in runtime.consumers] == [True]
        towns = ["Dortmund", "Riesa", "Bamberg", "Husum"]
        # Recorded one town after another, each in its own transaction, interleaved across towns.
        for number in range(15):
            for town in towns:
                await send(runtime, VisitPlanned(municipality=town, number=number))
            await send(runtime, GreetingSent(text=f"Gruß {number}"))

        async def all_kept() -> list[str] | None:
            kept = await greetings_kept(runtime)
            return kept if len(kept) == 15 * (len(towns) + 1) else None

        kept = await eventually(all_kept, timeout=30)
    for town in towns:
        assert [line for line in kept if line.startswith(town)] == [f"{town} {n}" for n in range(15)]
    # Events without an entity to order by keep the stream's order too.
    assert [line for line in kept if line.startswith("Gruß")] == [f"Gruß {n}" for n in range(15)]
