"""Request and response bodies of questions and answers."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from austausch.practices.schemas import Title, Topics
from austausch.texts import PROSE

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000), PROSE]


class QuestionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    municipality_id: UUID = Field(description="the municipality that asks")
    title: Title
    body: Text
    topics: Topics


class QuestionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    body: Text | None = None
    topics: Topics | None = None

    @model_validator(mode="after")
    def _no_removal(self) -> "QuestionUpdate":
        for name in self.model_fields_set:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be removed")
        return self


class Question(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    municipality_id: UUID
    municipality_name: str
    author_subject: str
    author_name: str | None
    title: str
    body: str
    topics: list[str]
    accepted_answer_id: UUID | None
    answer_count: int
    created_at: datetime
    updated_at: datetime
    hidden: bool
    hidden_reason: str | None = None


class AnswerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Text
    municipality_id: UUID | None = Field(
        None, description="the municipality answering; a municipality's own token answers for it by default"
    )


class Answer(BaseModel):
    id: UUID
    question_id: UUID
    municipality_id: UUID | None
    municipality_name: str | None
    author_subject: str
    author_name: str | None
    body: str
    accepted: bool
    created_at: datetime
    hidden: bool
    hidden_reason: str | None = None
