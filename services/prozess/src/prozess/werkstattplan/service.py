"""The rules of the Werkstattplan: measures, their completeness and status. Records events, never commits."""

from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from prozess.access import ProcessRef, readable_process, writable_process
from prozess.checklist.definitions import MEASURE_REQUIRED_FIELDS
from prozess.events import MeasureAdded, MeasureStatusChanged
from prozess.models import ideas, measures, outbox, swot_items
from prozess.records import require_origin_of_process
from prozess.vocabulary import LABELS, MeasureStatus, Programme
from prozess.werkstattplan.repository import WerkstattplanRepository
from prozess.werkstattplan.schemas import Measure, MeasureCreate, MeasureStatusChange, MeasureUpdate
from zwk_common.auth import Caller
from zwk_common.errors import BadInput, Conflict, NotFound
from zwk_common.pagination import Page, PageParams

# Fields a measure keeps once recorded; the others may be cleared with null.
_KEPT = ("title", "topic", "target_groups", "milestones")


async def measures_of(
    session: AsyncSession,
    caller: Caller,
    municipality_id: UUID,
    programme: Programme,
    page: PageParams,
    *,
    status: MeasureStatus | None = None,
    topic: str | None = None,
) -> Page[Measure]:
    process = await readable_process(session, caller, municipality_id, programme)
    where = [measures.c.process_id == process.id]
    if status is not None:
        where.append(measures.c.status == status.value)
    if topic is not None:
        where.append(measures.c.topic == topic)
    rows, next_cursor, total = await WerkstattplanRepository(session).page_in_recorded_order(
        measures, *where, page=page
    )
    return Page[Measure](items=[measure_of(r) for r in rows], next_cursor=next_cursor, total_count=total)


async def get_measure(
    session: AsyncSession, caller: Caller, municipality_id: UUID, programme: Programme, measure_id: UUID
) -> Measure:
    process = await readable_process(session, caller, municipality_id, programme)
    return measure_of(await _existing(WerkstattplanRepository(session), process, measure_id))


async def add_measure(
    session: AsyncSession, caller: Caller, municipality_id: UUID, programme: Programme, data: MeasureCreate
) -> Measure:
    process = await writable_process(session, caller, municipality_id, programme)
    repository = WerkstattplanRepository(session)
    _check_period(data.period_start, data.period_end)
    await require_origin_of_process(repository, swot_items, data.origin_swot_item_id, process.id, noun="SWOT item")
    await require_origin_of_process(repository, ideas, data.origin_idea_id, process.id, noun="idea")
    row = await repository.add_measure(
        {
            **data.model_dump(exclude={"milestones"}),
            "milestones": [m.model_dump(mode="json") for m in data.milestones],
            "target_groups": list(dict.fromkeys(data.target_groups)),
            "id": uuid4(),
            "process_id": process.id,
            "status": MeasureStatus.PLANNED.value,
            "created_by": caller.subject,
            "updated_by": caller.subject,
        }
    )
    await outbox.record(session, MeasureAdded(**_event(process, row, None, caller)))
    return measure_of(row)


async def change_measure(
    session: AsyncSession,
    caller: Caller,
    municipality_id: UUID,
    programme: Programme,
    measure_id: UUID,
    data: MeasureUpdate,
) -> Measure:
    process = await writable_process(session, caller, municipality_id, programme)
    repository = WerkstattplanRepository(session)
    existing = await _existing(repository, process, measure_id)
    changes = data.model_dump(exclude_unset=True)
    cleared = [name for name in _KEPT if name in changes and changes[name] is None]
    if cleared:
        raise BadInput(f"A measure keeps its {', '.join(cleared)}; send a value, not null.")
    _check_period(
        changes.get("period_start", existing["period_start"]), changes.get("period_end", existing["period_end"])
    )
    if "milestones" in changes:
        changes["milestones"] = [m.model_dump(mode="json") for m in data.milestones or []]
    if "target_groups" in changes:
        changes["target_groups"] = list(dict.fromkeys(changes["target_groups"]))
    if not changes:
        return measure_of(existing)
    return measure_of(await repository.change_measure(measure_id, {**changes, "updated_by": caller.subject}))


async def change_measure_status(
    session: AsyncSession,
    caller: Caller,
    municipality_id: UUID,
    programme: Programme,
    measure_id: UUID,
    data: MeasureStatusChange,
) -> Measure:
    process = await writable_process(session, caller, municipality_id, programme)
    repository = WerkstattplanRepository(session)
    existing = await _existing(repository, process, measure_id)
    previous = MeasureStatus(existing["status"])
    if previous is data.status:
        raise Conflict(f"The measure {existing['title']!r} is already {LABELS['measure_status'][previous]}.")
    row = await repository.change_measure(measure_id, {"status": data.status.value, "updated_by": caller.subject})
    await outbox.record(session, MeasureStatusChanged(**_event(process, row, previous, caller)))
    return measure_of(row)


def measure_of(row: RowMapping) -> Measure:
    missing = [label for name, label in MEASURE_REQUIRED_FIELDS.items() if row[name] is None or row[name] == []]
    return Measure.model_validate(
        {
            **row,
            "status_label": LABELS["measure_status"][row["status"]],
            "complete": not missing,
            "missing": missing,
        }
    )


async def _existing(repository: WerkstattplanRepository, process: ProcessRef, measure_id: UUID) -> RowMapping:
    row = await repository.one_of_process(measures, measure_id, process.id)
    if row is None:
        raise NotFound(f"The Werkstattplan has no measure {measure_id}.")
    return row


def _check_period(start: Any, end: Any) -> None:
    if start is not None and end is not None and end < start:
        raise BadInput(f"The measure's period ends ({end}) before it begins ({start}).")


def _event(process: ProcessRef, row: RowMapping, previous: MeasureStatus | None, caller: Caller) -> dict[str, Any]:
    return {
        "municipality_id": process.municipality_id,
        "municipality_name": process.municipality_name,
        "programme": process.programme,
        "measure_id": row["id"],
        "title": row["title"],
        "topic": row["topic"],
        "status": row["status"],
        "previous_status": previous,
        "actor": caller.subject,
    }
