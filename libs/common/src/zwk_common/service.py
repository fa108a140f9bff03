"""The shape every service shares: one FastAPI app whose lifespan runs its relay, consumers and jobs."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Annotated, Any

import nats.errors
from fastapi import APIRouter, FastAPI, Path, Query, Request, Response, status
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from zwk_common import metrics
from zwk_common.auth import CallerDep, Role, TokenVerifier
from zwk_common.db import asyncpg_dsn, create_engine, create_sessionmaker, ping
from zwk_common.deadletters import DeadLetter, DeadLetterNotFound, DeadLetters
from zwk_common.errors import (
    BadInput,
    NotFound,
    ServiceUnavailable,
    install_problem_handlers,
    problem_body,
    problem_response,
)
from zwk_common.events import Envelope, EventPayload
from zwk_common.inbox import Inbox
from zwk_common.inputs import NulGuard
from zwk_common.messaging import EventBus, EventConsumer, Handler, group_handlers
from zwk_common.outbox import Outbox, OutboxRelay, PublishFn
from zwk_common.pagination import Page, PageDep, decode_cursor, encode_cursor
from zwk_common.settings import ServiceSettings
from zwk_common.telemetry import (
    NO_FRAMEWORK_TELEMETRY,
    configure_logging,
    configure_tracing,
    instrument_app,
    instrument_engine,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A periodic task of a service (e.g. a deadline check); runs where `run_jobs` is set."""

    name: str
    interval: timedelta
    run: Callable[[Runtime], Awaitable[None]]


@dataclass
class ServiceDefinition:
    """What makes one service: its name, tables, routes, handlers and jobs."""

    name: str
    settings: ServiceSettings
    routers: Sequence[APIRouter] = ()
    metadata: MetaData | None = None
    outbox: Outbox | None = None
    inbox: Inbox | None = None
    handlers: Mapping[type[EventPayload], Handler] = field(default_factory=dict)
    # Whose events are handled side by side, entity by entity: every upstream's (True) or those
    # named. Only where each handler of them touches nothing but the entity of the event's
    # ordering key; the others keep the stream's order.
    parallel_by_entity: bool | frozenset[str] = False
    jobs: Sequence[Job] = ()
    on_startup: Sequence[Callable[[Runtime], Awaitable[None]]] = ()
    on_shutdown: Sequence[Callable[[Runtime], Awaitable[None]]] = ()
    version: str = "0.1.0"
    description: str = ""

    def parallel_for(self, upstream: str) -> bool:
        """Whether the events of `upstream` are handled side by side, entity by entity."""
        parallel = self.parallel_by_entity
        return parallel if isinstance(parallel, bool) else upstream in parallel


