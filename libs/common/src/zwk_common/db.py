"""The async engine, sessions, and the one-transaction-per-request boundary."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from zwk_common.settings import ServiceSettings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def service_metadata(schema: str) -> MetaData:
    """The metadata of one service's tables, all in that service's own schema."""
    return MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


def async_url(url: str) -> URL:
    """A SQLAlchemy URL on the asyncpg driver, whatever driver the setting named."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+asyncpg")


def asyncpg_dsn(url: str) -> str:
    """The plain DSN asyncpg.connect takes, for LISTEN and raw connections."""
    return async_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def create_engine(settings: ServiceSettings, *, application_name: str, pool_size: int | None = None) -> AsyncEngine:
    """An engine whose pool survives a database restart: closed connections are replaced, old ones recycled.

    At most `pool_size` (else the settings') connections, opened as needed and kept; at a peak a
    unit of work waits for one of them (up to `pool_timeout`) rather than opening another."""
    size = pool_size or settings.database_pool_size
    engine = create_async_engine(
        async_url(settings.database_url),
        pool_size=size,
        # No connections beyond the pool's, which SQLAlchemy would close again as soon as they
        # come back. A service's process is bound by its CPU, so more transactions at once add no
        # throughput, while every connection opened at a peak costs the service and PostgreSQL
        # more than the wait for a kept one (a new backend warms its caches and prepares every
        # statement anew). With as many again opened at each peak, every bunch of prozess's
        # requests in the pipeline benchmark paid for new connections, and its slow stretches of
        # answers drew out to a second (benchmarks/README.md, seventeenth round).
        max_overflow=0,
        # Not SQLAlchemy's pre-ping: it costs three round trips (BEGIN, a query, ROLLBACK) on every
        # checkout, about 3 % of a service's CPU; `_replace_closed` below costs none.
        pool_pre_ping=False,
        pool_recycle=1800,
        pool_timeout=10,
        connect_args={
            "server_settings": {"application_name": application_name},
            "timeout": 5,
            "command_timeout": 30,
        },
    )
    event.listen(engine.sync_engine.pool, "checkout", _replace_closed)
    return engine


def _replace_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """A connection the server closed (a restart, a terminated backend) is not handed out: the pool
    drops it and checks out another, or connects anew.

    asyncpg knows as soon as the event loop has read the server's goodbye. A connection lost without
    one fails its statement instead, which SQLAlchemy recognises as a disconnect: the request is
    answered 503 and the pool is renewed.
    """
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the database server closed this connection")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def transaction(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work: commits when the block ends normally, rolls back otherwise."""
    async with sessions() as session, session.begin():
        yield session


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    # The transaction spans the endpoint and commits before the response is
    # sent (scope="function"): a failed commit is an error answer, never a
    # success answer for a change that was lost.
    async with transaction(request.app.state.runtime.sessions) as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]
