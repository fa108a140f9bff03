"""All SQL of topics."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import RowMapping, func, literal, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from kommunen.models import topics
from zwk_common.sql import insert


class TopicRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_tree(self) -> None:
        await self.session.execute(text("SELECT pg_advisory_xact_lock(hashtext('kommunen:topic-tree'))"))

    async def get(self, key: str, *, for_update: bool = False) -> RowMapping | None:
        query = select(topics).where(topics.c.key == key)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).mappings().first()

    async def page(self, after: str | None, limit: int) -> list[RowMapping]:
        query = select(topics).order_by(topics.c.key).limit(limit)
        if after is not None:
            query = query.where(topics.c.key > after)
        return list((await self.session.execute(query)).mappings())

    async def count(self) -> int:
        return int((await self.session.execute(select(func.count()).select_from(topics))).scalar_one())

    async def existing(self, keys: Sequence[str]) -> set[str]:
        result = await self.session.execute(select(topics.c.key).where(topics.c.key.in_(list(keys))))
        return set(result.scalars())

    async def add(self, key: str, label: str, parent: str | None) -> RowMapping | None:
        """The new topic, or None when the key is taken."""
        result = await self.session.execute(
            insert(topics)
            .values(key=key, label=label, parent_key=parent)
            .on_conflict_do_nothing(index_elements=[topics.c.key])
            .returning(topics)
        )
        return result.mappings().first()

    async def change(self, key: str, values: dict[str, object]) -> RowMapping:
        result = await self.session.execute(
            update(topics).where(topics.c.key == key).values(**values, updated_at=func.now()).returning(topics)
        )
        return result.mappings().one()

    async def ancestors(self, key: str) -> list[str]:
        """`key` and every topic above it, nearest first."""
        chain = select(topics.c.key, topics.c.parent_key, literal(0).label("depth")).where(topics.c.key == key)
        chain_cte = chain.cte("chain", recursive=True)
        chain_cte = chain_cte.union_all(
            select(topics.c.key, topics.c.parent_key, (chain_cte.c.depth + 1).label("depth"))
            .join(chain_cte, topics.c.key == chain_cte.c.parent_key)
            .where(chain_cte.c.depth < 100)
        )
        result = await self.session.execute(select(chain_cte.c.key).order_by(chain_cte.c.depth))
        return list(result.scalars())

    async def descendants(self, key: str) -> list[str]:
        """`key` and every topic below it."""
        tree = select(topics.c.key, literal(0).label("depth")).where(topics.c.key == key).cte("tree", recursive=True)
        tree = tree.union_all(
            select(topics.c.key, (tree.c.depth + 1).label("depth"))
            .join(tree, topics.c.parent_key == tree.c.key)
            .where(tree.c.depth < 100)
        )
        return list((await self.session.execute(select(tree.c.key))).scalars())