class Runtime:
    """What a running service holds: engine, sessions, bus, verifier and its tasks."""

    def __init__(self, definition: ServiceDefinition) -> None:
        self.definition = definition
        self.settings = definition.settings
        self.name = definition.name
        self.engine: AsyncEngine | None = None
        self.sessions: async_sessionmaker[AsyncSession] | None = None
        self.bus = EventBus(self.settings, client_name=definition.name)
        self.verifier = TokenVerifier(self.settings)
        self.stop = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []
        self.consumers: list[EventConsumer] = []
        # Runs on its own thread's event loop, with its own engine (`_start_relay`): its coroutines
        # belong to that loop, never to be awaited on the service's.
        self.relay: OutboxRelay | None = None
        self._relay_thread: LoopThread | None = None
        self._unwake_relay: Callable[[], None] | None = None
        self.extras: dict[str, Any] = {}

    async def start(self) -> None:
        definition = self.definition
        if definition.metadata is not None:
            self.engine = create_engine(self.settings, application_name=self.name)
            self.sessions = create_sessionmaker(self.engine)
        self._spawn("bus-connect", self.bus.connect(self.stop))
        if definition.outbox is not None and self.sessions is not None and self.settings.run_relay:
            self._start_relay(definition.outbox)
        if definition.handlers and self.settings.run_consumers:
            if definition.inbox is None or self.sessions is None:
                raise RuntimeError(f"{self.name}: consuming events needs an inbox and a database")
            limit = asyncio.Semaphore(self.settings.event_concurrency or max(1, self.settings.database_pool_size // 2))
            for upstream, handlers in group_handlers(self.name, definition.handlers).items():
                consumer = EventConsumer(
                    self.bus,
                    durable=self.consumer_name(upstream),
                    filter_subject=f"{self.settings.event_subject_root}.{upstream}.>",
                    handlers=handlers,
                    sessions=self.sessions,
                    inbox=definition.inbox,
                    parallel_by_entity=definition.parallel_for(upstream),
                    limit=limit,
                )
                self.consumers.append(consumer)
                self._spawn(f"consume-{upstream}", consumer.run(self.stop))
        if self.settings.run_jobs:
            for job in definition.jobs:
                self._spawn(f"job-{job.name}", self._every(job))
        self._spawn("metrics", self._watch_metrics())
        for hook in definition.on_startup:
            await hook(self)

    def _start_relay(self, outbox: Outbox) -> None:
        """The relay, on an event loop, a database connection and a NATS connection of its own.

        On the service's loop it waited behind the requests: for the loop's turn and for a
        connection of the request pool, four times a batch. Under load that was most of an
        event's way from commit to its consumers (benchmarks/README.md, thirteenth round). In a
        thread of its own it waits at most for the interpreter's lock, which the service's loop
        gives up whenever it waits itself and at least every 5 ms.
        """
        # Not instrumented: a claim's span would be a trace of its own, every few milliseconds;
        # each event's `publish` span joins the trace of the change that recorded it.
        # Two connections: one for the claims, one for the VACUUM that runs beside them.
        engine = create_engine(self.settings, application_name=f"{self.name}-relay", pool_size=2)
        bus = EventBus(self.settings, client_name=f"{self.name}-relay")
        self.relay = OutboxRelay(
            outbox, create_sessionmaker(engine), _publisher(bus), listen_dsn=asyncpg_dsn(self.settings.database_url)
        )
        relay = self.relay

        async def run(stop: asyncio.Event) -> None:
            connecting = asyncio.create_task(bus.connect(stop))
            try:
                await relay.run(stop)
            finally:
                connecting.cancel()
                await asyncio.gather(connecting, return_exceptions=True)
                await bus.close()
                await engine.dispose()

        self._relay_thread = LoopThread(f"{self.name}-outbox-relay", run)
        self._relay_thread.start()
        # Woken from this process after each commit that recorded events, not by a NOTIFY
        # (`Outbox.with_event`); its LISTEN still hears the processes that run no relay.
        self._unwake_relay = outbox.wake_after_commit(partial(self._relay_thread.call_soon, relay.wake))

    def consumer_name(self, upstream: str) -> str:
        """The durable consumer of this service for one upstream service."""
        return f"{self.name}-{upstream}"

    @property
    def consumer_names(self) -> list[str]:
        """The durable consumers of this service, whether this replica runs them or not."""
        return sorted(self.consumer_name(upstream) for upstream in group_handlers(self.name, self.definition.handlers))

    def dead_letters(self) -> DeadLetters:
        """The dead letters in the stream; NATS must be connected."""
        if not self.bus.is_connected or not self.bus.connected.is_set():
            raise ServiceUnavailable("NATS cannot be reached; try again shortly.")
        return DeadLetters(self.bus.js, self.settings)

    async def refresh_metrics(self, timeout: float = 2.0) -> None:
        """Read the outbox backlog, consumer lag and dead letters into the metrics; skips what is unreachable."""
        outbox = self.definition.outbox
        if outbox is not None and self.sessions is not None:
            try:
                async with asyncio.timeout(timeout), self.sessions() as session:
                    metrics.OUTBOX_BACKLOG.labels(self.name).set(await outbox.backlog(session))
            except Exception:  # noqa: BLE001 - metrics answer even when the database does not
                pass
        if not self.consumer_names or not self.bus.is_connected or not self.bus.connected.is_set():
            return
        try:
            async with asyncio.timeout(timeout):
                for consumer in self.consumers:
                    await consumer.refresh_lag()
                counts = await self.dead_letters().counts()
                for name in self.consumer_names:
                    metrics.DEAD_LETTERS_PENDING.labels(name).set(counts.get(name, 0))
        except Exception:  # noqa: BLE001 - nor when NATS does not
            pass

    async def _watch_metrics(self) -> None:
        while not self.stop.is_set():
            await self.refresh_metrics()
            try:
                await asyncio.wait_for(self.stop.wait(), timeout=self.settings.metrics_interval_seconds)
            except TimeoutError:
                pass

    async def close(self) -> None:
        self.stop.set()
        for hook in self.definition.on_shutdown:
            await hook(self)
        if self._unwake_relay is not None:
            self._unwake_relay()
            self._unwake_relay = None
        # Consumers and the relay finish the message or batch in hand, then return.
        stopping = [asyncio.create_task(self._relay_thread.stop(timeout=10))] if self._relay_thread else []
        done, pending = await asyncio.wait(self.tasks, timeout=10) if self.tasks else (set(), set())
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, *stopping, return_exceptions=True)
        await self.bus.close()
        if self.engine is not None:
            await self.engine.dispose()

    def _spawn(self, name: str, coroutine: Awaitable[None]) -> None:
        async def guarded() -> None:
            try:
                await coroutine
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s: task %s stopped", self.name, name)

        self.tasks.append(asyncio.create_task(guarded(), name=f"{self.name}:{name}"))

    async def _every(self, job: Job) -> None:
        await self.bus.connected.wait()
        while not self.stop.is_set():
            try:
                await job.run(self)
            except Exception:  # noqa: BLE001 - the next round tries again
                log.exception("%s: job %s failed", self.name, job.name)
            try:
                await asyncio.wait_for(self.stop.wait(), timeout=job.interval.total_seconds())
            except TimeoutError:
                pass

    async def readiness(self) -> dict[str, str]:
        checks: dict[str, str] = {}
        if self.engine is not None:
            try:
                await asyncio.wait_for(ping(self.engine), timeout=3)
                checks["database"] = "ok"
            except Exception as exc:  # noqa: BLE001
                checks["database"] = f"unavailable ({type(exc).__name__})"
        checks["nats"] = "ok" if self.bus.is_connected and self.bus.connected.is_set() else "unavailable"
        return checks


def _publisher(bus: EventBus) -> PublishFn:
    async def publish(envelope: Envelope, headers: dict[str, str]) -> None:
        # While the client reconnects, a publish would only wait for its timeout;
        # the relay retries instead, and the outbox keeps the events meanwhile.
        if not bus.connected.is_set() or not bus.is_connected:
            raise ConnectionError("NATS is not connected")
        await bus.publish(envelope, headers)

    return publish


class LoopThread:
    """One coroutine on an event loop of its own, in a thread of its own; `stop` sets the event it is given."""

    def __init__(self, name: str, work: Callable[[asyncio.Event], Awaitable[None]]) -> None:
        self.name = name
        self.work = work
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()
        self._ready.wait()

    def _run(self) -> None:
        try:
            with asyncio.Runner(loop_factory=_new_event_loop) as runner:
                self._loop = runner.get_loop()
                self._stop = asyncio.Event()
                self._ready.set()
                runner.run(self._guarded())
        finally:
            self._ready.set()

    async def _guarded(self) -> None:
        assert self._stop is not None
        try:
            await self.work(self._stop)
        except Exception:
            log.exception("%s stopped", self.name)

    async def stop(self, timeout: float) -> None:
        """Ask the work to return, and wait for its thread up to `timeout` seconds."""
        if self._stop is not None:
            self.call_soon(self._stop.set)
        await asyncio.to_thread(self._thread.join, timeout)

    def call_soon(self, callback: Callable[[], object]) -> None:
        """Run `callback` on this thread's loop, from any thread; once the loop has closed, nothing."""
        if self._loop is not None:
            try:
                self._loop.call_soon_threadsafe(callback)
            except RuntimeError:
                pass  # its loop is closed: the work has ended already


def _new_event_loop() -> asyncio.AbstractEventLoop:
    # The loop the services run on under uvicorn, where it is installed.
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="The database and NATS are reachable")
    async def readyz(request: Request) -> Response:
        runtime: Runtime = request.app.state.runtime
        checks = await runtime.readiness()
        if all(value == "ok" for value in checks.values()):
            return Response(content='{"status":"ok"}', media_type="application/json")
        body = problem_body(
            503, "Not ready", ", ".join(f"{k}: {v}" for k, v in checks.items()), slug="not-ready", checks=checks
        )
        return problem_response(body)

    @router.get("/metrics", include_in_schema=False)
    async def metrics_endpoint(request: Request) -> Response:
        runtime: Runtime = request.app.state.runtime
        await runtime.refresh_metrics()
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


