"""The rules of webhook endpoints and the delivery log: an organisation sees only its own."""

import uuid
from collections import defaultdict
from datetime import datetime
from uuid import UUID

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from benachrichtigung.config import Settings
from benachrichtigung.delivery.repository import DeliveryRepository
from benachrichtigung.delivery.schemas import (
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    WebhookEndpoint,
    WebhookEndpointCreate,
    WebhookEndpointUpdate,
    WebhookEndpointWithSecret,
)
from benachrichtigung.delivery.webhooks import check_webhook_url, new_secret
from benachrichtigung.rules import Channel
from zwk_common.auth import Caller, Role
from zwk_common.errors import BadInput, Forbidden, NotFound
from zwk_common.pagination import Page, PageParams, decode_cursor, encode_cursor

OFFICE = "office"


def _canonical(organisation: str) -> str:
    # Events name municipalities by their canonical UUID text; a token may spell it otherwise.
    try:
        return str(UUID(organisation))
    except ValueError:
        return organisation


def organisation_of(caller: Caller) -> str:
    """The organisation a caller acts for: the office, or their municipality."""
    if caller.is_office:
        return OFFICE
    if caller.role is Role.MUNICIPALITY and caller.municipality_id:
        return _canonical(caller.municipality_id)
    raise Forbidden("Webhook endpoints belong to an organisation: the office or a municipality.")


async def _owned(
    repository: DeliveryRepository, caller: Caller, endpoint_id: UUID, *, office_reads: bool = False
) -> RowMapping:
    row = await repository.get_endpoint(endpoint_id)
    if row is None:
        raise NotFound(f"No webhook endpoint {endpoint_id}.")
    if caller.is_office and office_reads:
        return row
    if caller.role not in (Role.OFFICE, Role.MUNICIPALITY) or row["organisation"] != organisation_of(caller):
        # Another organisation's endpoint is as unknown as one that does not exist.
        raise NotFound(f"No webhook endpoint {endpoint_id}.")
    return row


async def register_endpoint(
    session: AsyncSession, caller: Caller, data: WebhookEndpointCreate, settings: Settings
) -> WebhookEndpointWithSecret:
    caller.require_writer()
    organisation = organisation_of(caller)
    url = await check_webhook_url(data.url, settings)
    row = await DeliveryRepository(session).add_endpoint(
        {
            "id": uuid.uuid4(),
            "organisation": organisation,
            "url": url,
            "description": data.description or None,
            "secret": new_secret(),
            "kinds": data.kinds,
            "frequency": data.frequency.value,
            "created_by": caller.subject,
        }
    )
    return WebhookEndpointWithSecret.model_validate(row)


async def endpoints(session: AsyncSession, caller: Caller, organisation: str | None) -> list[WebhookEndpoint]:
    own = organisation_of(caller)
    organisation = _canonical(organisation) if organisation is not None else None
    if organisation is not None and organisation != own and not caller.is_office:
        raise Forbidden("An organisation sees only its own webhook endpoints.")
    rows = await DeliveryRepository(session).endpoints_of(organisation or own)
    return [WebhookEndpoint.model_validate(r) for r in rows]


async def endpoint(session: AsyncSession, caller: Caller, endpoint_id: UUID) -> WebhookEndpoint:
    return WebhookEndpoint.model_validate(
        await _owned(DeliveryRepository(session), caller, endpoint_id, office_reads=True)
    )


async def change_endpoint(
    session: AsyncSession, caller: Caller, endpoint_id: UUID, data: WebhookEndpointUpdate, settings: Settings
) -> WebhookEndpoint:
    caller.require_writer()
    repository = DeliveryRepository(session)
    await _owned(repository, caller, endpoint_id)
    values = data.model_dump(exclude_unset=True)
    for key in ("url", "kinds", "frequency", "active"):
        if key in values and values[key] is None:
            raise BadInput(f"`{key}` cannot be null.")
    if "url" in values:
        values["url"] = await check_webhook_url(values["url"], settings)
    if "frequency" in values:
        values["frequency"] = values["frequency"].value
    if not values:
        return WebhookEndpoint.model_validate(await repository.get_endpoint(endpoint_id))
    return WebhookEndpoint.model_validate(await repository.change_endpoint(endpoint_id, values))


