"""All SQL of notifications: set-based fan-out to recipients and channels, the inbox, preferences."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

from sqlalchemy import (
    DateTime,
    RowMapping,
    Select,
    String,
    and_,
    any_,
    bindparam,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    tuple_,
    union,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncSession

from benachrichtigung.models import (
    advisers,
    contacts,
    deliveries,
    digest_items,
    notifications,
    office_users,
    preferences,
    subscriptions,
    webhook_endpoints,
)
from benachrichtigung.recipients.repository import has_address
from benachrichtigung.texts import Message
from zwk_common.sql import Insert, insert

OFFICE = "office"


def _organisation(organisation: str) -> Select[Any]:
    """The organisation as one recipient, if it has an active webhook endpoint to tell."""
    return (
        select((literal("org:") + webhook_endpoints.c.organisation).label("recipient_id"))
        .where(webhook_endpoints.c.organisation == organisation, webhook_endpoints.c.active)
        .limit(1)
    )


def office_audience() -> list[Select[Any]]:
    return [select(office_users.c.subject.label("recipient_id")), _organisation(OFFICE)]


def team_audience(municipality_id: UUID) -> list[Select[Any]]:
    return [
        # A contact with neither an account nor an address cannot be told anything.
        select(contacts.c.recipient_id).where(
            contacts.c.municipality_id == municipality_id,
            or_(contacts.c.subject.is_not(None), contacts.c.email.is_not(None)),
        ),
        select(advisers.c.subject.label("recipient_id")).where(advisers.c.municipality_id == municipality_id),
        _organisation(str(municipality_id)),
    ]


def person_audience(subject: str) -> list[Select[Any]]:
    return [select(literal(subject, String).label("recipient_id"))]


def followers_audience(target_kind: str, target_ids: Sequence[str]) -> list[Select[Any]]:
    return [
        select(subscriptions.c.subject.label("recipient_id")).where(
            subscriptions.c.target_kind == target_kind, subscriptions.c.target_id.in_(list(target_ids))
        )
    ]


class NotificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def notify(
        self,
        audience: Sequence[Select[Any]],
        message: Message,
        *,
        event_id: str,
        event_type: str,
        excluded: Sequence[str],
        now: datetime,
    ) -> int:
        """Tell everyone in `audience` (but `excluded`) in one statement; how many were newly told."""
        everyone = union(*audience).subquery("audience")
        municipality_id = UUID(message.municipality_id) if message.municipality_id else None
        rows = select(
            func.gen_random_uuid(),
            everyone.c.recipient_id,
            literal(event_id, String),
            literal(event_type, String),
            literal(message.kind, String),
            literal(message.title, String),
            literal(message.body, String),
            literal(message.link, String),
            literal(message.item_kind, String),
            literal(message.item_id, String),
            literal(message.item_title, String),
            literal(municipality_id, PG_UUID(as_uuid=True)),
            literal(now, DateTime(timezone=True)),
        ).where(everyone.c.recipient_id.is_not(None))
        if excluded:
            rows = rows.where(everyone.c.recipient_id.not_in(list(excluded)))
        columns = [
            "id",
            "recipient_id",
            "event_id",
            "event_type",
            "kind",
            "title",
            "body",
            "link",
            "item_kind",
            "item_id",
            "item_title",
            "municipality_id",
            "created_at",
        ]
        result = await self.session.execute(
            insert(notifications)
            .from_select(columns, rows)
            .on_conflict_do_nothing(index_elements=[notifications.c.recipient_id, notifications.c.event_id])
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def queue_for_channels(
        self,
        event_id: str,
        *,
        email_defaults: Mapping[str, str],
        now: datetime,
        expires_at: datetime,
        daily_due: datetime,
        weekly_due: datetime,
        trace_context: Mapping[str, str] | None = None,
    ) -> None:
        """Queue the event's new notifications for e-mail and webhooks, now or for a digest."""
        values = {
            "event_id": event_id,
            "now": now,
            "expires_at": expires_at,
            "daily_due": daily_due,
            "weekly_due": weekly_due,
            "carrier": dict(trace_context) if trace_context else None,
        }
        for statement in _channel_queueing(tuple(sorted(email_defaults.items()))):
            await self.session.execute(statement, values)

    # --- the inbox ---

    async def inbox_page(
        self, recipient_id: str, *, after: tuple[datetime, UUID] | None, limit: int, unread_only: bool
    ) -> list[RowMapping]:
        n = notifications
        query = (
            select(n)
            .where(n.c.recipient_id == recipient_id)
            .order_by(n.c.created_at.desc(), n.c.id.desc())
            .limit(limit)
        )
        if unread_only:
            query = query.where(n.c.read_at.is_(None))
        if after is not None:
            query = query.where(
                tuple_(n.c.created_at, n.c.id)
                < tuple_(literal(after[0], DateTime(timezone=True)), literal(after[1], PG_UUID(as_uuid=True)))
            )
        return list((await self.session.execute(query)).mappings())

    async def count(self, recipient_id: str, *, unread_only: bool) -> int:
        query = select(func.count()).select_from(notifications).where(notifications.c.recipient_id == recipient_id)
        if unread_only:
            query = query.where(notifications.c.read_at.is_(None))
        return int((await self.session.execute(query)).scalar_one())

    async def mark_read(self, recipient_id: str, notification_id: UUID, now: datetime) -> RowMapping | None:
        n = notifications
        result = await self.session.execute(
            update(n)
            .where(n.c.id == notification_id, n.c.recipient_id == recipient_id)
            .values(read_at=func.coalesce(n.c.read_at, now))
            .returning(n)
        )
        return result.mappings().first()

    async def mark_all_read(self, recipient_id: str, now: datetime) -> int:
        n = notifications
        result = await self.session.execute(
            update(n).where(n.c.recipient_id == recipient_id, n.c.read_at.is_(None)).values(read_at=now)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # --- preferences ---

    async def preferences_of(self, recipient_id: str) -> list[RowMapping]:
        result = await self.session.execute(select(preferences).where(preferences.c.recipient_id == recipient_id))
        return list(result.mappings())

    async def set_preference(self, recipient_id: str, kind: str, channel: str, frequency: str) -> None:
        statement = insert(preferences).values(
            recipient_id=recipient_id, kind=kind, channel=channel, frequency=frequency
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[preferences.c.recipient_id, preferences.c.kind, preferences.c.channel],
                set_={"frequency": frequency, "updated_at": func.now()},
            )
        )


