"""The rules of participation events and the measure ideas they produce. Never commits."""

from uuid import UUID, uuid4

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from prozess.access import readable_process, writable_process
from prozess.models import ideas, measures, participation_events
from prozess.records import remove_unless_an_origin, require_origin_of_process
from prozess.vocabulary import LABELS, Programme
from prozess.zukunftswerkstatt.repository import ZukunftswerkstattRepository
from prozess.zukunftswerkstatt.schemas import (
    Idea,
    IdeaCreate,
    ParticipationEvent,
    ParticipationEventCreate,
    ParticipationEventUpdate,
)
from zwk_common.auth import Caller
from zwk_common.errors import BadInput, NotFound
from zwk_common.pagination import Page, PageParams

# Fields an event keeps once recorded; the others may be cleared with null.
_REQUIRED = ("title", "format", "held_on")


async def participation_events_of(
    session: AsyncSession, caller: Caller, municipality_id: UUID, programme: Programme, page: PageParams
) -> Page[ParticipationEvent]:
    process = await readable_process(session, caller, municipality_id, programme)
    rows, next_cursor, total = await ZukunftswerkstattRepository(session).page_in_recorded_order(
        participation_events, participation_events.c.process_id == process.id, page=page
    )
    return Page[ParticipationEvent](
        items=[participation_event_of(r) for r in rows], next_cursor=next_cursor, total_count=total
    )


async def add_participation_event(
    session: AsyncSession,
    caller: Caller,
    municipality_id: UUID,
    programme: Programme,
    data: ParticipationEventCreate,
) -> ParticipationEvent:
    process = await writable_process(session, caller, municipality_id, programme)
    row = await ZukunftswerkstattRepository(session).add_participation_event(
        {**data.model_dump(), "id": uuid4(), "process_id": process.id, "created_by": caller.subject}
    )
    return participation_event_of(row)


async def change_participation_event(
    session: AsyncSession,
    caller: Caller,
    municipality_id: UUID,
    programme: Programme,
    event_id: UUID,
    data: ParticipationEventUpdate,
) -> ParticipationEvent:
    process = await writable_process(session, caller, municipality_id, programme)
    repository = ZukunftswerkstattRepository(session)
    existing = await repository.one_of_process(participation_events, event_id, process.id)
    if existing is None:
        raise NotFound(f"The process has no participation event {event_id}.")
    changes = data.model_dump(exclude_unset=True)
    cleared = [field for field in _REQUIRED if field in changes and changes[field] is None]
    if cleared:
        raise BadInput(f"A participation event keeps its {', '.join(cleared)}; send a value, not null.")
    if "groups_reached" in changes and changes["groups_reached"] is None:
        changes["groups_reached"] = []
    row = await repository.change_participation_event(event_id, changes) if changes else existing
    return participation_event_of(row)


async def remove_participation_event(
    session: AsyncSession, caller: Caller, municipality_id: UUID, programme: Programme, event_id: UUID
) -> None:
    process = await writable_process(session, caller, municipality_id, programme)
    await remove_unless_an_origin(
        ZukunftswerkstattRepository(session),
        participation_events,
        event_id,
        process.id,
        noun="participation event",
        origin_of=ideas.c.participation_event_id,
    )


async def ideas_of(
    session: AsyncSession, caller: Caller, municipality_id: UUID, programme: Programme, page: PageParams
) -> Page[Idea]:
    process = await readable_process(session, caller, municipality_id, programme)
    rows, next_cursor, total = await ZukunftswerkstattRepository(session).page_in_recorded_order(
        ideas, ideas.c.process_id == process.id, page=page
    )
    return Page[Idea](items=[Idea.model_validate(r) for r in rows], next_cursor=next_cursor, total_count=total)


async def add_idea(
    session: AsyncSession, caller: Caller, municipality_id: UUID, programme: Programme, data: IdeaCreate
) -> Idea:
    process = await writable_process(session, caller, municipality_id, programme)
    repository = ZukunftswerkstattRepository(session)
    await require_origin_of_process(
        repository, participation_events, data.participation_event_id, process.id, noun="participation event"
    )
    row = await repository.add_idea(
        {
            **data.model_dump(),
            "topics": list(dict.fromkeys(data.topics)),
            "id": uuid4(),
            "process_id": process.id,
            "created_by": caller.subject,
        }
    )
    return Idea.model_validate(row)


async def remove_idea(
    session: AsyncSession, caller: Caller, municipality_id: UUID, programme: Programme, idea_id: UUID
) -> None:
    process = await writable_process(session, caller, municipality_id, programme)
    await remove_unless_an_origin(
        ZukunftswerkstattRepository(session),
        ideas,
        idea_id,
        process.id,
        noun="idea",
        origin_of=measures.c.origin_idea_id,
    )


def participation_event_of(row: RowMapping) -> ParticipationEvent:
    return ParticipationEvent.model_validate({**row, "format_label": LABELS["participation_format"][row["format"]]})
