"""All SQL of the Kommunalprofil."""

from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, func, select, update

from prozess.models import indicators, swot_items
from prozess.repository import Repository
from zwk_common.sql import insert


class KommunalprofilRepository(Repository):
    async def indicator(self, process_id: UUID, key: str) -> RowMapping | None:
        result = await self.session.execute(
            select(indicators).where(indicators.c.process_id == process_id, indicators.c.key == key)
        )
        return result.mappings().first()

    async def save_indicator(self, values: dict[str, Any]) -> RowMapping:
        statement = insert(indicators).values(**values, prefilled=False, updated_at=func.now())
        result = await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[indicators.c.process_id, indicators.c.key],
                set_={
                    **{k: statement.excluded[k] for k in values if k not in ("process_id", "key")},
                    "prefilled": False,
                    "updated_at": func.now(),
                },
            ).returning(*indicators.c)
        )
        return result.mappings().one()

    async def remove_indicator(self, process_id: UUID, key: str) -> bool:
        result = await self.session.execute(
            indicators.delete()
            .where(indicators.c.process_id == process_id, indicators.c.key == key)
            .returning(indicators.c.key)
        )
        return result.first() is not None

    async def add_swot_item(self, values: dict[str, Any]) -> RowMapping:
        result = await self.session.execute(insert(swot_items).values(**values).returning(*swot_items.c))
        return result.mappings().one()

    async def change_swot_item(self, item_id: UUID, values: dict[str, Any]) -> RowMapping:
        result = await self.session.execute(
            update(swot_items).where(swot_items.c.id == item_id).values(**values).returning(*swot_items.c)
        )
        return result.mappings().one()
