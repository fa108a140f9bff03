"""The services' engine: a connection the server closed is replaced before a request gets it, and a peak
waits for a kept connection rather than opening more."""

from __future__ import annotations

import asyncio

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from zwk_common.db import asyncpg_dsn, create_engine
from zwk_common.settings import ServiceSettings
from zwk_common.testing import eventually


def service_engine(database_url: str, *, pool_size: int) -> AsyncEngine:
    """An engine as a service makes it, with a pool of `pool_size`."""
    settings = ServiceSettings(database_url=database_url, database_pool_size=pool_size)
    return create_engine(settings, application_name="engine-test")


async def test_a_connection_the_server_closed_is_replaced_and_the_next_unit_of_work_succeeds(
    zwk_database_url: str,
) -> None:
    engine = service_engine(zwk_database_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            first_backend = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None

        # The backend ends, as in a restart: the server says goodbye and closes the socket.
        admin = await asyncpg.connect(asyncpg_dsn(zwk_database_url))
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", first_backend)
        finally:
            await admin.close()

        async def noticed() -> bool:
            return bool(driver.is_closed())

        await eventually(noticed, timeout=5)

        # The pool of one holds only the closed connection: it is not handed out, a new one is.
        async with engine.begin() as connection:
            second_backend = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        assert second_backend != first_backend
    finally:
        await engine.dispose()


async def test_a_checkout_sends_nothing_to_the_server_before_the_unit_of_work(zwk_database_url: str) -> None:
    engine = service_engine(zwk_database_url, pool_size=1)
    statements: list[str] = []
    try:
        async with engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            assert driver is not None
            driver.add_query_logger(lambda record: statements.append(record.query))
        seen_before = len(statements)

        # The same pooled connection, checked out again: a pre-ping would first send BEGIN, a query and
        # ROLLBACK. asyncpg's logger names the transaction's own statements, not the prepared SELECT.
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 2"))

        assert statements[seen_before:] == ["BEGIN;", "ROLLBACK;"], statements
    finally:
        await engine.dispose()


async def test_at_a_peak_a_unit_of_work_waits_for_a_kept_connection_and_opens_none_beyond_the_pool(
    zwk_database_url: str,
) -> None:
    engine = service_engine(zwk_database_url, pool_size=2)
    try:
        async with engine.connect() as first, engine.connect() as second:
            held = {
                (await first.execute(text("SELECT pg_backend_pid()"))).scalar_one(),
                (await second.execute(text("SELECT pg_backend_pid()"))).scalar_one(),
            }

            async def third_unit_of_work() -> int:
                async with engine.connect() as connection:
                    return int((await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one())

            third = asyncio.create_task(third_unit_of_work())
            await asyncio.sleep(0.3)
            # Both connections are in use: the third waits rather than opening a connection of its own.
            assert not third.done()
            await first.close()
            backend = await asyncio.wait_for(third, timeout=5)
        # It ran on the connection the first gave back, which the pool kept.
        assert backend in held
        assert engine.pool.checkedin() == 2
    finally:
        await engine.dispose()
