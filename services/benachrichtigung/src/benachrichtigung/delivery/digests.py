"""The digest run: what waited for a daily or weekly digest becomes one message per recipient."""

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from benachrichtigung.config import Settings
from benachrichtigung.delivery.repository import DeliveryRepository
from zwk_common.db import transaction


async def collect_digests(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, now: datetime | None = None
) -> int:
    """Turn every digest entry due at `now` into queued digest messages; returns how many messages."""
    at = now or datetime.now(UTC)
    async with transaction(sessions) as session:
        return await DeliveryRepository(session).collect_digests(at, at + timedelta(hours=settings.retry_window_hours))