async def rotate_secret(session: AsyncSession, caller: Caller, endpoint_id: UUID) -> WebhookEndpointWithSecret:
    caller.require_writer()
    repository = DeliveryRepository(session)
    await _owned(repository, caller, endpoint_id)
    return WebhookEndpointWithSecret.model_validate(
        await repository.change_endpoint(endpoint_id, {"secret": new_secret()})
    )


async def remove_endpoint(session: AsyncSession, caller: Caller, endpoint_id: UUID) -> None:
    caller.require_writer()
    repository = DeliveryRepository(session)
    await _owned(repository, caller, endpoint_id)
    await repository.delete_endpoint(endpoint_id)


# --- the delivery log ---


def _after(page: PageParams) -> tuple[datetime, UUID] | None:
    if page.after is None:
        return None
    created_at, delivery_id = decode_cursor(page.after, 2)
    try:
        return datetime.fromisoformat(created_at), UUID(delivery_id)
    except (TypeError, ValueError) as exc:
        raise BadInput("The cursor `after` is not one this service gave out.") from exc


async def _with_attempts(repository: DeliveryRepository, rows: list[RowMapping]) -> list[Delivery]:
    attempts: dict[UUID, list[DeliveryAttempt]] = defaultdict(list)
    for attempt in await repository.attempts_of([r["id"] for r in rows]) if rows else []:
        attempts[attempt["delivery_id"]].append(DeliveryAttempt.model_validate(attempt))
    return [
        Delivery(
            id=r["id"],
            channel=Channel(r["channel"]),
            recipient_id=r["target"],
            endpoint_id=r["endpoint_id"],
            notification_id=r["notification_id"],
            kind=r["kind"],
            frequency=r["frequency"],
            status=DeliveryStatus(r["status"]),
            attempts=r["attempts"],
            next_attempt_at=r["next_attempt_at"] if r["status"] == "queued" else None,
            last_error=r["last_error"],
            last_status_code=r["last_status_code"],
            created_at=r["created_at"],
            finished_at=r["finished_at"],
            attempt_log=attempts[r["id"]],
        )
        for r in rows
    ]


async def _page(
    repository: DeliveryRepository,
    page: PageParams,
    *,
    endpoint_id: UUID | None = None,
    channel: Channel | None = None,
    status: DeliveryStatus | None = None,
) -> Page[Delivery]:
    rows, total = await repository.deliveries_page(
        after=_after(page),
        limit=page.first + 1,
        endpoint_id=endpoint_id,
        channel=channel.value if channel else None,
        status=status.value if status else None,
    )
    items = await _with_attempts(repository, rows[: page.first])
    last = items[-1] if len(rows) > page.first else None
    return Page[Delivery](
        items=items,
        next_cursor=encode_cursor(last.created_at.isoformat(), str(last.id)) if last else None,
        total_count=total,
    )


async def delivery_log(
    session: AsyncSession,
    caller: Caller,
    page: PageParams,
    *,
    channel: Channel | None,
    status: DeliveryStatus | None,
    endpoint_id: UUID | None,
) -> Page[Delivery]:
    """Every e-mail and webhook call with its attempts, newest first (the office only)."""
    caller.require_role(Role.OFFICE)
    return await _page(DeliveryRepository(session), page, endpoint_id=endpoint_id, channel=channel, status=status)


async def endpoint_log(
    session: AsyncSession, caller: Caller, endpoint_id: UUID, page: PageParams, status: DeliveryStatus | None
) -> Page[Delivery]:
    """The calls of one webhook endpoint: for its organisation, and for the office."""
    repository = DeliveryRepository(session)
    await _owned(repository, caller, endpoint_id, office_reads=True)
    return await _page(repository, page, endpoint_id=endpoint_id, status=status)


async def delivery(session: AsyncSession, caller: Caller, delivery_id: UUID) -> Delivery:
    repository = DeliveryRepository(session)
    row = await repository.get_delivery(delivery_id)
    visible = row is not None and (
        caller.is_office
        or (
            row["channel"] == Channel.WEBHOOK.value
            and caller.role is Role.MUNICIPALITY
            and row["organisation"] == organisation_of(caller)
        )
    )
    if row is None or not visible:
        raise NotFound(f"No delivery {delivery_id}.")
    return (await _with_attempts(repository, [row]))[0]
