"""The SQL every list of a process shares: pages in the order things were recorded."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, Table, func, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from zwk_common.errors import BadInput
from zwk_common.pagination import PageParams, decode_cursor, encode_cursor


class Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def page_in_recorded_order(
        self, table: Table, *where: Any, page: PageParams
    ) -> tuple[list[RowMapping], str | None, int]:
        """One page of `table` rows, oldest first; the cursor is the last row's (created_at, id)."""
        query = select(table).where(*where)
        if page.after is not None:
            created_at, row_id = _recorded_position(page.after)
            query = query.where(
                tuple_(table.c.created_at, table.c.id)
                > tuple_(literal(created_at, table.c.created_at.type), literal(row_id, table.c.id.type))
            )
        rows = list(
            (
                await self.session.execute(query.order_by(table.c.created_at, table.c.id).limit(page.first + 1))
            ).mappings()
        )
        total = (await self.session.execute(select(func.count()).select_from(table).where(*where))).scalar_one()
        next_cursor = None
        if len(rows) > page.first:
            last = rows[page.first - 1]
            next_cursor = encode_cursor(last["created_at"].isoformat(), str(last["id"]))
        return rows[: page.first], next_cursor, int(total)

    async def all_in_recorded_order(self, table: Table, process_id: UUID) -> list[RowMapping]:
        """Every row of one process, for the documents that carry the whole record."""
        result = await self.session.execute(
            select(table).where(table.c.process_id == process_id).order_by(table.c.created_at, table.c.id)
        )
        return list(result.mappings())

    async def remove(self, table: Table, row_id: UUID, process_id: UUID) -> bool:
        result = await self.session.execute(
            table.delete().where(table.c.id == row_id, table.c.process_id == process_id).returning(table.c.id)
        )
        return result.first() is not None

    async def one_of_process(self, table: Table, row_id: UUID, process_id: UUID) -> RowMapping | None:
        result = await self.session.execute(select(table).where(table.c.id == row_id, table.c.process_id == process_id))
        return result.mappings().first()


def _recorded_position(cursor: str) -> tuple[datetime, UUID]:
    created_at, row_id = decode_cursor(cursor, 2)
    try:
        return datetime.fromisoformat(created_at), UUID(row_id)
    except (TypeError, ValueError) as exc:
        raise BadInput("The cursor `after` is not one this service gave out.") from exc
