"""The documents generated from a process: the Zwischenbilanz report and the whole record."""

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel

from prozess.fields import Euro
from prozess.kommunalprofil.schemas import Indicator, SwotItem
from prozess.process.schemas import ChecklistItem, StageProgress, StageTransition
from prozess.stages import Stage, StageStatus
from prozess.vocabulary import MeasureStatus
from prozess.werkstattplan.schemas import Measure
from prozess.zukunftswerkstatt.schemas import Idea, ParticipationEvent


class StageDates(BaseModel):
    stage: Stage
    label: str
    status: StageStatus
    status_label: str
    planned_start: date | None
    due_date: date | None
    started_at: datetime | None
    completed_at: datetime | None
    overdue: bool


class StatusCount(BaseModel):
    status: MeasureStatus
    label: str
    count: int


class TopicCount(BaseModel):
    topic: str
    total: int
    by_status: dict[MeasureStatus, int]


class MeasureSummary(BaseModel):
    total: int
    by_status: list[StatusCount]
    by_topic: list[TopicCount]


class FundingSource(BaseModel):
    funding_source: str | None
    planned_eur: Euro
    used_eur: Euro


class BudgetSummary(BaseModel):
    """Planned: the budgets of measures not dropped; used: what every measure has spent."""

    planned_eur: Euro
    used_eur: Euro
    by_funding_source: list[FundingSource]


class ParticipationSummary(BaseModel):
    events: int
    participants: int
    groups_reached: list[str]


class OverdueNotice(BaseModel):
    stage: Stage
    label: str
    due_date: date
    detected_at: datetime


class Zwischenbilanz(BaseModel):
    municipality_id: UUID
    municipality_name: str
    programme: str
    generated_at: datetime
    stages: list[StageDates]
    measures: MeasureSummary
    budget: BudgetSummary
    participation: ParticipationSummary
    overdue_history: list[OverdueNotice]
    review: list[ChecklistItem]


class RecordedMunicipality(BaseModel):
    id: UUID
    ags: str | None
    name: str
    kind: str
    bundesland: str
    population: int | None
    programmes: list[str]


class ProcessRecord(BaseModel):
    programme: str
    active: bool
    current_stage: Stage | None
    created_at: datetime
    stages: list[StageProgress]
    history: list[StageTransition]
    indicators: list[Indicator]
    swot_items: list[SwotItem]
    participation_events: list[ParticipationEvent]
    ideas: list[Idea]
    measures: list[Measure]
    overdue_history: list[OverdueNotice]
    zwischenbilanz: Zwischenbilanz


class MunicipalityRecord(BaseModel):
    """Everything prozess holds on one municipality, as one document that outlives the funding period."""

    format: str = "zwk-prozess-record"
    format_version: int = 1
    exported_at: datetime
    municipality: RecordedMunicipality
    processes: list[ProcessRecord]
