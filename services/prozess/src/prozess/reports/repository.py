"""All SQL of the generated documents: aggregates over one process."""

from uuid import UUID

from sqlalchemy import RowMapping, func, select

from prozess.models import indicators, measures, participation_events
from prozess.repository import Repository


class ReportRepository(Repository):
    async def measures_by_topic_and_status(self, process_id: UUID) -> list[RowMapping]:
        result = await self.session.execute(
            select(measures.c.topic, measures.c.status, func.count().label("count"))
            .where(measures.c.process_id == process_id)
            .group_by(measures.c.topic, measures.c.status)
            .order_by(measures.c.topic, measures.c.status)
        )
        return list(result.mappings())

    async def budget_by_funding_source(self, process_id: UUID) -> list[RowMapping]:
        result = await self.session.execute(
            select(
                measures.c.funding_source,
                func.coalesce(func.sum(measures.c.budget_eur).filter(measures.c.status != "DROPPED"), 0).label(
                    "planned_eur"
                ),
                func.coalesce(func.sum(measures.c.budget_used_eur), 0).label("used_eur"),
            )
            .where(measures.c.process_id == process_id)
            .group_by(measures.c.funding_source)
            .order_by(measures.c.funding_source.nulls_last())
        )
        return list(result.mappings())

    async def participation_totals(self, process_id: UUID) -> RowMapping:
        groups = (
            select(func.unnest(participation_events.c.groups_reached).label("group_key"))
            .where(participation_events.c.process_id == process_id)
            .subquery()
        )
        result = await self.session.execute(
            select(
                select(func.count())
                .where(participation_events.c.process_id == process_id)
                .scalar_subquery()
                .label("events"),
                select(func.coalesce(func.sum(participation_events.c.participant_count), 0))
                .where(participation_events.c.process_id == process_id)
                .scalar_subquery()
                .label("participants"),
                select(func.array_agg(groups.c.group_key.distinct())).scalar_subquery().label("groups"),
            )
        )
        return result.mappings().one()

    async def indicators_of(self, process_id: UUID) -> list[RowMapping]:
        result = await self.session.execute(
            select(indicators).where(indicators.c.process_id == process_id).order_by(indicators.c.key)
        )
        return list(result.mappings())
