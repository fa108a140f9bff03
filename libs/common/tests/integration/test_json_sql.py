"""JSON written by PostgreSQL reads as the models' JSON does, to the character."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import asyncpg
import orjson
import pytest
from pydantic import BaseModel
from sqlalchemy import Date, DateTime, Float, Text, bindparam, literal, select
from sqlalchemy.dialects import postgresql

from zwk_common.db import asyncpg_dsn
from zwk_common.json_sql import EMPTY_ARRAY, constant, iso_utc, json_object

MOMENTS = [
    datetime(2026, 11, 21, 18, 3, 14, 193933, tzinfo=UTC),
    datetime(2026, 11, 21, 18, 3, 14, 193000, tzinfo=UTC),
    datetime(2026, 11, 21, 18, 3, 14, 100, tzinfo=UTC),
    datetime(2026, 11, 21, 18, 3, 14, tzinfo=UTC),
    # Given in another zone, on the night the clocks change.
    datetime(2021, 3, 28, 1, 59, 59, 999999, tzinfo=timezone(timedelta(hours=2))),
]


class Record(BaseModel):
    at: datetime | None
    on: date
    share: float
    name: str


async def _one(connection: asyncpg.Connection, statement: object) -> object:
    compiled = statement.compile(dialect=postgresql.dialect(paramstyle="numeric_dollar"))  # type: ignore[attr-defined]
    values = [compiled.params[name] for name in compiled.positiontup]
    return await connection.fetchval(str(compiled), *values)


@pytest.fixture
async def connection(zwk_database_url: str):  # type: ignore[no-untyped-def]
    connection = await asyncpg.connect(asyncpg_dsn(zwk_database_url))
    # Whatever the session's zone: the written times are UTC.
    await connection.execute("SET TIME ZONE 'Europe/Berlin'")
    yield connection
    await connection.close()


@pytest.mark.parametrize("moment", MOMENTS)
async def test_times_are_written_as_the_models_write_them(connection: asyncpg.Connection, moment: datetime) -> None:
    written = iso_utc(bindparam("moment", moment, type_=DateTime(timezone=True)))
    expected = Record(at=moment.astimezone(UTC), on=date(2026, 11, 21), share=0.1, name="x").model_dump(mode="json")
    assert await _one(connection, select(written)) == expected["at"]


async def test_an_object_reads_as_the_model_dumps_it(connection: asyncpg.Connection) -> None:
    moment = MOMENTS[0]
    record = Record(at=moment, on=date(2026, 11, 21), share=8.851043, name='Hamm (Sieg) "Ost" \\ Süd')
    built = json_object(
        at=iso_utc(bindparam("at", moment, type_=DateTime(timezone=True))),
        on=literal(date(2026, 11, 21)).cast(Date),
        share=literal(8.851043).cast(Float),
        name=literal(record.name).cast(Text),
    )
    assert orjson.loads(await _one(connection, select(built.cast(postgresql.TEXT)))) == record.model_dump(mode="json")
    missing = json_object(at=iso_utc(bindparam("none", None, type_=DateTime(timezone=True))), empty=EMPTY_ARRAY)
    assert orjson.loads(await _one(connection, select(missing.cast(postgresql.TEXT)))) == {"at": None, "empty": []}


def test_a_constant_is_never_a_quote() -> None:
    with pytest.raises(ValueError):
        constant("it's")
