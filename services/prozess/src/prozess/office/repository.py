"""All SQL of the office's views; each query is answered from an index at 11,000 municipalities."""

from datetime import date
from uuid import UUID

from sqlalchemy import RowMapping, Select, func, select

from prozess.models import processes, stages
from prozess.repository import Repository


class OfficeRepository(Repository):
    async def count_processes(self, programme: str) -> int:
        result = await self.session.execute(
            select(func.count()).select_from(processes).where(processes.c.programme == programme, processes.c.active)
        )
        return int(result.scalar_one())

    async def stage_counts(self, programme: str) -> list[RowMapping]:
        result = await self.session.execute(
            select(
                stages.c.stage,
                func.count().filter(stages.c.status == "IN_PROGRESS").label("in_progress"),
                func.count().filter(stages.c.status == "COMPLETED").label("completed"),
            )
            .join(processes, processes.c.id == stages.c.process_id)
            .where(processes.c.programme == programme, processes.c.active, stages.c.status != "NOT_STARTED")
            .group_by(stages.c.stage)
        )
        return list(result.mappings())

    async def overdue_municipality_ids(self, programme: str, today: date) -> list[UUID]:
        result = await self.session.execute(
            select(processes.c.municipality_id)
            .where(processes.c.programme == programme, processes.c.active, processes.c.open_due_date < today)
            .order_by(processes.c.municipality_id)
        )
        return list(result.scalars())

    async def municipality_ids(
        self,
        *,
        programme: str | None,
        stage: str | None,
        overdue: bool | None,
        today: date,
        scope: frozenset[UUID] | None,
        after: UUID | None,
        limit: int,
    ) -> tuple[list[UUID], int]:
        """The municipalities with a process matching every given criterion, by id."""
        query = self._matching(programme=programme, stage=stage, overdue=overdue, today=today, scope=scope)
        total = (await self.session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
        if after is not None:
            query = query.where(processes.c.municipality_id > after)
        page = await self.session.execute(query.order_by(processes.c.municipality_id).limit(limit))
        return list(page.scalars()), int(total)

    def _matching(
        self,
        *,
        programme: str | None,
        stage: str | None,
        overdue: bool | None,
        today: date,
        scope: frozenset[UUID] | None,
    ) -> Select:  # type: ignore[type-arg]
        query = select(processes.c.municipality_id).where(processes.c.active)
        # Without a programme, one municipality may match in several.
        query = query.where(processes.c.programme == programme) if programme is not None else query.distinct()
        if stage is not None:
            query = query.where(processes.c.current_stage == stage)
        if overdue is True:
            query = query.where(processes.c.open_due_date < today)
        elif overdue is False:
            query = query.where((processes.c.open_due_date.is_(None)) | (processes.c.open_due_date >= today))
        if scope is not None:
            query = query.where(processes.c.municipality_id.in_(list(scope)))
        return query
