"""All SQL of topics."""

from collections.abc import Sequence

from sqlalchemy import RowMapping, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from austausch.models import topics
from zwk_common.sql import insert


class TopicRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all(self) -> list[RowMapping]:
        result = await self.session.execute(select(topics).order_by(topics.c.parent.nulls_first(), topics.c.key))
        return list(result.mappings())

    async def get(self, key: str) -> RowMapping | None:
        return (await self.session.execute(select(topics).where(topics.c.key == key))).mappings().first()

    async def known(self, keys: Sequence[str]) -> set[str]:
        result = await self.session.execute(select(topics.c.key).where(topics.c.key.in_(list(keys))))
        return set(result.scalars())

    async def with_children(self, keys: Sequence[str]) -> set[str]:
        result = await self.session.execute(
            select(topics.c.key).where(or_(topics.c.key.in_(list(keys)), topics.c.parent.in_(list(keys))))
        )
        return set(result.scalars())

    async def keep(self, key: str, label: str, parent: str | None) -> None:
        statement = insert(topics).values(key=key, label=label, parent=parent)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[topics.c.key],
                set_={"label": statement.excluded.label, "parent": statement.excluded.parent, "updated_at": func.now()},
            )
        )
