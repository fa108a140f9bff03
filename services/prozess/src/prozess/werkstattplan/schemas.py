"""Request and response bodies of the Werkstattplan: its measures."""

from datetime import date, datetime
from typing import Annotated, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from prozess.fields import Euro, Key, LongText, ShortText
from prozess.vocabulary import MeasureStatus, TargetGroup

Groups = Annotated[list[TargetGroup], Field(max_length=len(TargetGroup))]


class Milestone(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: ShortText
    due_date: date | None = None
    done: bool = False


Milestones = Annotated[list[Milestone], Field(max_length=50)]


class _Plan(BaseModel):
    """The fields a measure is planned with; every one may be filled in later."""

    model_config = ConfigDict(extra="forbid")

    goal: LongText | None = None
    responsible: ShortText | None = None
    period_start: date | None = None
    period_end: date | None = None
    budget_eur: Euro | None = None
    budget_used_eur: Euro | None = None
    funding_source: ShortText | None = None


class MeasureCreate(_Plan):
    title: ShortText
    topic: Key
    target_groups: Groups = []
    milestones: Milestones = []
    origin_swot_item_id: UUID | None = None
    origin_idea_id: UUID | None = None

    @model_validator(mode="after")
    def _one_origin(self) -> Self:
        if self.origin_swot_item_id is not None and self.origin_idea_id is not None:
            raise ValueError("a measure comes from one SWOT item or one idea, not both")
        return self


class MeasureUpdate(_Plan):
    title: ShortText | None = None
    topic: Key | None = None
    target_groups: Groups | None = None
    milestones: Milestones | None = None


class MeasureStatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: MeasureStatus


class Measure(BaseModel):
    id: UUID
    title: str
    topic: str
    goal: str | None
    responsible: str | None
    period_start: date | None
    period_end: date | None
    budget_eur: Euro | None
    budget_used_eur: Euro | None
    funding_source: str | None
    target_groups: list[TargetGroup]
    status: MeasureStatus
    status_label: str
    milestones: list[Milestone]
    origin_swot_item_id: UUID | None
    origin_idea_id: UUID | None
    complete: bool
    missing: list[str]
    created_at: datetime
    created_by: str | None
    updated_at: datetime
    updated_by: str | None
