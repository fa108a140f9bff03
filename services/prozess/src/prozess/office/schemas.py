"""Response bodies of the office's views over all processes of a programme."""

from uuid import UUID

from pydantic import BaseModel

from prozess.stages import Stage


class StageCount(BaseModel):
    stage: Stage
    label: str
    in_progress: int
    completed: int


class ProgrammeOverview(BaseModel):
    programme: str
    municipalities: int
    stages: list[StageCount]
    overdue_count: int
    overdue_municipality_ids: list[UUID]
