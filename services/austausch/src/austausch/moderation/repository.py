"""All SQL of reports and of hiding content."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, Select, Table, func, literal, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from austausch.models import answers, comments, practices, questions, reports
from austausch.vocabulary import ContentKind, ReportStatus
from zwk_common.sql import insert

TABLES: dict[ContentKind, Table] = {
    ContentKind.PRACTICE: practices,
    ContentKind.QUESTION: questions,
    ContentKind.ANSWER: answers,
    ContentKind.COMMENT: comments,
}


def _target(kind: ContentKind) -> Select[Any]:
    table = TABLES[kind]
    # An answer or comment has no title; it is known by its beginning.
    title = table.c.title if "title" in table.c else func.left(table.c.body, 120)
    return select(
        table.c.id,
        table.c.municipality_id,
        table.c.author_subject,
        table.c.hidden_at,
        table.c.hidden_reason,
        title.label("title"),
        (table.c.status if "status" in table.c else literal(None)).label("status"),
    )


class ModerationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def target(self, kind: ContentKind, target_id: UUID, *, for_update: bool = False) -> RowMapping | None:
        """The moderated fields of a practice, question, answer or comment."""
        query = _target(kind).where(TABLES[kind].c.id == target_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).mappings().first()

    async def targets(self, kind: ContentKind, target_ids: Sequence[UUID]) -> dict[UUID, RowMapping]:
        result = await self.session.execute(_target(kind).where(TABLES[kind].c.id.in_(list(target_ids))))
        return {row["id"]: row for row in result.mappings()}

    async def hide(self, kind: ContentKind, target_id: UUID, reason: str, by: str) -> None:
        table = TABLES[kind]
        await self.session.execute(
            update(table)
            .where(table.c.id == target_id)
            .values(hidden_at=func.now(), hidden_reason=reason, hidden_by=by)
        )

    async def restore(self, kind: ContentKind, target_id: UUID) -> None:
        table = TABLES[kind]
        await self.session.execute(
            update(table).where(table.c.id == target_id).values(hidden_at=None, hidden_reason=None, hidden_by=None)
        )

    async def add_report(self, values: dict[str, Any]) -> bool:
        """File a report; False if the same person's report on the same thing is still open."""
        result = await self.session.execute(
            insert(reports)
            .values(**values)
            .on_conflict_do_nothing(
                index_elements=[reports.c.reporter_subject, reports.c.target_kind, reports.c.target_id],
                index_where=reports.c.status == ReportStatus.OPEN.value,
            )
            .returning(reports.c.id)
        )
        return result.first() is not None

    async def report(self, report_id: UUID) -> RowMapping | None:
        return (await self.session.execute(select(reports).where(reports.c.id == report_id))).mappings().first()

    async def reports_by_id(self, report_ids: Sequence[UUID]) -> list[RowMapping]:
        result = await self.session.execute(
            select(reports).where(reports.c.id.in_(list(report_ids))).order_by(reports.c.id).with_for_update()
        )
        return list(result.mappings())

    async def queue(
        self, status: ReportStatus, kind: ContentKind | None, after: tuple[datetime, UUID] | None, limit: int
    ) -> tuple[list[RowMapping], int]:
        conditions = [reports.c.status == status.value]
        if kind is not None:
            conditions.append(reports.c.target_kind == kind.value)
        total = (await self.session.execute(select(func.count()).where(*conditions))).scalar_one()
        query = select(reports).where(*conditions)
        if after is not None:
            query = query.where(tuple_(reports.c.created_at, reports.c.id) > tuple_(*map(literal, after)))
        query = query.order_by(reports.c.created_at, reports.c.id).limit(limit)
        return list((await self.session.execute(query)).mappings()), int(total)

    async def open_counts(self, targets: Sequence[tuple[str, UUID]]) -> dict[tuple[str, UUID], int]:
        if not targets:
            return {}
        result = await self.session.execute(
            select(reports.c.target_kind, reports.c.target_id, func.count())
            .where(
                tuple_(reports.c.target_kind, reports.c.target_id).in_(list(targets)),
                reports.c.status == ReportStatus.OPEN.value,
            )
            .group_by(reports.c.target_kind, reports.c.target_id)
        )
        return {(kind, target): n for kind, target, n in result}

    async def resolve(
        self,
        *,
        report_ids: Sequence[UUID] = (),
        target: tuple[ContentKind, UUID] | None = None,
        status: ReportStatus,
        by: str,
        note: str | None,
    ) -> int:
        """Close open reports, named or all about one target; returns how many."""
        query = update(reports).where(reports.c.status == ReportStatus.OPEN.value)
        if target is not None:
            query = query.where(reports.c.target_kind == target[0].value, reports.c.target_id == target[1])
        else:
            query = query.where(reports.c.id.in_(list(report_ids)))
        result = await self.session.execute(
            query.values(status=status.value, resolved_at=func.now(), resolved_by=by, resolution_note=note)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
