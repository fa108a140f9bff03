"""The rules of a process: stages in order, their dates, history, overdue. Records events, never commits."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from prozess import clock
from prozess.access import ProcessRef, readable_process, readable_scope, writable_process
from prozess.checklist.definitions import CHECKLISTS, STAGES_WITH_DERIVED_ITEMS, ProcessFacts
from prozess.checklist.service import checklist_item
from prozess.events import (
    MunicipalityState,
    StageCompleted,
    StageOverdue,
    StageReopened,
    StageStarted,
)
from prozess.models import outbox, stage_transitions
from prozess.process.repository import ProcessRepository
from prozess.process.schemas import (
    Process,
    StagePlan,
    StageProgress,
    StageReopen,
    StageStart,
    StageSummary,
    StageTransition,
)
from prozess.stages import STAGES_IN_ORDER, STATUS_LABELS, Stage, StageStatus
from prozess.vocabulary import Programme
from zwk_common.auth import Caller, Role
from zwk_common.errors import BadInput, Conflict
from zwk_common.events import EventPayload
from zwk_common.inbox import InboxClaim
from zwk_common.pagination import Page, PageParams

# --- the replica: processes open when kommunen announces a participant ---


async def keep_municipality(
    session: AsyncSession, state: MunicipalityState, event_time: datetime, claim: InboxClaim
) -> bool:
    """Keep the newest state of a participant and open a process, all stages not started, per
    programme: one statement with the event's inbox claim, False if the event was handled before."""
    programmes = sorted(set(state.programmes))
    return await ProcessRepository(session).keep_participant(
        {
            "id": state.municipality_id,
            "ags": state.ags,
            "name": state.name,
            "kind": state.kind,
            "bundesland": state.bundesland,
            "population": state.population,
            "programmes": programmes,
            "event_time": event_time,
        },
        programmes,
        [programme for programme in programmes if programme in Programme.__members__],
        [(stage.value, stage.position) for stage in STAGES_IN_ORDER],
        claim,
    )


# --- reading ---


async def processes_of(session: AsyncSession, caller: Caller, municipality_ids: Sequence[UUID]) -> list[Process]:
    """The processes of many municipalities at once; those the caller may not read are left out."""
    wanted = _readable(caller, municipality_ids)
    if not wanted:
        return []
    return await describe(session, await ProcessRepository(session).processes_of(wanted))


def _readable(caller: Caller, municipality_ids: Sequence[UUID]) -> list[UUID]:
    scope = readable_scope(caller)
    return [m for m in dict.fromkeys(municipality_ids) if scope is None or m in scope]


async def summaries_of(session: AsyncSession, caller: Caller, municipality_ids: Sequence[UUID]) -> str:
    """Where the processes of many municipalities stand, stage by stage, as `ProcessSummary`s in JSON;
    checklists are neither read nor sent."""
    wanted = _readable(caller, municipality_ids)
    if not wanted:
        return "[]"
    return await ProcessRepository(session).summaries_json(wanted, clock.today(), _STAGE_LABELS)


_STAGE_LABELS = {stage.value: stage.label for stage in STAGES_IN_ORDER}


async def get_process(session: AsyncSession, caller: Caller, municipality_id: UUID, programme: Programme) -> Process:
    process = await readable_process(session, caller, municipality_id, programme)
    rows = await ProcessRepository(session).processes_of([process.municipality_id])
    return (await describe(session, [r for r in rows if r["id"] == process.id]))[0]


async def history(
    session: AsyncSession, caller: Caller, municipality_id: UUID, programme: Programme, page: PageParams
) -> Page[StageTransition]:
    """Every change of a stage's status, oldest first."""
    process = await readable_process(session, caller, municipality_id, programme)
    rows, next_cursor, total = await ProcessRepository(session).page_in_order(
        stage_transitions, stage_transitions.c.id, stage_transitions.c.process_id == process.id, page=page
    )
    return Page[StageTransition](
        items=[StageTransition.model_validate(r) for r in rows], next_cursor=next_cursor, total_count=total
    )


