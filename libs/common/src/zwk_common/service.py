"""The shape every service shares: one FastAPI app whose lifespan runs its relay, consumers and jobs."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from zwk_common import metrics
from zwk_common.auth import TokenVerifier
from zwk_common.db import asyncpg_dsn, create_engine, create_sessionmaker, ping
from zwk_common.errors import install_problem_handlers, problem_body, problem_response
from zwk_common.events import EventPayload
from zwk_common.inbox import Inbox
from zwk_common.messaging import EventBus, EventConsumer, Handler, group_handlers
from zwk_common.outbox import Outbox, OutboxRelay
from zwk_common.settings import ServiceSettings
from zwk_common.telemetry import configure_logging, configure_tracing, instrument_app, instrument_engine

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
    jobs: Sequence[Job] = ()
    on_startup: Sequence[Callable[[Runtime], Awaitable[None]]] = ()
    on_shutdown: Sequence[Callable[[Runtime], Awaitable[None]]] = ()
    version: str = "0.1.0"
    description: str = ""


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
        self.relay: OutboxRelay | None = None
        self.extras: dict[str, Any] = {}

    async def start(self) -> None:
        definition = self.definition
        if definition.metadata is not None:
            self.engine = create_engine(self.settings, application_name=self.name)
            self.sessions = create_sessionmaker(self.engine)
        self._spawn("bus-connect", self.bus.connect(self.stop))
        if definition.outbox is not None and self.sessions is not None and self.settings.run_relay:
            self.relay = OutboxRelay(
                definition.outbox, self.sessions, self._publish, listen_dsn=asyncpg_dsn(self.settings.database_url)
            )
            self._spawn("outbox-relay", self.relay.run(self.stop))
        if definition.handlers and self.settings.run_consumers:
            if definition.inbox is None or self.sessions is None:
                raise RuntimeError(f"{self.name}: consuming events needs an inbox and a database")
            for upstream, handlers in group_handlers(self.name, definition.handlers).items():
                consumer = EventConsumer(
                    self.bus,
                    durable=f"{self.name}-{upstream}",
                    filter_subject=f"{self.settings.event_subject_root}.{upstream}.>",
                    handlers=handlers,
                    sessions=self.sessions,
                    inbox=definition.inbox,
                )
                self.consumers.append(consumer)
                self._spawn(f"consume-{upstream}", consumer.run(self.stop))
        if self.settings.run_jobs:
            for job in definition.jobs:
                self._spawn(f"job-{job.name}", self._every(job))
        for hook in definition.on_startup:
            await hook(self)

    async def close(self) -> None:
        self.stop.set()
        for hook in self.definition.on_shutdown:
            await hook(self)
        # Consumers and the relay finish the message or batch in hand, then return.
        done, pending = await asyncio.wait(self.tasks, timeout=10) if self.tasks else (set(), set())
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        await self.bus.close()
        if self.engine is not None:
            await self.engine.dispose()

    async def _publish(self, envelope: Any, headers: dict[str, str]) -> None:
        if not self.bus.connected.is_set():
            raise ConnectionError("NATS is not connected yet")
        await self.bus.publish(envelope, headers)

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
        outbox = runtime.definition.outbox
        if outbox is not None and runtime.sessions is not None:
            try:
                async with runtime.sessions() as session:
                    metrics.OUTBOX_BACKLOG.labels(runtime.name).set(await outbox.backlog(session))
            except Exception:  # noqa: BLE001 - metrics answer even when the database does not
                pass
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

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
    )
    install_problem_handlers(app)
    app.include_router(health_router())
    for router in definition.routers:
        app.include_router(router)

    @app.middleware("http")
    async def measure(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        metrics.REQUEST_LATENCY.labels(path, request.method, str(response.status_code)).observe(
            time.perf_counter() - started
        )
        return response

    instrument_app(app)
    return app
