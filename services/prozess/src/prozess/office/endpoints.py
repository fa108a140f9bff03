"""Thin HTTP routes of the office's views."""

from uuid import UUID

from fastapi import APIRouter

from prozess.office import service
from prozess.office.schemas import ProgrammeOverview
from prozess.stages import Stage
from prozess.vocabulary import Programme
from zwk_common.auth import CallerDep
from zwk_common.db import SessionDep
from zwk_common.pagination import Page, PageDep

router = APIRouter(tags=["office"])


@router.get("/overview", response_model=ProgrammeOverview)
async def get_overview(
    session: SessionDep, caller: CallerDep, programme: Programme = Programme.ZWK
) -> ProgrammeOverview:
    """Office and readers: per stage in progress and completed, the overdue municipalities, the total."""
    return await service.overview(session, caller, programme)


@router.get("/processes/municipality-ids", response_model=Page[UUID])
async def get_municipality_ids(
    session: SessionDep,
    caller: CallerDep,
    page: PageDep,
    programme: Programme | None = None,
    stage: Stage | None = None,
    overdue: bool | None = None,
) -> Page[UUID]:
    """For the gateway's municipality filter: ids whose current stage is `stage`, or which are overdue."""
    return await service.municipality_ids(session, caller, page, programme=programme, stage=stage, overdue=overdue)
