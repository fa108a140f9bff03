"""The periodic check for stages past their due date."""

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from prozess import clock
from prozess.config import Settings
from prozess.process.service import report_overdue_stages
from zwk_common.db import transaction
from zwk_common.service import Job, Runtime

# Short transactions: at 11,000 municipalities a first run may find thousands of late stages.
BATCH = 500


async def check_overdue_stages(sessions: async_sessionmaker[AsyncSession], today: date, batch: int = BATCH) -> None:
    while True:
        async with transaction(sessions) as session:
            looked_at = await report_overdue_stages(session, today, batch)
        if looked_at < batch:
            return


def overdue_job(settings: Settings) -> Job:
    async def run(runtime: Runtime) -> None:
        if runtime.sessions is not None:
            await check_overdue_stages(runtime.sessions, clock.today())

    return Job(name="overdue-stages", interval=settings.overdue_check_interval, run=run)
