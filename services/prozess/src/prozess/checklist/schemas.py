"""Request and response bodies of checklists and of the words of the process."""

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from prozess.checklist.definitions import EvidenceKind
from prozess.fields import Link, LongText, Number
from prozess.stages import Stage


class Evidence(BaseModel):
    """What shows that a checklist item is done: a text, a link, a date or a number."""

    model_config = ConfigDict(extra="forbid")

    text: LongText | None = None
    link: Link | None = None
    date: dt.date | None = None
    number: Number | None = None


class ChecklistItemUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    done: bool
    # A plain string is read as evidence of the item's own kind ("2021-10-14" for a date item).
    evidence: Evidence | Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)] | None = None


class ChecklistItem(BaseModel):
    key: str
    label: str
    required: bool
    derived: bool
    evidence_kind: EvidenceKind
    done: bool
    evidence: Evidence | None
    evidence_display: str | None
    updated_at: dt.datetime | None
    updated_by: str | None


class Term(BaseModel):
    key: str
    label: str


class ChecklistItemGuidance(BaseModel):
    key: str
    label: str
    required: bool
    derived: bool
    evidence_kind: EvidenceKind


class StageGuidance(BaseModel):
    stage: Stage
    label: str
    checklist: list[ChecklistItemGuidance]


class Vocabulary(BaseModel):
    """The words of the process with their German labels, for forms and filters."""

    stages: list[StageGuidance]
    target_groups: list[Term]
    participation_formats: list[Term]
    swot_kinds: list[Term]
    measure_statuses: list[Term]
    measure_required_fields: list[Term]
    indicators: list[Term]