async def describe(session: AsyncSession, process_rows: Sequence[RowMapping]) -> list[Process]:
    """Processes with their stages, checklists and overdue flags, from rows of `ProcessRepository.processes_of`."""
    repository = ProcessRepository(session)
    ids = [row["id"] for row in process_rows]
    stage_rows: dict[UUID, list[RowMapping]] = defaultdict(list)
    for row in await repository.stages_of(ids):
        stage_rows[row["process_id"]].append(row)
    entries: dict[UUID, dict[tuple[str, str], RowMapping]] = defaultdict(dict)
    for row in await repository.checklist_entries_of(ids):
        entries[row["process_id"]][(row["stage"], row["key"])] = row
    facts = await repository.facts_of(ids)
    today = clock.today()
    processes = []
    for row in process_rows:
        progress = [
            _progress(stage_row, entries[row["id"]], facts.get(row["id"], ProcessFacts()), today)
            for stage_row in stage_rows[row["id"]]
        ]
        processes.append(Process(**_process_fields(row, progress)))
    return processes


def _progress(
    row: RowMapping, entries: Mapping[tuple[str, str], RowMapping], facts: ProcessFacts, today: date
) -> StageProgress:
    stage = Stage(row["stage"])
    items = [checklist_item(d, entries.get((stage.value, d.key)), facts) for d in CHECKLISTS[stage]]
    return StageProgress(
        **_stage_fields(row, today),
        checklist=items,
        open_required_items=[i.key for i in items if i.required and not i.done],
    )


def _process_fields(row: RowMapping, stages: Sequence[StageSummary]) -> dict[str, Any]:
    return {
        "municipality_id": row["municipality_id"],
        "municipality_name": row["name"],
        "programme": row["programme"],
        "active": row["active"],
        "main": row["main"],
        "current_stage": row["current_stage"],
        "overdue": any(stage.overdue for stage in stages),
        "stages": stages,
    }


def _stage_fields(row: RowMapping, today: date) -> dict[str, Any]:
    stage = Stage(row["stage"])
    return {
        "stage": stage,
        "label": stage.label,
        "status": row["status"],
        "planned_start": row["planned_start"],
        "due_date": row["due_date"],
        "started_at": row["started_at"],
        "started_by": row["started_by"],
        "completed_at": row["completed_at"],
        "completed_by": row["completed_by"],
        "overdue": is_overdue(row, today),
    }


def is_overdue(stage_row: RowMapping, today: date) -> bool:
    return (
        stage_row["status"] == StageStatus.IN_PROGRESS
        and stage_row["due_date"] is not None
        and stage_row["due_date"] < today
    )


# --- stage transitions ---


async def plan_stage(
    session: AsyncSession, caller: Caller, municipality_id: UUID, programme: Programme, stage: Stage, data: StagePlan
) -> StageProgress:
    """Set a stage's planned start and due date; a due date never lies before the start."""
    process = await writable_process(session, caller, municipality_id, programme)
    repository = ProcessRepository(session)
    row = await repository.stage(process.id, stage.value)
    if row["status"] == StageStatus.COMPLETED:
        raise Conflict(f"{stage.label} is completed; its dates are history.")
    given = data.model_fields_set
    planned_start = data.planned_start if "planned_start" in given else row["planned_start"]
    due_date = data.due_date if "due_date" in given else row["due_date"]
    if planned_start is not None and due_date is not None and due_date < planned_start:
        raise BadInput(f"The due date {due_date} lies before the planned start {planned_start}.")
    if row["started_at"] is not None and due_date is not None and due_date < _day_of(row["started_at"]):
        raise BadInput(f"The due date {due_date} lies before the start on {_day_of(row['started_at'])}.")
    updated = await repository.update_stage(
        process.id, stage.value, {"planned_start": planned_start, "due_date": due_date}
    )
    await repository.refresh_summary(process.id)
    return await _stage_progress(repository, process, updated)


