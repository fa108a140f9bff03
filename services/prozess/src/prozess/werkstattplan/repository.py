"""All SQL of the Werkstattplan."""

from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, func, update

from prozess.models import measures
from prozess.repository import Repository
from zwk_common.sql import insert


class WerkstattplanRepository(Repository):
    async def add_measure(self, values: dict[str, Any]) -> RowMapping:
        result = await self.session.execute(insert(measures).values(**values).returning(*measures.c))
        return result.mappings().one()

    async def change_measure(self, measure_id: UUID, values: dict[str, Any]) -> RowMapping:
        result = await self.session.execute(
            update(measures)
            .where(measures.c.id == measure_id)
            .values(**values, updated_at=func.now())
            .returning(*measures.c)
        )
        return result.mappings().one()
