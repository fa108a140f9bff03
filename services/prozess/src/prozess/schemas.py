"""Request and response bodies of prozess."""

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from prozess.stages import Stage, StageStatus


class StageProgress(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    stage: Stage
    status: StageStatus
    due_date: date | None
    started_at: datetime | None
    completed_at: datetime | None


class Process(BaseModel):
    municipality_id: UUID
    programme: str
    stages: list[StageProgress]