async def start_stage(
    session: AsyncSession,
    caller: Caller,
    municipality_id: UUID,
    programme: Programme,
    stage: Stage,
    data: StageStart,
    *,
    with_checklist: bool = True,
) -> StageProgress | StageSummary:
    """Start a stage: only once, and only after the one before it is completed; its checklist is read
    for the answer unless the caller does without it."""
    process = await writable_process(session, caller, municipality_id, programme)
    repository = ProcessRepository(session)
    at = clock.now()
    # The rules of order are the UPDATE's condition, so a start that is allowed is one statement
    # (reading the stage first was a statement of its own on every start); a refused one reads
    # the stages to say why. The process is locked: nothing changes them in between.
    updated = await repository.start_stage(
        process.id,
        stage.value,
        stage.previous.value if stage.previous else None,
        {"status": StageStatus.IN_PROGRESS.value, "started_at": at, "started_by": caller.subject},
    )
    if updated is None:
        raise await _why_not_started(repository, process, stage)
    if data.due_date is not None:
        # Checked once the rules of order held, against the planned start the UPDATE returned; a
        # refusal rolls the request's transaction back, so the start with it.
        start_day = _day_of(at)
        if data.due_date < start_day:
            raise BadInput(f"The due date {data.due_date} lies before the start today ({start_day}).")
        if updated["planned_start"] is not None and data.due_date < updated["planned_start"]:
            raise BadInput(f"The due date {data.due_date} lies before the planned start {updated['planned_start']}.")
        updated = await repository.update_stage(process.id, stage.value, {"due_date": data.due_date})
    started = StageStarted(**_stage_event(process, updated, at, caller))
    await _transition(repository, process, stage, StageStatus.NOT_STARTED, StageStatus.IN_PROGRESS, at, caller, started)
    if not with_checklist:
        return StageSummary(**_stage_fields(updated, clock.today()))
    return await _stage_progress(repository, process, updated)


async def _why_not_started(repository: ProcessRepository, process: ProcessRef, stage: Stage) -> Conflict:
    row = await repository.stage(process.id, stage.value)
    if row["status"] != StageStatus.NOT_STARTED:
        return Conflict(f"{stage.label} is already {STATUS_LABELS[StageStatus(row['status'])]}.")
    previous = stage.previous
    assert previous is not None, "a first stage not started always starts"
    before = await repository.stage(process.id, previous.value)
    return Conflict(
        f"{stage.label} starts only after {previous.label} is completed "
        f"({previous.label} is {STATUS_LABELS[StageStatus(before['status'])]}).",
        stage=stage.value,
        blocking_stage=previous.value,
    )


async def complete_stage(
    session: AsyncSession,
    caller: Caller,
    municipality_id: UUID,
    programme: Programme,
    stage: Stage,
    *,
    with_checklist: bool = True,
) -> StageProgress | StageSummary:
    """Complete a stage in progress whose required checklist items are all done."""
    process = await writable_process(session, caller, municipality_id, programme)
    repository = ProcessRepository(session)
    at = clock.now()
    completion = {"status": StageStatus.COMPLETED.value, "completed_at": at, "completed_by": caller.subject}
    if stage not in STAGES_WITH_DERIVED_ITEMS:
        # Every required item is ticked by hand: the rules of completion are the UPDATE's
        # condition, so a completion that is allowed is one statement (reading the stage and its
        # checklist first were two more); a refused one goes on below to say why. The process is
        # locked: nothing changes its stages in between.
        required = [item.key for item in CHECKLISTS[stage] if item.required]
        updated = await repository.complete_stage(process.id, stage.value, required, completion)
        if updated is not None:
            return await _completed(repository, process, updated, at, caller, with_checklist=with_checklist)
    row = await repository.stage(process.id, stage.value)
    if row["status"] != StageStatus.IN_PROGRESS:
        raise Conflict(
            f"{stage.label} is {STATUS_LABELS[StageStatus(row['status'])]}; only a stage in progress completes."
        )
    entries, facts = await _checklist_state(repository, process, stage)
    progress = _progress(row, entries, facts, clock.today())
    if progress.open_required_items:
        labels = [i.label for i in progress.checklist if i.key in progress.open_required_items]
        raise Conflict(
            f"{stage.label} cannot be completed while required items are open: {'; '.join(labels)}.",
            open_items=progress.open_required_items,
        )
    updated = await repository.update_stage(process.id, stage.value, completion)
    return await _completed(
        repository, process, updated, at, caller, with_checklist=with_checklist, checklist=(entries, facts)
    )


async def _completed(
    repository: ProcessRepository,
    process: ProcessRef,
    updated: RowMapping,
    at: datetime,
    caller: Caller,
    *,
    with_checklist: bool,
    checklist: tuple[Mapping[tuple[str, str], RowMapping], ProcessFacts] | None = None,
) -> StageProgress | StageSummary:
    """A completion's history and event, and its answer: the stage, with its checklist if wanted."""
    stage = Stage(updated["stage"])
    completed = StageCompleted(**_stage_event(process, updated, at, caller))
    await _transition(repository, process, stage, StageStatus.IN_PROGRESS, StageStatus.COMPLETED, at, caller, completed)
    if not with_checklist:
        return StageSummary(**_stage_fields(updated, clock.today()))
    if checklist is None:
        return await _stage_progress(repository, process, updated)
    # Completing changes the stage's row, not its checklist or facts: the answer needs no second read.
    return _progress(updated, *checklist, clock.today())


