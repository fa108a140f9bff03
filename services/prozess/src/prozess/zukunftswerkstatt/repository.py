"""All SQL of participation events and measure ideas."""

from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, update

from prozess.models import ideas, participation_events
from prozess.repository import Repository
from zwk_common.sql import insert


class ZukunftswerkstattRepository(Repository):
    async def add_participation_event(self, values: dict[str, Any]) -> RowMapping:
        result = await self.session.execute(
            insert(participation_events).values(**values).returning(*participation_events.c)
        )
        return result.mappings().one()

    async def change_participation_event(self, event_id: UUID, values: dict[str, Any]) -> RowMapping:
        result = await self.session.execute(
            update(participation_events)
            .where(participation_events.c.id == event_id)
            .values(**values)
            .returning(*participation_events.c)
        )
        return result.mappings().one()

    async def add_idea(self, values: dict[str, Any]) -> RowMapping:
        result = await self.session.execute(insert(ideas).values(**values).returning(*ideas.c))
        return result.mappings().one()
