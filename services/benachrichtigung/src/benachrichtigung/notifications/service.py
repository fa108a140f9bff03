"""The rules of notifications: fan-out of an event to its recipients, the inbox, preferences."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from benachrichtigung.config import Settings
from benachrichtigung.delivery.schedule import next_digest
from benachrichtigung.notifications.repository import (
    OFFICE_PART,
    PERSON_PART,
    TEAM_PART,
    AudiencePart,
    NotificationRepository,
    followers_part,
)
from benachrichtigung.notifications.schemas import (
    Item,
    MarkedRead,
    Notification,
    Preference,
    PreferenceUpdate,
    UnreadCount,
)
from benachrichtigung.rules import (
    KINDS,
    Channel,
    Followers,
    Frequency,
    MunicipalityTeam,
    Office,
    Person,
    Rule,
    rules_for,
)
from benachrichtigung.texts import render
from zwk_common.auth import Caller
from zwk_common.errors import BadInput, NotFound
from zwk_common.events import EventPayload
from zwk_common.inbox import InboxClaim
from zwk_common.pagination import Page, PageParams, decode_cursor, encode_cursor
from zwk_common.telemetry import trace_carrier

EMAIL_DEFAULTS = {key: kind.email_default.value for key, kind in KINDS.items()}


def _audience(rule: Rule, event: EventPayload) -> list[tuple[AudiencePart, Any]]:
    """The parts of the rule's audience that this event names, each with what it names."""
    parts: list[tuple[AudiencePart, Any]] = []
    for audience in rule.audience:
        if isinstance(audience, Office):
            parts.append((OFFICE_PART, None))
        elif isinstance(audience, MunicipalityTeam):
            municipality_id = getattr(event, audience.field, None)
            if municipality_id is not None:
                parts.append((TEAM_PART, str(UUID(str(municipality_id)))))
        elif isinstance(audience, Person):
            subject = getattr(event, audience.field, None)
            if subject:
                parts.append((PERSON_PART, subject))
        elif isinstance(audience, Followers):
            value = getattr(event, audience.field, None)
            targets = [str(v) for v in value] if isinstance(value, list) else [str(value)] if value else []
            if targets:
                parts.append((followers_part(audience.target_kind), targets))
    return parts


async def notify_of(
    session: AsyncSession, event: EventPayload, *, event_id: str, settings: Settings, now: datetime | None = None
) -> int:
    """Tell everyone the rules name of one event, once each; queue their e-mails and webhooks."""
    now = now or datetime.now(UTC)
    repository = NotificationRepository(session)
    told = 0
    for rule in rules_for(event.event_type):
        audience = _audience(rule, event)
        if audience:
            told += (await repository.fan_out(audience, **_fan_out_of(rule, event, event_id, settings, now))).told
    return told


def told_in_one_statement(event_type: str) -> bool:
    """Whether `notify_once` handles events of this type: one rule names them, so one fan-out tells all."""
    return len(rules_for(event_type)) == 1


async def notify_once(
    session: AsyncSession,
    event: EventPayload,
    *,
    claim: InboxClaim,
    event_id: str,
    settings: Settings,
    now: datetime | None = None,
) -> bool:
    """`notify_of` for an event one rule names, in one statement that also claims the event in the
    inbox (`OneStatement`): False if it was claimed before, and then nobody is told again."""
    [rule] = rules_for(event.event_type)
    audience = _audience(rule, event)
    if not audience:
        return await claim.alone(session)
    now = now or datetime.now(UTC)
    fan_out = _fan_out_of(rule, event, event_id, settings, now)
    return (await NotificationRepository(session).fan_out(audience, **fan_out, claim=claim)).claimed


def _fan_out_of(rule: Rule, event: EventPayload, event_id: str, settings: Settings, now: datetime) -> dict[str, Any]:
    """What a fan-out of `rule` for `event` is told besides its audience."""
    return {
        "message": render(rule, event),
        "event_id": event_id,
        "event_type": event.event_type,
        "excluded": [str(v) for v in (getattr(event, f, None) for f in rule.actors) if v],
        "email_defaults": EMAIL_DEFAULTS,
        "now": now,
        "expires_at": now + timedelta(hours=settings.retry_window_hours),
        "daily_due": next_digest(now, Frequency.DAILY, settings),
        "weekly_due": next_digest(now, Frequency.WEEKLY, settings),
        # The consume span of this event: each send continues its trace.
        "trace_context": trace_carrier(),
    }


