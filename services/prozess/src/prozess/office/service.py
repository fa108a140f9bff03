"""The office's views: where every municipality of a programme stands, and who is late. Never commits."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from prozess import clock
from prozess.access import readable_scope
from prozess.office.repository import OfficeRepository
from prozess.office.schemas import ProgrammeOverview, StageCount
from prozess.stages import STAGES_IN_ORDER, Stage
from prozess.vocabulary import Programme
from zwk_common.auth import Caller, Role
from zwk_common.errors import BadInput
from zwk_common.pagination import Page, PageParams, decode_cursor, encode_cursor


async def overview(session: AsyncSession, caller: Caller, programme: Programme) -> ProgrammeOverview:
    """Per stage how many are in progress or completed, and which municipalities are overdue."""
    caller.require_role(Role.OFFICE, Role.READER)
    repository = OfficeRepository(session)
    counts = {row["stage"]: row for row in await repository.stage_counts(programme.value)}
    overdue = await repository.overdue_municipality_ids(programme.value, clock.today())
    return ProgrammeOverview(
        programme=programme.value,
        municipalities=await repository.count_processes(programme.value),
        stages=[
            StageCount(
                stage=stage,
                label=stage.label,
                in_progress=counts[stage.value]["in_progress"] if stage.value in counts else 0,
                completed=counts[stage.value]["completed"] if stage.value in counts else 0,
            )
            for stage in STAGES_IN_ORDER
        ],
        overdue_count=len(overdue),
        overdue_municipality_ids=overdue,
    )


async def municipality_ids(
    session: AsyncSession,
    caller: Caller,
    page: PageParams,
    *,
    programme: Programme | None,
    stage: Stage | None,
    overdue: bool | None,
) -> Page[UUID]:
    """The ids of municipalities whose current stage is `stage` and/or which are overdue; only those the caller sees."""
    after = None
    if page.after is not None:
        (value,) = decode_cursor(page.after, 1)
        try:
            after = UUID(str(value))
        except ValueError as exc:
            raise BadInput("The cursor `after` is not one this service gave out.") from exc
    ids, total = await OfficeRepository(session).municipality_ids(
        programme=programme.value if programme else None,
        stage=stage.value if stage else None,
        overdue=overdue,
        today=clock.today(),
        scope=readable_scope(caller),
        after=after,
        limit=page.first + 1,
    )
    return Page[UUID](
        items=ids[: page.first],
        next_cursor=encode_cursor(str(ids[page.first - 1])) if len(ids) > page.first else None,
        total_count=total,
    )