class DeadLetterView(BaseModel):
    """An event a consumer of this service gave up on, with the error of its last try."""

    id: int
    consumer: str
    event_id: str | None
    event_type: str | None
    ordering_key: str | None
    original_subject: str
    error: str
    deliveries: int
    failed_at: datetime | None

    @classmethod
    def of(cls, letter: DeadLetter) -> DeadLetterView:
        return cls(
            id=letter.id,
            consumer=letter.consumer,
            event_id=letter.event_id,
            event_type=letter.event_type,
            ordering_key=letter.ordering_key,
            original_subject=letter.original_subject,
            error=letter.error,
            deliveries=letter.deliveries,
            failed_at=letter.failed_at,
        )


def dead_letter_router() -> APIRouter:
    """`/dead-letters`: what this service's consumers gave up on, for the office to see and replay."""
    router = APIRouter(prefix="/dead-letters", tags=["operations"])

    def consumers_of(runtime: Runtime, consumer: str | None) -> list[str]:
        if consumer is None:
            return runtime.consumer_names
        if consumer not in runtime.consumer_names:
            known = ", ".join(runtime.consumer_names) or "none"
            raise BadInput(f"{consumer} is not a consumer of {runtime.name} (its consumers: {known}).")
        return [consumer]

    @router.get("", response_model=Page[DeadLetterView], summary="Dead letters of this service (office only)")
    async def list_dead_letters(
        request: Request,
        caller: CallerDep,
        page: PageDep,
        consumer: Annotated[str | None, Query(max_length=100, description="one consumer only")] = None,
    ) -> Page[DeadLetterView]:
        caller.require_role(Role.OFFICE)
        runtime: Runtime = request.app.state.runtime
        names = consumers_of(runtime, consumer)
        after = 0
        if page.after is not None:
            (after,) = decode_cursor(page.after, 1)
            if not isinstance(after, int) or after < 0:
                raise BadInput("The cursor `after` is not one this service gave out.")
        if not names:
            return Page(items=[], next_cursor=None, total_count=0)
        try:
            store = runtime.dead_letters()
            letters = await store.find(names, after=after, limit=page.first + 1)
            counts = await store.counts()
        except (nats.errors.Error, TimeoutError) as exc:
            raise ServiceUnavailable("NATS cannot be reached; try again shortly.") from exc
        shown = letters[: page.first]
        return Page(
            items=[DeadLetterView.of(letter) for letter in shown],
            next_cursor=encode_cursor(shown[-1].id) if len(letters) > page.first else None,
            total_count=sum(counts.get(name, 0) for name in names),
        )

    @router.post(
        "/{letter_id}/replay",
        response_model=DeadLetterView,
        status_code=status.HTTP_202_ACCEPTED,
        summary="Hand a dead letter back to its consumer (office only)",
    )
    async def replay_dead_letter(
        request: Request, caller: CallerDep, letter_id: Annotated[int, Path(ge=1, le=2**63 - 1)]
    ) -> DeadLetterView:
        caller.require_role(Role.OFFICE)
        runtime: Runtime = request.app.state.runtime
        try:
            letter = await runtime.dead_letters().replay(letter_id, runtime.consumer_names)
        except DeadLetterNotFound as exc:
            raise NotFound(f"No dead letter {letter_id} of {runtime.name}.") from exc
        except (nats.errors.Error, TimeoutError) as exc:
            raise ServiceUnavailable("NATS cannot be reached; try again shortly.") from exc
        return DeadLetterView.of(letter)

    return router


def create_service_app(definition: ServiceDefinition) -> FastAPI:
    """The FastAPI app of a service: routes, problem details, health, telemetry, and its background work."""
    settings = definition.settings
    configure_logging(definition.name, json_lines=settings.log_json, level=settings.log_level)
    configure_tracing(definition.name)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime(definition)
        app.state.runtime = runtime
        await runtime.start()
        if runtime.engine is not None:
            instrument_engine(runtime.engine)
        try:
            yield
        finally:
            await runtime.close()

    app = FastAPI(
        title=f"ZWK {definition.name}",
        version=definition.version,
        description=definition.description,
        lifespan=lifespan,
        telemetry=NO_FRAMEWORK_TELEMETRY,
    )
    install_problem_handlers(app)
    if definition.metadata is not None:
        # Only where text reaches PostgreSQL; the gateway answers in GraphQL's terms, from the services' 422.
        app.add_middleware(NulGuard)
    app.include_router(health_router())
    app.include_router(dead_letter_router())
    for router in definition.routers:
        app.include_router(router)

    app.add_middleware(metrics.RequestTimer)
    instrument_app(app)
    return app