@lru_cache(maxsize=4)
def _channel_queueing(email_defaults: tuple[tuple[str, str], ...]) -> tuple[Insert, ...]:
    """The four statements that queue an event's notifications for e-mail and webhooks, now or for a
    digest; built once, since building and keying them cost more than running them."""
    n = notifications
    event_id = bindparam("event_id", type_=String)
    carrier = bindparam("carrier", type_=JSONB)
    at = bindparam("now", type_=DateTime(timezone=True))
    expires = bindparam("expires_at", type_=DateTime(timezone=True))
    daily_due = bindparam("daily_due", type_=DateTime(timezone=True))
    weekly_due = bindparam("weekly_due", type_=DateTime(timezone=True))
    chosen = func.coalesce(
        preferences.c.frequency, case(dict(email_defaults), value=n.c.kind, else_=literal("immediately"))
    )
    email = (
        select(n.c.id, n.c.recipient_id, n.c.kind, chosen.label("frequency"))
        .select_from(
            n.outerjoin(
                preferences,
                and_(
                    preferences.c.recipient_id == n.c.recipient_id,
                    preferences.c.kind == n.c.kind,
                    preferences.c.channel == "email",
                ),
            )
        )
        .where(
            n.c.event_id == event_id,
            ~n.c.recipient_id.startswith("org:"),
            has_address(n.c.recipient_id),
        )
        .cte("email")
    )
    e = webhook_endpoints
    webhook = (
        select(n.c.id, n.c.kind, e.c.id.label("endpoint_id"), e.c.frequency)
        .select_from(n.join(e, n.c.recipient_id == literal("org:") + e.c.organisation))
        .where(
            n.c.event_id == event_id,
            e.c.active,
            or_(func.cardinality(e.c.kinds) == 0, n.c.kind == any_(e.c.kinds)),
        )
        .cte("webhook")
    )
    due = case(
        (email.c.frequency == "daily", daily_due),
        else_=weekly_due,
    )
    delivery_columns = [
        "id",
        "channel",
        "target",
        "endpoint_id",
        "notification_id",
        "kind",
        "frequency",
        "status",
        "next_attempt_at",
        "expires_at",
        "created_at",
        "trace_context",
    ]
    email_now = (
        insert(deliveries)
        .from_select(
            delivery_columns,
            select(
                func.gen_random_uuid(),
                literal("email"),
                email.c.recipient_id,
                literal(None, PG_UUID(as_uuid=True)),
                email.c.id,
                email.c.kind,
                literal("immediately"),
                literal("queued"),
                at,
                expires,
                at,
                carrier,
            ).where(email.c.frequency == "immediately"),
        )
        .on_conflict_do_nothing()
    )
    email_digest = (
        insert(digest_items)
        .from_select(
            ["notification_id", "channel", "target", "frequency", "due_at", "trace_context"],
            select(email.c.id, literal("email"), email.c.recipient_id, email.c.frequency, due, carrier).where(
                email.c.frequency.in_(["daily", "weekly"])
            ),
        )
        .on_conflict_do_nothing()
    )
    webhook_now = (
        insert(deliveries)
        .from_select(
            delivery_columns,
            select(
                func.gen_random_uuid(),
                literal("webhook"),
                cast(webhook.c.endpoint_id, String),
                webhook.c.endpoint_id,
                webhook.c.id,
                webhook.c.kind,
                literal("immediately"),
                literal("queued"),
                at,
                expires,
                at,
                carrier,
            ).where(webhook.c.frequency == "immediately"),
        )
        .on_conflict_do_nothing()
    )
    webhook_due = case(
        (webhook.c.frequency == "daily", daily_due),
        else_=weekly_due,
    )
    webhook_digest = (
        insert(digest_items)
        .from_select(
            ["notification_id", "channel", "target", "endpoint_id", "frequency", "due_at", "trace_context"],
            select(
                webhook.c.id,
                literal("webhook"),
                cast(webhook.c.endpoint_id, String),
                webhook.c.endpoint_id,
                webhook.c.frequency,
                webhook_due,
                carrier,
            ).where(webhook.c.frequency.in_(["daily", "weekly"])),
        )
        .on_conflict_do_nothing()
    )
    return (email_now, email_digest, webhook_now, webhook_digest)
