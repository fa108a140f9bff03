"""All SQL of contacts, including erasing a removed person from the outbox."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, delete, func, literal, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from kommunen.events import CONTACT_EVENT_TYPES
from kommunen.models import contacts, outbox


class ContactRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, values: dict[str, Any]) -> RowMapping:
        result = await self.session.execute(contacts.insert().values(**values).returning(contacts))
        return result.mappings().one()

    async def get(self, municipality_id: UUID, contact_id: UUID, *, for_update: bool = False) -> RowMapping | None:
        query = select(contacts).where(contacts.c.id == contact_id, contacts.c.municipality_id == municipality_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).mappings().first()

    async def page(self, municipality_id: UUID, after: tuple[str, UUID] | None, limit: int) -> list[RowMapping]:
        query = select(contacts).where(contacts.c.municipality_id == municipality_id)
        if after is not None:
            query = query.where(tuple_(contacts.c.name, contacts.c.id) > tuple_(literal(after[0]), literal(after[1])))
        query = query.order_by(contacts.c.name, contacts.c.id).limit(limit)
        return list((await self.session.execute(query)).mappings())

    async def count(self, municipality_id: UUID) -> int:
        query = select(func.count()).select_from(contacts).where(contacts.c.municipality_id == municipality_id)
        return int((await self.session.execute(query)).scalar_one())

    async def change(self, contact_id: UUID, values: dict[str, Any]) -> RowMapping:
        result = await self.session.execute(
            update(contacts)
            .where(contacts.c.id == contact_id)
            .values(**values, updated_at=func.now())
            .returning(contacts)
        )
        return result.mappings().one()

    async def remove(self, contact_id: UUID) -> None:
        await self.session.execute(delete(contacts).where(contacts.c.id == contact_id))

    async def erase_from_outbox(self, contact_id: UUID) -> int:
        """Drop the events that carry the person's data, published or not.

        Published ones were only kept for the outbox's retention; a pending one
        is superseded by the removal, which consumers act on alike.
        """
        table = outbox.table
        result = await self.session.execute(
            delete(table).where(
                table.c.type.in_(CONTACT_EVENT_TYPES),
                table.c.envelope["data"]["contact_id"].astext == str(contact_id),
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
