"""The idempotent inbox: a consumer handles each event id once."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, MetaData, PrimaryKeyConstraint, String, Table, func
from sqlalchemy.ext.asyncio import AsyncSession

from zwk_common.sql import insert


class Inbox:
    """The inbox table of one service."""

    def __init__(self, metadata: MetaData) -> None:
        self.table = Table(
            "inbox",
            metadata,
            Column("consumer", String(100), nullable=False),
            Column("event_id", String(64), nullable=False),
            Column("event_type", String(200), nullable=False),
            Column("handled_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
            PrimaryKeyConstraint("consumer", "event_id"),
        )

    async def claim(self, session: AsyncSession, consumer: str, event_id: str, event_type: str) -> bool:
        """Record the event as handled by `consumer`; False if it already was.

        Called in the same transaction as the handler's effect: if the effect
        rolls back, so does the claim, and a redelivery handles it again.
        """
        result = await session.execute(
            insert(self.table)
            .values(consumer=consumer, event_id=event_id, event_type=event_type)
            .on_conflict_do_nothing()
            .returning(self.table.c.event_id)
        )
        return result.first() is not None
