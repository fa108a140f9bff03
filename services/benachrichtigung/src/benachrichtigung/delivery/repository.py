"""All SQL of delivery: the queue, its log, digests, and webhook endpoints."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import DateTime, RowMapping, delete, func, literal, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncSession

from benachrichtigung.models import deliveries, delivery_attempts, notifications, webhook_endpoints

CLAIM = text(
    """
    WITH due AS (
        SELECT id FROM benachrichtigung.deliveries
        WHERE status = 'queued' AND next_attempt_at <= CAST(:now AS timestamptz)
        ORDER BY next_attempt_at
        LIMIT :limit
        FOR UPDATE SKIP LOCKED
    )
    UPDATE benachrichtigung.deliveries AS d
    SET next_attempt_at = CAST(:lease_until AS timestamptz)
    FROM due
    WHERE d.id = due.id
    RETURNING d.id
    """
)

# Due digest entries become one delivery per recipient (or endpoint) and frequency, with one
# line per item: five comments on one practice are one line "5 neue Kommentare zu …".
# A digest continues the trace of its earliest entry rather than starting one of its own with
# links to all of them: a weekly digest may gather hundreds of events, and the question an
# operator asks ("did the first thing that happened ever reach this person, and when?") is
# answered by following one trace to its e-mail; the later entries' traces end at the consume
# span that queued them, and the digest's content names every item it carried.
COLLECT_DIGESTS = text(
    """
    WITH due AS (
        DELETE FROM benachrichtigung.digest_items WHERE due_at <= CAST(:now AS timestamptz)
        RETURNING notification_id, channel, target, endpoint_id, frequency, trace_context
    ), grouped AS (
        SELECT due.channel, due.target, due.endpoint_id, due.frequency,
               n.kind, n.item_kind, n.item_id,
               max(n.item_title) AS item_title, max(n.link) AS link,
               count(*) AS count, max(n.created_at) AS latest,
               (array_agg(due.trace_context ORDER BY n.created_at, n.id)
                   FILTER (WHERE due.trace_context IS NOT NULL))[1] AS first_trace,
               min(n.created_at) AS earliest
        FROM due JOIN benachrichtigung.notifications AS n ON n.id = due.notification_id
        GROUP BY due.channel, due.target, due.endpoint_id, due.frequency, n.kind, n.item_kind, n.item_id
    )
    INSERT INTO benachrichtigung.deliveries
        (id, channel, target, endpoint_id, notification_id, kind, frequency, content,
         status, attempts, next_attempt_at, expires_at, created_at, trace_context)
    SELECT gen_random_uuid(), channel, target, endpoint_id, NULL, 'digest', frequency,
           jsonb_build_object(
               'count', sum(count),
               'lines', jsonb_agg(jsonb_build_object(
                   'kind', kind, 'item_kind', item_kind, 'item_id', item_id,
                   'item_title', item_title, 'link', link, 'count', count
               ) ORDER BY latest DESC, item_id)
           ),
           'queued', 0, CAST(:now AS timestamptz), CAST(:expires_at AS timestamptz), CAST(:now AS timestamptz),
           (array_agg(first_trace ORDER BY earliest) FILTER (WHERE first_trace IS NOT NULL))[1]
    FROM grouped
    GROUP BY channel, target, endpoint_id, frequency
    """
)


class DeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- the queue ---

    async def claim_due(self, now: datetime, limit: int, lease_until: datetime) -> list[RowMapping]:
        """Take up to `limit` due deliveries for this worker until `lease_until`, with what sending needs."""
        claimed = await self.session.execute(CLAIM, {"now": now, "limit": limit, "lease_until": lease_until})
        ids = [row[0] for row in claimed]
        if not ids:
            return []
        d, n, e = deliveries, notifications, webhook_endpoints
        result = await self.session.execute(
            select(
                d,
                n.c.recipient_id,
                n.c.event_type,
                n.c.title,
                n.c.body,
                n.c.link,
                n.c.item_kind,
                n.c.item_id,
                n.c.item_title,
                n.c.municipality_id,
                n.c.created_at.label("notified_at"),
                e.c.url,
                e.c.secret,
                e.c.active.label("endpoint_active"),
            )
            .select_from(d.outerjoin(n, n.c.id == d.c.notification_id).outerjoin(e, e.c.id == d.c.endpoint_id))
            .where(d.c.id.in_(ids))
        )
        return list(result.mappings())

    async def lock(self, delivery_id: UUID) -> RowMapping | None:
        result = await self.session.execute(select(deliveries).where(deliveries.c.id == delivery_id).with_for_update())
        return result.mappings().first()

    async def log_attempt(self, values: dict[str, Any]) -> None:
        await self.session.execute(delivery_attempts.insert().values(**values))

    async def update(self, delivery_id: UUID, values: dict[str, Any]) -> None:
        await self.session.execute(update(deliveries).where(deliveries.c.id == delivery_id).values(**values))

    async def collect_digests(self, now: datetime, expires_at: datetime) -> int:
        result = await self.session.execute(COLLECT_DIGESTS, {"now": now, "expires_at": expires_at})
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # --- the log ---

    async def deliveries_page(
        self,
        *,
        after: tuple[datetime, UUID] | None,
        limit: int,
        endpoint_id: UUID | None = None,
        channel: str | None = None,
        status: str | None = None,
    ) -> tuple[list[RowMapping], int]:
        d = deliveries
        conditions = []
        if endpoint_id is not None:
            conditions.append(d.c.endpoint_id == endpoint_id)
        if channel is not None:
            conditions.append(d.c.channel == channel)
        if status is not None:
            conditions.append(d.c.status == status)
        query = select(d).where(*conditions).order_by(d.c.created_at.desc(), d.c.id.desc()).limit(limit)
        if after is not None:
            query = query.where(
                tuple_(d.c.created_at, d.c.id)
                < tuple_(literal(after[0], DateTime(timezone=True)), literal(after[1], PG_UUID(as_uuid=True)))
            )
        rows = list((await self.session.execute(query)).mappings())
        total = (await self.session.execute(select(func.count()).select_from(d).where(*conditions))).scalar_one()
        return rows, int(total)

    async def get_delivery(self, delivery_id: UUID) -> RowMapping | None:
        result = await self.session.execute(
            select(deliveries, webhook_endpoints.c.organisation)
            .select_from(deliveries.outerjoin(webhook_endpoints, webhook_endpoints.c.id == deliveries.c.endpoint_id))
            .where(deliveries.c.id == delivery_id)
        )
        return result.mappings().first()

    async def attempts_of(self, delivery_ids: Sequence[UUID]) -> list[RowMapping]:
        a = delivery_attempts
        result = await self.session.execute(
            select(a).where(a.c.delivery_id.in_(list(delivery_ids))).order_by(a.c.delivery_id, a.c.attempt, a.c.id)
        )
        return list(result.mappings())

    # --- webhook endpoints ---

    async def add_endpoint(self, values: dict[str, Any]) -> RowMapping:
        result = await self.session.execute(webhook_endpoints.insert().values(**values).returning(webhook_endpoints))
        return result.mappings().one()

    async def get_endpoint(self, endpoint_id: UUID) -> RowMapping | None:
        result = await self.session.execute(select(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id))
        return result.mappings().first()

    async def endpoints_of(self, organisation: str) -> list[RowMapping]:
        e = webhook_endpoints
        result = await self.session.execute(
            select(e).where(e.c.organisation == organisation).order_by(e.c.created_at, e.c.id)
        )
        return list(result.mappings())

    async def change_endpoint(self, endpoint_id: UUID, values: dict[str, Any]) -> RowMapping:
        e = webhook_endpoints
        result = await self.session.execute(
            update(e).where(e.c.id == endpoint_id).values(**values, updated_at=func.now()).returning(e)
        )
        return result.mappings().one()

    async def delete_endpoint(self, endpoint_id: UUID) -> None:
        await self.session.execute(delete(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id))
