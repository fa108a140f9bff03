"""All SQL of notifications: set-based fan-out to recipients and channels, the inbox, preferences."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ARRAY,
    DateTime,
    RowMapping,
    Select,
    String,
    all_,
    and_,
    any_,
    bindparam,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
    union,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from benachrichtigung.models import (
    advisers,
    contacts,
    deliveries,
    digest_items,
    inbox,
    notifications,
    office_users,
    preferences,
    subscriptions,
    webhook_endpoints,
)
from benachrichtigung.recipients.repository import has_address
from benachrichtigung.texts import Message
from zwk_common.inbox import InboxClaim
from zwk_common.json_sql import constant
from zwk_common.sql import DriverStatement, insert

OFFICE = "office"
# The frequencies of digests, in the statement's text: an IN of plain values would be a parameter
# SQLAlchemy renders into the statement anew on every execution.
DIGESTS = [constant("daily"), constant("weekly")]


@dataclass(frozen=True)
class FanOut:
    """What a fan-out did: how many were newly told, and whether it claimed its event (or had no claim)."""

    told: int
    claimed: bool


@dataclass(frozen=True)
class AudiencePart:
    """One kind of recipient a rule names; which municipality, person or followed ids is a parameter.

    kind: `office` (its user list and webhook endpoints), `team` (a municipality's contacts,
    advisers and webhook endpoints), `person` (one subject) or `followers` (of `target_kind`).
    """

    kind: str
    target_kind: str | None = None


OFFICE_PART, TEAM_PART, PERSON_PART = AudiencePart("office"), AudiencePart("team"), AudiencePart("person")


FOLLOWERS = "followers"


def followers_part(target_kind: str) -> AudiencePart:
    return AudiencePart(FOLLOWERS, target_kind)


def _organisation(organisation: ColumnElement[str]) -> Select[Any]:
    """The organisation as one recipient, if it has an active webhook endpoint to tell."""
    return (
        select((literal("org:") + webhook_endpoints.c.organisation).label("recipient_id"))
        .where(webhook_endpoints.c.organisation == organisation, webhook_endpoints.c.active)
        .limit(1)
    )


def _recipients(part: AudiencePart, name: str) -> list[Select[Any]]:
    if part == OFFICE_PART:
        return [select(office_users.c.subject.label("recipient_id")), _organisation(literal(OFFICE))]
    if part == TEAM_PART:
        organisation = bindparam(name, type_=String)
        municipality_id = cast(organisation, PG_UUID(as_uuid=True))
        return [
            # A contact with neither an account nor an address cannot be told anything.
            select(contacts.c.recipient_id).where(
                contacts.c.municipality_id == municipality_id,
                or_(contacts.c.subject.is_not(None), contacts.c.email.is_not(None)),
            ),
            select(advisers.c.subject.label("recipient_id")).where(advisers.c.municipality_id == municipality_id),
            _organisation(organisation),
        ]
    if part == PERSON_PART:
        return [select(bindparam(name, type_=String).label("recipient_id"))]
    if part.kind == FOLLOWERS:
        return [
            select(subscriptions.c.subject.label("recipient_id")).where(
                subscriptions.c.target_kind == part.target_kind,
                subscriptions.c.target_id == any_(bindparam(name, type_=ARRAY(String))),
            )
        ]
    raise ValueError(f"no audience of kind {part.kind!r}")


class NotificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def fan_out(
        self,
        audience: Sequence[tuple[AudiencePart, Any]],
        message: Message,
        *,
        event_id: str,
        event_type: str,
        excluded: Sequence[str],
        email_defaults: Mapping[str, str],
        now: datetime,
        expires_at: datetime,
        daily_due: datetime,
        weekly_due: datetime,
        trace_context: Mapping[str, str] | None = None,
        claim: InboxClaim | None = None,
    ) -> FanOut:
        """Tell everyone in `audience` (but `excluded`) once, and queue their e-mails and webhooks, now
        or for a digest: one statement, which with `claim` also claims the event in the inbox and
        tells nobody if it was claimed before."""
        statement = _fan_out(
            tuple(part for part, _ in audience), tuple(sorted(email_defaults.items())), claiming=claim is not None
        )
        values: dict[str, Any] = {f"audience_{i}": value for i, (_, value) in enumerate(audience)}
        if claim is not None:
            values.update(claim.values)
        values.update(
            event_id=event_id,
            event_type=event_type,
            kind=message.kind,
            title=message.title,
            body=message.body,
            link=message.link,
            item_kind=message.item_kind,
            item_id=message.item_id,
            item_title=message.item_title,
            municipality_id=UUID(message.municipality_id) if message.municipality_id else None,
            excluded=list(excluded),
            now=now,
            expires_at=expires_at,
            daily_due=daily_due,
            weekly_due=weekly_due,
            carrier=dict(trace_context) if trace_context else None,
        )
        [(told, claimed)] = await statement.fetch(self.session, values)
        return FanOut(told=int(told), claimed=bool(claimed))

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


@lru_cache(maxsize=64)
def _fan_out(
    audience: tuple[AudiencePart, ...], email_defaults: tuple[tuple[str, str], ...], *, claiming: bool
) -> DriverStatement:
    """The statement that tells an audience of this shape and queues their e-mails and webhooks.

    Made once per shape (building and keying it costs more than running it), and run on the
    driver's connection: every event a rule names runs it (`DriverStatement`). The notifications
    go in first; e-mails and webhooks are queued for the rows that insert returns, in the same
    statement, since a statement does not see its own inserts in the table. If `claiming`, the
    statement claims its event in the inbox too, and the notifications (and so everything queued
    for them) go in only if that claim is new.
    """
    n = notifications
    everyone = union(
        *(select_ for i, part in enumerate(audience) for select_ in _recipients(part, f"audience_{i}"))
    ).subquery("audience")
    event_id = bindparam("event_id", type_=String)
    carrier = bindparam("carrier", type_=JSONB)
    at = bindparam("now", type_=DateTime(timezone=True))
    expires = bindparam("expires_at", type_=DateTime(timezone=True))
    daily_due = bindparam("daily_due", type_=DateTime(timezone=True))
    weekly_due = bindparam("weekly_due", type_=DateTime(timezone=True))
    rows = select(
        func.gen_random_uuid(),
        everyone.c.recipient_id,
        event_id,
        bindparam("event_type", type_=String),
        bindparam("kind", type_=String),
        bindparam("title", type_=String),
        bindparam("body", type_=String),
        bindparam("link", type_=String),
        bindparam("item_kind", type_=String),
        bindparam("item_id", type_=String),
        bindparam("item_title", type_=String),
        bindparam("municipality_id", type_=PG_UUID(as_uuid=True)),
        at,
    ).where(
        everyone.c.recipient_id.is_not(None),
        everyone.c.recipient_id != all_(bindparam("excluded", type_=ARRAY(String))),
    )
    if claiming:
        rows = rows.where(inbox.claim_is_new)
    told = (
        insert(n)
        .from_select(
            [
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
            ],
            rows,
        )
        .on_conflict_do_nothing(index_elements=[n.c.recipient_id, n.c.event_id])
        .returning(n.c.id, n.c.recipient_id, n.c.kind)
        .cte("told")
    )
    chosen = func.coalesce(
        preferences.c.frequency, case(dict(email_defaults), value=told.c.kind, else_=literal("immediately"))
    )
    email = (
        select(told.c.id, told.c.recipient_id, told.c.kind, chosen.label("frequency"))
        .select_from(
            told.outerjoin(
                preferences,
                and_(
                    preferences.c.recipient_id == told.c.recipient_id,
                    preferences.c.kind == told.c.kind,
                    preferences.c.channel == "email",
                ),
            )
        )
        .where(~told.c.recipient_id.startswith("org:"), has_address(told.c.recipient_id))
        .cte("email")
    )
    e = webhook_endpoints
    webhook = (
        select(told.c.id, told.c.kind, e.c.id.label("endpoint_id"), e.c.frequency)
        .select_from(told.join(e, told.c.recipient_id == literal("org:") + e.c.organisation))
        .where(e.c.active, or_(func.cardinality(e.c.kinds) == 0, told.c.kind == any_(e.c.kinds)))
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
                email.c.frequency.in_(DIGESTS)
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
            ).where(webhook.c.frequency.in_(DIGESTS)),
        )
        .on_conflict_do_nothing()
    )
    queued = [
        q.cte(name)
        for q, name in (
            (email_now, "email_now"),
            (email_digest, "email_digest"),
            (webhook_now, "webhook_now"),
            (webhook_digest, "webhook_digest"),
        )
    ]
    # PostgreSQL runs every insert of the WITH clause, whether or not the answer reads it.
    how_many = select(func.count()).select_from(told).scalar_subquery()
    claimed = inbox.claim_is_new if claiming else true()
    return DriverStatement(select(how_many, claimed).add_cte(*queued))
