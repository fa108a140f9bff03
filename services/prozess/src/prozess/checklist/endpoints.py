"""Thin HTTP routes of checklists and the words of the process."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path

from prozess.checklist import service
from prozess.checklist.schemas import ChecklistItem, ChecklistItemUpdate, Vocabulary
from prozess.programme_path import ProgrammeToChange
from prozess.stages import Stage
from zwk_common.auth import CallerDep
from zwk_common.db import SessionDep

router = APIRouter(tags=["checklists"])

ChecklistKey = Annotated[str, Path(max_length=64)]


@router.get("/vocabulary", response_model=Vocabulary)
async def get_vocabulary(caller: CallerDep) -> Vocabulary:
    """Stages with their checklists, target groups, formats, statuses and indicators, with German labels."""
    return service.vocabulary()


@router.put("/processes/{municipality_id}/{programme}/stages/{stage}/checklist/{key}", response_model=ChecklistItem)
async def set_checklist_item(
    municipality_id: UUID,
    programme: ProgrammeToChange,
    stage: Stage,
    key: ChecklistKey,
    data: ChecklistItemUpdate,
    session: SessionDep,
    caller: CallerDep,
) -> ChecklistItem:
    return await service.set_checklist_item(session, caller, municipality_id, programme, stage, key, data)
