"""The SQL every record of a process shares: pages, single records, removal."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Column, RowMapping, Select, Table, func, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from zwk_common.errors import BadInput
from zwk_common.pagination import PageParams, decode_cursor, encode_cursor

NOT_OURS = "The cursor `after` is not one this service gave out."


class Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def page_in_recorded_order(
        self, table: Table, *where: Any, page: PageParams
    ) -> tuple[list[RowMapping], str | None, int]:
        """One page of `table` rows, oldest first; the cursor is the last row's (created_at, id)."""
        query = select(table).where(*where)
        if page.after is not None:
            created_at, row_id = decode_cursor(page.after, 2)
            try:
                position = (datetime.fromisoformat(created_at), UUID(row_id))
            except (TypeError, ValueError) as exc:
                raise BadInput(NOT_OURS) from exc
            query = query.where(
                tuple_(table.c.created_at, table.c.id)
                > tuple_(literal(position[0], table.c.created_at.type), literal(position[1], table.c.id.type))
            )
        rows, total = await self._page(query.order_by(table.c.created_at, table.c.id), table, where, page)
        last = rows[page.first - 1] if len(rows) > page.first else None
        next_cursor = encode_cursor(last["created_at"].isoformat(), str(last["id"])) if last else None
        return rows[: page.first], next_cursor, total

    async def page_in_order(
        self, table: Table, column: Column[Any], *where: Any, page: PageParams
    ) -> tuple[list[RowMapping], str | None, int]:
        """One page of `table` rows ordered by a unique `column`; the cursor is the last row's value."""
        query = select(table).where(*where)
        if page.after is not None:
            (after,) = decode_cursor(page.after, 1)
            if not isinstance(after, column.type.python_type):
                raise BadInput(NOT_OURS)
            query = query.where(column > after)
        rows, total = await self._page(query.order_by(column), table, where, page)
        last = rows[page.first - 1] if len(rows) > page.first else None
        return rows[: page.first], encode_cursor(last[column.name]) if last else None, total

    async def _page(
        self, query: Select[Any], table: Table, where: tuple[Any, ...], page: PageParams
    ) -> tuple[list[RowMapping], int]:
        rows = list((await self.session.execute(query.limit(page.first + 1))).mappings())
        total = (await self.session.execute(select(func.count()).select_from(table).where(*where))).scalar_one()
        return rows, int(total)

    async def all_in_recorded_order(self, table: Table, process_id: UUID) -> list[RowMapping]:
        """Every row of one process, for the documents that carry the whole record."""
        result = await self.session.execute(
            select(table).where(table.c.process_id == process_id).order_by(table.c.created_at, table.c.id)
        )
        return list(result.mappings())

    async def one_of_process(self, table: Table, row_id: UUID, process_id: UUID) -> RowMapping | None:
        result = await self.session.execute(select(table).where(table.c.id == row_id, table.c.process_id == process_id))
        return result.mappings().first()

    async def titles_pointing_at(self, reference: Column[Any], row_id: UUID) -> list[str]:
        """The titles of the records whose `reference` names `row_id` (the measures that came from an idea)."""
        result = await self.session.execute(select(reference.table.c.title).where(reference == row_id))
        return list(result.scalars())

    async def remove(self, table: Table, row_id: UUID, process_id: UUID) -> bool:
        result = await self.session.execute(
            table.delete().where(table.c.id == row_id, table.c.process_id == process_id).returning(table.c.id)
        )
        return result.first() is not None
