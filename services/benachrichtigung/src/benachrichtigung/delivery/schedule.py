"""When things happen: the next digest, the next retry."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from benachrichtigung.config import Settings
from benachrichtigung.rules import Frequency


def next_digest(now: datetime, frequency: Frequency, settings: Settings) -> datetime:
    """The first digest time after `now`: daily at the digest hour, weekly on Monday at that hour (local time)."""
    zone = ZoneInfo(settings.timezone)
    local = now.astimezone(zone)
    at = datetime.combine(local.date(), time(settings.digest_hour), tzinfo=zone)
    if frequency is Frequency.WEEKLY:
        at += timedelta(days=(7 - local.weekday()) % 7)
    while at <= local:
        at += timedelta(days=7 if frequency is Frequency.WEEKLY else 1)
    return at.astimezone(UTC)


def retry_delay(attempts: int, settings: Settings) -> timedelta:
    """Exponential backoff after the `attempts`-th failed try, capped."""
    seconds = settings.retry_base_seconds * 2 ** min(max(attempts - 1, 0), 40)
    return timedelta(seconds=min(seconds, settings.retry_max_delay_seconds))
