"""Thin HTTP routes of processes, stages, checklists and history."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Query, Response

from prozess.process import service
from prozess.process.schemas import (
    Process,
    ProcessSummary,
    StagePlan,
    StageProgress,
    StageReopen,
    StageStart,
    StageSummary,
    StageTransition,
)
from prozess.programme_path import ProgrammeMeant, ProgrammeToChange
from prozess.stages import Stage
from zwk_common.auth import CallerDep
from zwk_common.db import SessionDep
from zwk_common.pagination import Page, PageDep

router = APIRouter(tags=["processes"])

PROCESS = "/processes/{municipality_id}/{programme}"
STAGE = PROCESS + "/stages/{stage}"
# A batch read: `?municipality_id=…&municipality_id=…`, up to 100.
MunicipalityIds = Annotated[list[UUID], Query(alias="municipality_id", min_length=1, max_length=100)]
# RFC 7240: a caller that needs only where the stage stands (the gateway, when a mutation does not ask
# for the checklist) sends `Prefer: return=minimal` and gets the stage without its checklist.
Prefer = Annotated[
    str | None,
    Header(description="`return=minimal`: the stage without its checklist (`Preference-Applied` says so)"),
]
MINIMAL = "return=minimal"


def _minimal(prefer: str | None) -> bool:
    return prefer is not None and any(part.split(";")[0].strip().lower() == MINIMAL for part in prefer.split(","))


def _answer(progress: StageProgress | StageSummary) -> StageProgress | Response:
    if isinstance(progress, StageProgress):
        return progress
    return Response(progress.model_dump_json(), media_type="application/json", headers={"Preference-Applied": MINIMAL})


@router.get("/processes", response_model=list[Process])
async def get_processes(
    session: SessionDep,
    caller: CallerDep,
    municipality_ids: MunicipalityIds,
) -> list[Process]:
    """The processes of up to 100 municipalities at once (the gateway's batch read); others' are left out."""
    return await service.processes_of(session, caller, municipality_ids)


@router.get("/processes/summaries", response_model=list[ProcessSummary])
async def get_process_summaries(
    session: SessionDep,
    caller: CallerDep,
    municipality_ids: MunicipalityIds,
) -> Response:
    """Where the processes of up to 100 municipalities stand, without checklists (a tenth of the size)."""
    # PostgreSQL writes the answer; the model above documents it.
    return Response(await service.summaries_of(session, caller, municipality_ids), media_type="application/json")


@router.get(PROCESS, response_model=Process)
async def get_process(
    municipality_id: UUID, programme: ProgrammeMeant, session: SessionDep, caller: CallerDep
) -> Process:
    return await service.get_process(session, caller, municipality_id, programme)


@router.get(PROCESS + "/history", response_model=Page[StageTransition])
async def get_history(
    municipality_id: UUID, programme: ProgrammeMeant, session: SessionDep, caller: CallerDep, page: PageDep
) -> Page[StageTransition]:
    """Every change of a stage's status: who, when, from, to, why; oldest first."""
    return await service.history(session, caller, municipality_id, programme, page)


@router.patch(STAGE, response_model=StageProgress)
async def plan_stage(
    municipality_id: UUID,
    programme: ProgrammeToChange,
    stage: Stage,
    data: StagePlan,
    session: SessionDep,
    caller: CallerDep,
) -> StageProgress:
    return await service.plan_stage(session, caller, municipality_id, programme, stage, data)


@router.post(STAGE + "/start", response_model=StageProgress)
async def start_stage(
    municipality_id: UUID,
    programme: ProgrammeToChange,
    stage: Stage,
    session: SessionDep,
    caller: CallerDep,
    data: StageStart | None = None,
    prefer: Prefer = None,
) -> StageProgress | Response:
    started = await service.start_stage(
        session, caller, municipality_id, programme, stage, data or StageStart(), with_checklist=not _minimal(prefer)
    )
    return _answer(started)


@router.post(STAGE + "/complete", response_model=StageProgress)
async def complete_stage(
    municipality_id: UUID,
    programme: ProgrammeToChange,
    stage: Stage,
    session: SessionDep,
    caller: CallerDep,
    prefer: Prefer = None,
) -> StageProgress | Response:
    completed = await service.complete_stage(
        session, caller, municipality_id, programme, stage, with_checklist=not _minimal(prefer)
    )
    return _answer(completed)


@router.post(STAGE + "/reopen", response_model=StageProgress)
async def reopen_stage(
    municipality_id: UUID,
    programme: ProgrammeToChange,
    stage: Stage,
    data: StageReopen,
    session: SessionDep,
    caller: CallerDep,
) -> StageProgress:
    """Office only: a completed stage goes back into work, with a reason."""
    return await service.reopen_stage(session, caller, municipality_id, programme, stage, data)
