"""Thin HTTP routes of participation events and measure ideas."""

from uuid import UUID

from fastapi import APIRouter, status

from prozess.vocabulary import Programme
from prozess.zukunftswerkstatt import service
from prozess.zukunftswerkstatt.schemas import (
    Idea,
    IdeaCreate,
    ParticipationEvent,
    ParticipationEventCreate,
    ParticipationEventUpdate,
)
from zwk_common.auth import CallerDep
from zwk_common.db import SessionDep
from zwk_common.pagination import Page, PageDep

router = APIRouter(prefix="/processes/{municipality_id}/{programme}", tags=["zukunftswerkstatt"])


@router.get("/participation-events", response_model=Page[ParticipationEvent])
async def get_participation_events(
    municipality_id: UUID, programme: Programme, session: SessionDep, caller: CallerDep, page: PageDep
) -> Page[ParticipationEvent]:
    return await service.participation_events_of(session, caller, municipality_id, programme, page)


@router.post("/participation-events", response_model=ParticipationEvent, status_code=status.HTTP_201_CREATED)
async def add_participation_event(
    municipality_id: UUID,
    programme: Programme,
    data: ParticipationEventCreate,
    session: SessionDep,
    caller: CallerDep,
) -> ParticipationEvent:
    return await service.add_participation_event(session, caller, municipality_id, programme, data)


@router.patch("/participation-events/{event_id}", response_model=ParticipationEvent)
async def change_participation_event(
    municipality_id: UUID,
    programme: Programme,
    event_id: UUID,
    data: ParticipationEventUpdate,
    session: SessionDep,
    caller: CallerDep,
) -> ParticipationEvent:
    return await service.change_participation_event(session, caller, municipality_id, programme, event_id, data)


@router.delete("/participation-events/{event_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_participation_event(
    municipality_id: UUID, programme: Programme, event_id: UUID, session: SessionDep, caller: CallerDep
) -> None:
    await service.remove_participation_event(session, caller, municipality_id, programme, event_id)


@router.get("/ideas", response_model=Page[Idea])
async def get_ideas(
    municipality_id: UUID, programme: Programme, session: SessionDep, caller: CallerDep, page: PageDep
) -> Page[Idea]:
    return await service.ideas_of(session, caller, municipality_id, programme, page)


@router.post("/ideas", response_model=Idea, status_code=status.HTTP_201_CREATED)
async def add_idea(
    municipality_id: UUID, programme: Programme, data: IdeaCreate, session: SessionDep, caller: CallerDep
) -> Idea:
    return await service.add_idea(session, caller, municipality_id, programme, data)


@router.delete("/ideas/{idea_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_idea(
    municipality_id: UUID, programme: Programme, idea_id: UUID, session: SessionDep, caller: CallerDep
) -> None:
    await service.remove_idea(session, caller, municipality_id, programme, idea_id)
