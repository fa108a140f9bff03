"""INSERT … ON CONFLICT compiled once and reused: the right SQL and the right values every time."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncEngine

from zwk_common.sql import among, insert
from zwk_common.testing import scratch_schema

metadata = MetaData(schema="zwk_upserts")
counters = Table(
    "counters",
    metadata,
    Column("name", String, primary_key=True),
    Column("value", Integer, nullable=False),
    Column("note", String),
)


def key(statement):  # type: ignore[no-untyped-def]
    return statement._generate_cache_key()


def test_each_form_of_on_conflict_has_a_key_of_its_own() -> None:
    plain = insert(counters).values(name="a", value=1)
    nothing = insert(counters).values(name="a", value=1).on_conflict_do_nothing()
    on_name = insert(counters).values(name="a", value=1).on_conflict_do_nothing(index_elements=["name"])
    statement = insert(counters).values(name="a", value=1)
    add = statement.on_conflict_do_update(
        index_elements=[counters.c.name], set_={"value": counters.c.value + statement.excluded.value}
    )
    statement = insert(counters).values(name="a", value=1)
    replace = statement.on_conflict_do_update(
        index_elements=[counters.c.name], set_={"value": statement.excluded.value}
    )
    keys = [key(s) for s in (plain, nothing, on_name, add, replace)]
    assert all(k is not None for k in keys)
    assert len({k.key for k in keys}) == 5  # type: ignore[union-attr]
    # The same shape with other values is the same statement: its values are parameters.
    again = insert(counters).values(name="b", value=7).on_conflict_do_nothing(index_elements=["name"])
    assert key(again).key == key(on_name).key  # type: ignore[union-attr]


def test_a_plain_value_in_set_keeps_the_statement_uncached() -> None:
    # SQLAlchemy makes such a value a parameter only while compiling: a cached form would keep the first one.
    statement = (
        insert(counters).values(name="a", value=1).on_conflict_do_update(index_elements=["name"], set_={"value": 5})
    )
    assert key(statement) is None
    assert "ON CONFLICT (name) DO UPDATE SET value" in str(statement.compile(dialect=postgresql.dialect()))


@pytest.fixture
async def engine(zwk_clean: dict[str, str]) -> AsyncIterator[AsyncEngine]:
    async with scratch_schema(zwk_clean["ZWK_DATABASE_URL"], metadata) as engine:
        yield engine


async def test_a_cached_upsert_writes_each_executions_own_values(engine: AsyncEngine) -> None:
    def add(name: str, value: int, note: str):  # type: ignore[no-untyped-def]
        statement = insert(counters).values(name=name, value=value, note=note)
        return statement.on_conflict_do_update(
            index_elements=[counters.c.name],
            set_={"value": counters.c.value + statement.excluded.value, "note": func.upper(bindparam("n", note))},
        )

    async with engine.begin() as connection:
        for name, value, note in [("a", 1, "eins"), ("b", 10, "zehn"), ("a", 2, "zwei"), ("b", 5, "fuenf")]:
            await connection.execute(add(name, value, note))
        await connection.execute(insert(counters).values(name="a", value=100, note="x").on_conflict_do_nothing())
        await connection.execute(insert(counters).values(name="c", value=3, note="drei").on_conflict_do_nothing())
        rows = (await connection.execute(select(counters).order_by(counters.c.name))).all()
    assert [tuple(r) for r in rows] == [("a", 3, "ZWEI"), ("b", 15, "FUENF"), ("c", 3, "drei")]
    # Compiled once per shape: the cache holds the upsert and the insert, not one entry per execution.
    cache = engine.sync_engine._compiled_cache
    upserts = [k for k in cache if "ON CONFLICT (name) DO UPDATE" in str(cache[k])]
    assert len(upserts) == 1


async def test_among_reads_a_batch_of_any_size_with_one_statement(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        for n, name in enumerate(["a", "b", "c", "d", "e"]):
            await connection.execute(insert(counters).values(name=name, value=n))

        async def names(wanted: list[str]) -> list[str]:
            query = select(counters.c.name).where(among(counters.c.name, wanted)).order_by(counters.c.name)
            return list((await connection.execute(query)).scalars())

        assert await names(["b", "e", "x"]) == ["b", "e"]
        assert await names(["a", "b", "c", "d"]) == ["a", "b", "c", "d"]
        assert await names([]) == []
    # Every length of list is the same statement, with a single array parameter.
    cache = engine.sync_engine._compiled_cache
    batch_reads = [str(cache[k]) for k in cache if "counters.name = ANY" in str(cache[k])]
    assert len(batch_reads) == 1
    assert "IN (" not in batch_reads[0]
