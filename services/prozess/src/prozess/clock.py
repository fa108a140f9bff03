"""Time as the programme counts it: due dates are German calendar days."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

GERMANY = ZoneInfo("Europe/Berlin")


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """The calendar day in Germany; a stage due today is not overdue before midnight there."""
    return datetime.now(GERMANY).date()
