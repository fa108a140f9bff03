"""All SQL of the Kommunalprofil."""

from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, func, select, update
from sqlalchemy.dialects.postgresql import insert

from prozess.models import indicators, measures, swot_items
from prozess.repository import Repository


class KommunalprofilRepository(Repository):
    async def indicators(self, process_id: UUID, *, after_key: str | None, limit: int) -> list[RowMapping]:
        query = select(indicators).where(indicators.c.process_id == process_id)
        if after_key is not None:
            query = query.where(indicators.c.key > after_key)
        result = await self.session.execute(query.order_by(indicators.c.key).limit(limit))
        return list(result.mappings())

    async def count_indicators(self, process_id: UUID) -> int:
        result = await self.session.execute(
            select(func.count()).select_from(indicators).where(indicators.c.process_id == process_id)
        )
        return int(result.scalar_one())

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

    async def measures_from_swot_item(self, item_id: UUID) -> list[str]:
        result = await self.session.execute(select(measures.c.title).where(measures.c.origin_swot_item_id == item_id))
        return list(result.scalars())
