"""All SQL of follows and bookmarks."""

from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, Table, delete, func, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from austausch.models import bookmarks, follows
from zwk_common.sql import insert


class PersonalListRepository:
    """Follows or bookmarks: one person's list of things, each at most once."""

    def __init__(self, session: AsyncSession, table: Table) -> None:
        self.session = session
        self.table = table

    async def add(self, values: dict[str, Any]) -> bool:
        """False if the person had it already."""
        result = await self.session.execute(
            insert(self.table).values(**values).on_conflict_do_nothing().returning(self.table.c.subject)
        )
        return result.first() is not None

    async def get(self, subject: str, target_kind: str, target_id: Any) -> RowMapping | None:
        t = self.table
        result = await self.session.execute(
            select(t).where(t.c.subject == subject, t.c.target_kind == target_kind, t.c.target_id == target_id)
        )
        return result.mappings().first()

    async def remove(self, subject: str, target_kind: str, target_id: Any) -> RowMapping | None:
        t = self.table
        result = await self.session.execute(
            delete(t)
            .where(t.c.subject == subject, t.c.target_kind == target_kind, t.c.target_id == target_id)
            .returning(t)
        )
        return result.mappings().first()

    async def page(
        self, subject: str, after: tuple[datetime, str, str] | None, limit: int
    ) -> tuple[list[RowMapping], int]:
        t = self.table
        total = (await self.session.execute(select(func.count()).where(t.c.subject == subject))).scalar_one()
        query = select(t).where(t.c.subject == subject)
        if after is not None:
            query = query.where(tuple_(t.c.created_at, t.c.target_kind, t.c.target_id) < tuple_(*map(literal, after)))
        query = query.order_by(t.c.created_at.desc(), t.c.target_kind.desc(), t.c.target_id.desc()).limit(limit)
        return list((await self.session.execute(query)).mappings()), int(total)


def follow_repository(session: AsyncSession) -> PersonalListRepository:
    return PersonalListRepository(session, follows)


def bookmark_repository(session: AsyncSession) -> PersonalListRepository:
    return PersonalListRepository(session, bookmarks)