async def reopen_stage(
    session: AsyncSession,
    caller: Caller,
    municipality_id: UUID,
    programme: Programme,
    stage: Stage,
    data: StageReopen,
) -> StageProgress:
    """The office takes a completed stage back into work, saying why; the completion stays in the history."""
    caller.require_role(Role.OFFICE)
    process = await writable_process(session, caller, municipality_id, programme)
    repository = ProcessRepository(session)
    row = await repository.stage(process.id, stage.value)
    if row["status"] != StageStatus.COMPLETED:
        raise Conflict(f"{stage.label} is {STATUS_LABELS[StageStatus(row['status'])]}; only a completed stage reopens.")
    at = clock.now()
    updated = await repository.update_stage(
        process.id,
        stage.value,
        {"status": StageStatus.IN_PROGRESS.value, "completed_at": None, "completed_by": None},
    )
    reopened = StageReopened(**_stage_event(process, updated, at, caller, data.reason))
    await _transition(
        repository, process, stage, StageStatus.COMPLETED, StageStatus.IN_PROGRESS, at, caller, reopened, data.reason
    )
    return await _stage_progress(repository, process, updated)


async def _transition(
    repository: ProcessRepository,
    process: ProcessRef,
    stage: Stage,
    from_status: StageStatus,
    to_status: StageStatus,
    at: datetime,
    caller: Caller,
    event: EventPayload,
    reason: str | None = None,
) -> None:
    """The change in the history and the process's summary, and its event: one statement."""
    with outbox.recording(repository.session, event) as (_, recorded):
        await repository.record_transition(
            process.id, stage.value, from_status, to_status, at, caller.subject, reason, recorded
        )


def _stage_event(
    process: ProcessRef, row: RowMapping, at: datetime, caller: Caller | None, reason: str | None = None
) -> dict[str, Any]:
    return {
        "municipality_id": process.municipality_id,
        "municipality_name": process.municipality_name,
        "programme": process.programme,
        "stage": row["stage"],
        "status": row["status"],
        "due_date": row["due_date"],
        "at": at,
        "actor": caller.subject if caller else None,
        "reason": reason,
    }


async def _stage_progress(repository: ProcessRepository, process: ProcessRef, row: RowMapping) -> StageProgress:
    """A stage as the transaction just wrote it (`row`, from its UPDATE … RETURNING), with its checklist."""
    entries, facts = await _checklist_state(repository, process, Stage(row["stage"]))
    return _progress(row, entries, facts, clock.today())


async def _checklist_state(
    repository: ProcessRepository, process: ProcessRef, stage: Stage
) -> tuple[dict[tuple[str, str], RowMapping], ProcessFacts]:
    """The ticked items of the process, and the facts its data says if items of `stage` follow from them
    (Kick-Off's and the Zwischenbilanz's are all ticked by hand)."""
    entries = {(r["stage"], r["key"]): r for r in await repository.checklist_entries_of([process.id])}
    if stage not in STAGES_WITH_DERIVED_ITEMS:
        return entries, ProcessFacts()
    facts = (await repository.facts_of([process.id])).get(process.id, ProcessFacts())
    return entries, facts


def _day_of(moment: datetime) -> date:
    return moment.astimezone(clock.GERMANY).date()


# --- overdue ---


async def report_overdue_stages(session: AsyncSession, today: date, limit: int) -> int:
    """Record one overdue event per stage in progress past its due date, once per due date.

    Returns how many candidates were looked at; fewer than `limit` means none are left.
    """
    repository = ProcessRepository(session)
    candidates = await repository.overdue_candidates(today, limit)
    at = clock.now()
    for row in candidates:
        if await repository.add_overdue_notice(row["process_id"], row["stage"], row["due_date"]):
            await outbox.record(
                session,
                StageOverdue(
                    municipality_id=row["municipality_id"],
                    municipality_name=row["name"],
                    programme=row["programme"],
                    stage=row["stage"],
                    status=row["status"],
                    due_date=row["due_date"],
                    at=at,
                    actor=None,
                    reason=None,
                ),
            )
    return len(candidates)
