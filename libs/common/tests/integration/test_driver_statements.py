"""Statements run on the driver's connection: in the session's transaction, with SQLAlchemy's
conversions of their values, seen by the engine's listeners and spans, failing as asyncpg fails."""

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, event, literal, select, update
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from zwk_common.db import create_engine, create_sessionmaker
from zwk_common.settings import ServiceSettings
from zwk_common.sql import DriverStatement
from zwk_common.telemetry import add_span_processor, instrument_engine
from zwk_common.testing import fetch, fetch_value, scratch_schema

metadata = MetaData(schema="zwk_driver")
stages = Table(
    "stages",
    metadata,
    Column("name", String, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("notes", JSONB),
    Column("tags", ARRAY(String)),
)

MOVE = DriverStatement(
    update(stages)
    .where(stages.c.name == bindparam("which", type_=String))
    # A value bound in the statement itself (the 10) and ones given with each execution.
    .values(
        position=stages.c.position + 10 * bindparam("by", type_=Integer),
        notes=bindparam("notes", type_=JSONB),
        tags=bindparam("tags", type_=ARRAY(String)),
    )
    .returning(stages.c.name, stages.c.position, stages.c.notes, stages.c.tags)
)
ADD = DriverStatement(
    stages.insert().values(name=bindparam("name", type_=String), position=literal(1)).returning(stages.c.name)
)


@pytest.fixture
def url(zwk_clean: dict[str, str]) -> str:
    return zwk_clean["ZWK_DATABASE_URL"]


@pytest.fixture
async def sessions(url: str) -> AsyncIterator[async_sessionmaker[Any]]:
    async with scratch_schema(url, metadata):
        engine = create_engine(ServiceSettings(database_url=url), application_name="driver-test", pool_size=2)
        async with engine.begin() as connection:
            await connection.execute(stages.insert(), [{"name": "KICK_OFF", "position": 1}])
        try:
            yield create_sessionmaker(engine)
        finally:
            await engine.dispose()


async def _stages(url: str) -> int:
    """How many stages the table holds, as a connection outside the test's sessions sees it."""
    return int(await fetch_value(url, "SELECT count(*) FROM zwk_driver.stages"))


def _engine(sessions: async_sessionmaker[Any]) -> AsyncEngine:
    return sessions.kw["bind"]  # type: ignore[no-any-return]


async def test_values_are_converted_as_sqlalchemy_converts_them_and_rows_read_like_mappings(
    sessions: async_sessionmaker[Any],
) -> None:
    async with sessions() as session, session.begin():
        row = await MOVE.fetchrow(
            session, {"which": "KICK_OFF", "by": 2, "notes": {"Anlass": "Demografie"}, "tags": ["Pflege", "Wohnen"]}
        )
        assert row is not None
        # JSONB goes in as SQLAlchemy serialises it and comes back as the engine's codec reads it.
        assert (row["name"], row["position"], row["notes"], row["tags"]) == (
            "KICK_OFF",
            21,
            {"Anlass": "Demografie"},
            ["Pflege", "Wohnen"],
        )
        assert await MOVE.fetchrow(session, {"which": "NONE", "by": 1, "notes": None, "tags": None}) is None
        with pytest.raises(KeyError):
            await MOVE.fetch(session, {"which": "KICK_OFF"})


async def test_none_is_stored_as_sqlalchemy_stores_it(sessions: async_sessionmaker[Any], url: str) -> None:
    stored = "SELECT jsonb_typeof(notes), tags IS NULL FROM zwk_driver.stages WHERE name = 'KICK_OFF'"
    values = {"which": "KICK_OFF", "by": 1, "notes": None, "tags": None}
    async with sessions() as session, session.begin():
        await session.execute(MOVE.statement, values)
    by_sqlalchemy = tuple((await fetch(url, stored))[0])
    async with sessions() as session, session.begin():
        await MOVE.fetch(session, values)
    # JSONB's None is JSON's null, as SQLAlchemy's JSON type keeps it; an array's is SQL's NULL.
    assert tuple((await fetch(url, stored))[0]) == by_sqlalchemy == ("null", True)


async def test_the_first_statement_of_a_transaction_runs_in_it_and_rolls_back_with_it(
    sessions: async_sessionmaker[Any],
    url: str,
) -> None:
    async with sessions() as session, session.begin():
        # Nothing ran through the session before: the driver's statement must begin the transaction.
        assert await ADD.fetchrow(session, {"name": "KOMMUNALPROFIL"}) is not None
        await MOVE.fetch(session, {"which": "KICK_OFF", "by": 1, "notes": None, "tags": None})
        # Not visible outside until the commit; without BEGIN each would have committed on its own.
        assert await _stages(url) == 1
        await session.rollback()
    assert await _stages(url) == 1
    assert await fetch_value(url, "SELECT position FROM zwk_driver.stages WHERE name = 'KICK_OFF'") == 1

    async with sessions() as session, session.begin():
        await ADD.fetch(session, {"name": "KOMMUNALPROFIL"})
    assert await _stages(url) == 2


async def test_on_a_session_whose_statements_commit_one_by_one_it_commits_at_once(
    sessions: async_sessionmaker[Any],
    url: str,
) -> None:
    # As a consumer's `OneStatement` runs its effect and inbox claim.
    engine = _engine(sessions)
    one_by_one = create_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"))  # type: ignore[arg-type]
    async with one_by_one() as session:
        await ADD.fetch(session, {"name": "WERKSTATTPLAN"})
        assert await _stages(url) == 2
        await session.rollback()
    assert await _stages(url) == 2


async def test_a_failure_is_asyncpgs_and_the_transaction_rolls_back(
    sessions: async_sessionmaker[Any], url: str
) -> None:
    with pytest.raises(asyncpg.UniqueViolationError):
        async with sessions() as session, session.begin():
            await ADD.fetch(session, {"name": "ZUKUNFTSWERKSTATT"})
            await ADD.fetch(session, {"name": "KICK_OFF"})
    assert await _stages(url) == 1
    # The connection went back to the pool fit for the next transaction.
    async with sessions() as session, session.begin():
        await ADD.fetch(session, {"name": "ZUKUNFTSWERKSTATT"})
    assert await _stages(url) == 2


def test_a_statement_whose_sql_depends_on_its_values_is_refused() -> None:
    from sqlalchemy.dialects.postgresql.asyncpg import dialect

    expanding = DriverStatement(select(stages.c.name).where(stages.c.name.in_(bindparam("names", expanding=True))))
    with pytest.raises(TypeError, match="depend on its values"):
        expanding._compile(dialect())


async def test_the_engines_listeners_and_spans_see_it_as_they_see_the_sessions_statements(
    sessions: async_sessionmaker[Any],
) -> None:
    engine = _engine(sessions)
    instrument_engine(engine)
    seen: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    exporter = InMemorySpanExporter()
    detach = add_span_processor(SimpleSpanProcessor(exporter))
    values = {"which": "KICK_OFF", "by": 1, "notes": None, "tags": None}
    try:
        async with sessions() as session, session.begin():
            await session.execute(MOVE.statement, values)
            await MOVE.fetch(session, values)
        with pytest.raises(asyncpg.UniqueViolationError):
            async with sessions() as session, session.begin():
                await ADD.fetch(session, {"name": "KICK_OFF"})
    finally:
        detach()
    spans = [
        s
        for s in exporter.get_finished_spans()
        if s.instrumentation_scope is not None and "sqlalchemy" in s.instrumentation_scope.name
    ]
    through_session, on_driver, failed = spans
    assert (on_driver.name, on_driver.kind, dict(on_driver.attributes or {})) == (
        through_session.name,
        through_session.kind,
        dict(through_session.attributes or {}),
    )
    assert on_driver.status.status_code is trace.StatusCode.UNSET
    assert failed.status.status_code is trace.StatusCode.ERROR
    assert [s.split()[0] for s in seen] == ["UPDATE", "UPDATE", "INSERT"]
