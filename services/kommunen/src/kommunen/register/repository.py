"""All SQL of the register: the bulk import (asyncpg) and the lookups (SQLAlchemy)."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
from sqlalchemy import RowMapping, select
from sqlalchemy.ext.asyncio import AsyncSession

from kommunen.models import SCHEMA, register_units
from kommunen.register.parsing import Unit

COLUMNS = (
    "key",
    "level",
    "type_code",
    "type_label",
    "name",
    "search_name",
    "parent_key",
    "land_key",
    "bundesland",
    "kreis_key",
    "verband_key",
    "ags",
    "ars",
    "area_km2",
    "population_2019",
    "population_2022",
    "postcode",
    "latitude",
    "longitude",
    "urbanisation",
)


class RegisterImport:
    """Replaces the register in one transaction of a raw connection."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection

    async def lock(self) -> None:
        # Two processes starting at once (`zwk up` and a test session, replicas)
        # import one after the other; the second then finds the register current.
        await self.connection.execute("SELECT pg_advisory_xact_lock(hashtext('kommunen:register-import'))")

    async def imported_version(self) -> str | None:
        return await self.connection.fetchval(f"SELECT version FROM {SCHEMA}.register_imports WHERE id = 1")  # type: ignore[no-any-return]

    async def unit_count(self) -> int:
        return await self.connection.fetchval(f"SELECT count(*) FROM {SCHEMA}.register_units")  # type: ignore[no-any-return]

    async def replace(self, units: Sequence[Unit], version: str) -> None:
        # DELETE rather than TRUNCATE: readers keep seeing the old register
        # until the new one commits, instead of waiting on an exclusive lock.
        await self.connection.execute(f"DELETE FROM {SCHEMA}.register_units")
        await self.connection.copy_records_to_table(
            "register_units",
            schema_name=SCHEMA,
            columns=COLUMNS,
            records=[tuple(getattr(unit, column) for column in COLUMNS) for unit in units],
        )
        await self.connection.execute(
            f"""INSERT INTO {SCHEMA}.register_imports (id, version, units, imported_at) VALUES (1, $1, $2, now())
                ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, units = EXCLUDED.units,
                imported_at = EXCLUDED.imported_at""",
            version,
            len(units),
        )


class RegisterRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, key: str) -> RowMapping | None:
        result = await self.session.execute(select(register_units).where(register_units.c.key == key))
        return result.mappings().first()

    async def get_many(self, keys: Sequence[str]) -> list[RowMapping]:
        result = await self.session.execute(select(register_units).where(register_units.c.key.in_(list(keys))))
        return list(result.mappings())

    async def search(self, column: str, prefix: str, *, levels: Sequence[str] | None, limit: int) -> list[RowMapping]:
        """Units whose key or search name begins with `prefix`, the most populous first."""
        target = register_units.c[column]
        # A prefix is the half-open range [prefix, prefix + 1 at the last character):
        # an index range scan in the "C" collation, also under a generic plan.
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        query = select(register_units).where(target >= prefix, target < upper)
        if levels:
            query = query.where(register_units.c.level.in_(list(levels)))
        query = query.order_by(
            register_units.c.population_2019.desc().nulls_last(), register_units.c.name, register_units.c.key
        ).limit(limit)
        return list((await self.session.execute(query)).mappings())
