"""Thin HTTP routes of the Werkstattplan."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from prozess.fields import KEY_PATTERN
from prozess.vocabulary import MeasureStatus, Programme
from prozess.werkstattplan import service
from prozess.werkstattplan.schemas import Measure, MeasureCreate, MeasureStatusChange, MeasureUpdate
from zwk_common.auth import CallerDep
from zwk_common.db import SessionDep
from zwk_common.pagination import Page, PageDep

router = APIRouter(prefix="/processes/{municipality_id}/{programme}/measures", tags=["werkstattplan"])


@router.get("", response_model=Page[Measure])
async def get_measures(
    municipality_id: UUID,
    programme: Programme,
    session: SessionDep,
    caller: CallerDep,
    page: PageDep,
    status: MeasureStatus | None = None,
    topic: Annotated[str | None, Query(pattern=KEY_PATTERN, max_length=64)] = None,
) -> Page[Measure]:
    """The measures of the Werkstattplan in the order they were recorded, by status or topic if asked."""
    return await service.measures_of(session, caller, municipality_id, programme, page, status=status, topic=topic)


@router.post("", response_model=Measure, status_code=status.HTTP_201_CREATED)
async def add_measure(
    municipality_id: UUID, programme: Programme, data: MeasureCreate, session: SessionDep, caller: CallerDep
) -> Measure:
    return await service.add_measure(session, caller, municipality_id, programme, data)


@router.get("/{measure_id}", response_model=Measure)
async def get_measure(
    municipality_id: UUID, programme: Programme, measure_id: UUID, session: SessionDep, caller: CallerDep
) -> Measure:
    return await service.get_measure(session, caller, municipality_id, programme, measure_id)


@router.patch("/{measure_id}", response_model=Measure)
async def change_measure(
    municipality_id: UUID,
    programme: Programme,
    measure_id: UUID,
    data: MeasureUpdate,
    session: SessionDep,
    caller: CallerDep,
) -> Measure:
    return await service.change_measure(session, caller, municipality_id, programme, measure_id, data)


@router.post("/{measure_id}/status", response_model=Measure)
async def change_measure_status(
    municipality_id: UUID,
    programme: Programme,
    measure_id: UUID,
    data: MeasureStatusChange,
    session: SessionDep,
    caller: CallerDep,
) -> Measure:
    """PLANNED, RUNNING, DONE or DROPPED; a dropped measure stays in the plan as a record."""
    return await service.change_measure_status(session, caller, municipality_id, programme, measure_id, data)
