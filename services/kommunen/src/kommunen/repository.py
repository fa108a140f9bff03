"""All SQL of kommunen."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, select
from sqlalchemy.ext.asyncio import AsyncSession

from kommunen.models import municipalities


class MunicipalityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, values: dict[str, Any]) -> RowMapping:
        result = await self.session.execute(municipalities.insert().values(**values).returning(municipalities))
        return result.mappings().one()

    async def get(self, municipality_id: UUID) -> RowMapping | None:
        result = await self.session.execute(select(municipalities).where(municipalities.c.id == municipality_id))
        return result.mappings().first()

    async def get_by_ags(self, ags: str) -> RowMapping | None:
        result = await self.session.execute(select(municipalities).where(municipalities.c.ags == ags))
        return result.mappings().first()

    async def get_many(self, ids: Sequence[UUID]) -> list[RowMapping]:
        result = await self.session.execute(select(municipalities).where(municipalities.c.id.in_(ids)))
        return list(result.mappings())
