"""A municipality's process: its stages, checklists and the programme overview."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from gateway.context import Context
from gateway.types.common import Stage, StageStatus, as_date, as_datetime

if TYPE_CHECKING:
    from gateway.types.municipality import Municipality

MunicipalityRef = Annotated["Municipality", strawberry.lazy("gateway.types.municipality")]


# The enums by their values, looked up for the 500 stages of a dashboard's page (calling the enum
# class searches through its machinery each time); an unknown value is a KeyError as it was a ValueError.
STAGE_BY_VALUE = {member.value: member for member in Stage}
STATUS_BY_VALUE = {member.value: member for member in StageStatus}


@strawberry.type(description='One item of a stage\'s guidance, e.g. key "agreed-goals" of KICK_OFF.')
class ChecklistItem:
    key: str
    label: str
    required: bool
    done: bool
    evidence: str | None

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> ChecklistItem:
        evidence = data.get("evidence_display", data.get("evidence"))
        return cls(
            key=data["key"],
            label=data["label"],
            required=bool(data.get("required", False)),
            done=bool(data.get("done", False)),
            evidence=evidence if evidence is None or isinstance(evidence, str) else str(evidence),
        )


@strawberry.type
class StageProgress:
    stage: Stage
    status: StageStatus
    started_at: datetime | None
    completed_at: datetime | None
    due_date: date | None
    overdue: bool
    checklist: list[ChecklistItem]

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> StageProgress:
        status = STATUS_BY_VALUE[data["status"]]
        due = as_date(data.get("due_date"))
        overdue = data.get("overdue")
        if overdue is None:
            overdue = status is StageStatus.IN_PROGRESS and due is not None and due < date.today()
        return cls(
            stage=STAGE_BY_VALUE[data["stage"]],
            status=status,
            started_at=as_datetime(data.get("started_at")),
            completed_at=as_datetime(data.get("completed_at")),
            due_date=due,
            overdue=bool(overdue),
            checklist=[ChecklistItem.from_service(item) for item in data.get("checklist") or []],
        )


def current_stage(process: dict[str, Any]) -> Stage | None:
    """The furthest stage that has begun; None before Kick-Off has started."""
    if process.get("current_stage") is not None:
        return STAGE_BY_VALUE[process["current_stage"]]
    begun = [s for s in process.get("stages") or [] if s["status"] != StageStatus.NOT_STARTED.value]
    return STAGE_BY_VALUE[begun[-1]["stage"]] if begun else None


@strawberry.type
class StageCount:
    stage: Stage
    in_progress: int
    completed: int


@strawberry.type
class ProgrammeOverview:
    programme: str
    municipalities: int
    stages: list[StageCount]
    overdue_ids: strawberry.Private[list[str]]

    @strawberry.field
    async def overdue(self, info: Info[Context, None]) -> list[MunicipalityRef]:
        from gateway.types.municipality import Municipality

        found = await info.context.kommunen.municipalities.load_many(self.overdue_ids)
        return [Municipality.from_service(m) for m in found if m is not None]

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> ProgrammeOverview:
        return cls(
            programme=data["programme"],
            municipalities=int(data["municipalities"]),
            stages=[
                StageCount(stage=Stage(s["stage"]), in_progress=int(s["in_progress"]), completed=int(s["completed"]))
                for s in data.get("stages") or []
            ],
            overdue_ids=[str(m) for m in data.get("overdue_municipality_ids") or []],
        )


@strawberry.type(description="A stage of a municipality's process that started, completed, reopened or fell overdue.")
class ProcessEvent:
    stage: Stage
    status: StageStatus
    at: datetime
    municipality_id: strawberry.Private[str]
    kind: str = strawberry.field(description='What happened: "started", "completed", "reopened" or "overdue".')
    programme: str | None = None

    @strawberry.field
    async def municipality(self, info: Info[Context, None]) -> MunicipalityRef:
        from gateway.types.municipality import Municipality, municipality_or_error

        return Municipality.from_service(await municipality_or_error(info, self.municipality_id))