# --- the inbox: a person sees only their own ---


def _notification(row: RowMapping) -> Notification:
    return Notification(
        id=row["id"],
        kind=row["kind"],
        event_type=row["event_type"],
        title=row["title"],
        body=row["body"],
        link=row["link"],
        item=Item(kind=row["item_kind"], id=row["item_id"], title=row["item_title"]),
        municipality_id=row["municipality_id"],
        created_at=row["created_at"],
        read_at=row["read_at"],
        read=row["read_at"] is not None,
    )


async def inbox(session: AsyncSession, caller: Caller, page: PageParams, *, unread_only: bool) -> Page[Notification]:
    after: tuple[datetime, UUID] | None = None
    if page.after is not None:
        created_at, notification_id = decode_cursor(page.after, 2)
        try:
            after = (datetime.fromisoformat(created_at), UUID(notification_id))
        except (TypeError, ValueError) as exc:
            raise BadInput("The cursor `after` is not one this service gave out.") from exc
    repository = NotificationRepository(session)
    rows = await repository.inbox_page(caller.subject, after=after, limit=page.first + 1, unread_only=unread_only)
    items = [_notification(r) for r in rows[: page.first]]
    last = rows[page.first - 1] if len(rows) > page.first else None
    return Page[Notification](
        items=items,
        next_cursor=encode_cursor(last["created_at"].isoformat(), str(last["id"])) if last else None,
        total_count=await repository.count(caller.subject, unread_only=unread_only),
    )


async def unread_count(session: AsyncSession, caller: Caller) -> UnreadCount:
    return UnreadCount(unread=await NotificationRepository(session).count(caller.subject, unread_only=True))


async def mark_read(session: AsyncSession, caller: Caller, notification_id: UUID) -> Notification:
    caller.require_writer()
    row = await NotificationRepository(session).mark_read(caller.subject, notification_id, datetime.now(UTC))
    if row is None:
        # Someone else's notification is as unknown as one that does not exist.
        raise NotFound(f"No notification {notification_id} in your inbox.")
    return _notification(row)


async def mark_all_read(session: AsyncSession, caller: Caller) -> MarkedRead:
    caller.require_writer()
    return MarkedRead(marked=await NotificationRepository(session).mark_all_read(caller.subject, datetime.now(UTC)))


# --- preferences: per person and kind; the inbox always gets everything at once ---


async def preferences_of(session: AsyncSession, recipient_id: str) -> list[Preference]:
    chosen = {
        (r["kind"], r["channel"]): r["frequency"]
        for r in await NotificationRepository(session).preferences_of(recipient_id)
    }
    result = []
    for key, kind in KINDS.items():
        frequency = chosen.get((key, Channel.EMAIL.value))
        result.append(
            Preference(
                kind=key,
                label=kind.label,
                channel=Channel.EMAIL,
                frequency=Frequency(frequency) if frequency else kind.email_default,
                is_default=frequency is None,
            )
        )
    return result


async def set_preference(session: AsyncSession, caller: Caller, kind: str, data: PreferenceUpdate) -> Preference:
    caller.require_writer()
    if kind not in KINDS:
        raise NotFound(f"There is no kind of notification called {kind!r}.")
    if data.channel is not Channel.EMAIL:
        raise BadInput("A person chooses the e-mail frequency; webhooks are set per endpoint of an organisation.")
    await NotificationRepository(session).set_preference(caller.subject, kind, data.channel.value, data.frequency.value)
    return next(p for p in await preferences_of(session, caller.subject) if p.kind == kind)


async def unsubscribe(session: AsyncSession, recipient_id: str, kinds: list[str]) -> list[str]:
    """Stop e-mail of these kinds for a recipient (from the link in an e-mail); the labels stopped."""
    repository = NotificationRepository(session)
    stopped = []
    for kind in kinds:
        if kind in KINDS:
            await repository.set_preference(recipient_id, kind, Channel.EMAIL.value, Frequency.NEVER.value)
            stopped.append(KINDS[kind].label)
    return stopped
