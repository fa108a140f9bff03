"""The idempotent inbox: a consumer handles each event id once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Column, DateTime, MetaData, PrimaryKeyConstraint, String, Table, bindparam, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from zwk_common.sql import Insert, insert


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
        # Made once: every event a consumer handles starts with it, and building and keying a
        # statement costs more than running this one.
        self._claim = _claiming(self.table, "")
        # The claim as part of a handler's own statement (`messaging.OneStatement`): the statement
        # gates its effect on this CTE, which holds the event id only if the claim is new. Its
        # parameters have names of their own, so that they never meet the statement's.
        self.claimed = _claiming(self.table, "inbox_").cte("claimed")
        # Whether that claim is new: what such a statement gates its effect on, and answers.
        self.claim_is_new = exists(select(self.claimed.c.event_id))
        self._claim_alone = select(func.count()).select_from(self.claimed)

    async def claim(self, session: AsyncSession, consumer: str, event_id: str, event_type: str) -> bool:
        """Record the event as handled by `consumer`; False if it already was.

        Called in the same transaction as the handler's effect: if the effect
        rolls back, so does the claim, and a redelivery handles it again.
        """
        result = await session.execute(
            self._claim, {"consumer": consumer, "event_id": event_id, "event_type": event_type}
        )
        return result.first() is not None


def _claiming(table: Table, prefix: str) -> Insert:
    """The inbox row of one event, added unless it is there; its parameters named `<prefix>consumer` etc."""
    return (
        insert(table)
        .values(
            consumer=bindparam(f"{prefix}consumer", type_=String),
            event_id=bindparam(f"{prefix}event_id", type_=String),
            event_type=bindparam(f"{prefix}event_type", type_=String),
        )
        .on_conflict_do_nothing()
        .returning(table.c.event_id)
    )


@dataclass(frozen=True)
class InboxClaim:
    """The claim of one event that a one-statement handler writes with its effect.

    `values` are the parameters of `inbox.claimed`; a statement that includes that CTE
    takes them with its own.
    """

    inbox: Inbox
    values: Mapping[str, str]

    @classmethod
    def of(cls, inbox: Inbox, consumer: str, event_id: str, event_type: str) -> InboxClaim:
        return cls(inbox, {"inbox_consumer": consumer, "inbox_event_id": event_id, "inbox_event_type": event_type})

    async def alone(self, session: AsyncSession) -> bool:
        """Claim the event with no other effect (a handler with nothing to do); False if it already was."""
        return bool((await session.execute(self.inbox._claim_alone, dict(self.values))).scalar_one())
