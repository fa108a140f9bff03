"""Request and response bodies of participation events (Beteiligungsformate) and measure ideas."""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from prozess.fields import Link, LongText, ShortText, Topics
from prozess.vocabulary import ParticipationFormat, TargetGroup

ParticipantCount = Annotated[int, Field(ge=0, le=10_000_000)]
Groups = Annotated[list[TargetGroup], Field(max_length=len(TargetGroup))]


class ParticipationEventCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: ShortText
    format: ParticipationFormat
    held_on: date
    place: ShortText | None = None
    participant_count: ParticipantCount | None = None
    groups_reached: Groups = []
    documentation_link: Link | None = None


class ParticipationEventUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: ShortText | None = None
    format: ParticipationFormat | None = None
    held_on: date | None = None
    place: ShortText | None = None
    participant_count: ParticipantCount | None = None
    groups_reached: Groups | None = None
    documentation_link: Link | None = None


class ParticipationEvent(BaseModel):
    id: UUID
    title: str
    format: ParticipationFormat
    format_label: str
    held_on: date
    place: str | None
    participant_count: int | None
    groups_reached: list[TargetGroup]
    documentation_link: str | None
    created_at: datetime
    created_by: str | None


class IdeaCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: ShortText
    description: LongText | None = None
    topics: Topics = []
    priority: Annotated[int, Field(ge=1, le=1000, description="1 is the highest")] | None = None
    participation_event_id: UUID | None = None


class Idea(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    title: str
    description: str | None
    topics: list[str]
    priority: int | None
    participation_event_id: UUID | None
    created_at: datetime
    created_by: str | None
