"""Request and response bodies of reports and moderation."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from austausch.texts import PROSE
from austausch.vocabulary import ContentKind, ReportAction, ReportStatus

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=1000), PROSE]


class ReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_kind: ContentKind
    target_id: UUID
    reason: Reason


class Report(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    target_kind: ContentKind
    target_id: UUID
    reason: str
    reporter_subject: str
    status: ReportStatus
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    resolution_note: str | None


class QueuedReport(Report):
    """A report in the office's queue, with what it is about."""

    target_title: str | None = Field(description="the title, or the beginning of an answer or comment")
    target_municipality_id: UUID | None
    target_hidden: bool
    open_reports_on_target: int


class HideRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason


class BulkAction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    report_ids: Annotated[list[UUID], Field(min_length=1, max_length=100)]
    action: ReportAction
    reason: Reason | None = Field(None, description="required to hide: the author is told it")

    @model_validator(mode="after")
    def _hiding_needs_a_reason(self) -> "BulkAction":
        if self.action is ReportAction.HIDE and self.reason is None:
            raise ValueError("hiding needs a reason")
        return self


class Moderated(BaseModel):
    target_kind: ContentKind
    target_id: UUID
    hidden: bool
    hidden_at: datetime | None
    hidden_reason: str | None


class BulkResult(BaseModel):
    resolved_reports: int
    hidden: list[Moderated]
