"""Request and response bodies of processes, stages and their history."""

import datetime as dt
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from prozess.checklist.schemas import ChecklistItem
from prozess.stages import Stage, StageStatus


class StagePlan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    planned_start: dt.date | None = None
    due_date: dt.date | None = None


class StageStart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    due_date: dt.date | None = None


class StageReopen(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]


class StageSummary(BaseModel):
    stage: Stage
    label: str
    status: StageStatus
    planned_start: dt.date | None
    due_date: dt.date | None
    started_at: dt.datetime | None
    started_by: str | None
    completed_at: dt.datetime | None
    completed_by: str | None
    overdue: bool


class StageProgress(StageSummary):
    checklist: list[ChecklistItem]
    open_required_items: list[str]


class ProcessSummary(BaseModel):
    """Where a process stands, without the checklists: what lists and dashboards show."""

    municipality_id: UUID
    municipality_name: str
    programme: str
    active: bool
    main: bool = Field(
        description="the municipality's main process, the one `main` names in a path (ZWK before DAKS before DWK)"
    )
    current_stage: Stage | None
    overdue: bool
    stages: list[StageSummary]


class Process(ProcessSummary):
    stages: list[StageProgress]  # type: ignore[assignment]


class StageTransition(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    stage: Stage
    from_status: StageStatus
    to_status: StageStatus
    at: dt.datetime
    actor: str | None
    reason: str | None
