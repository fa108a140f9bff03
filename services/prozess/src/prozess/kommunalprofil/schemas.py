"""Request and response bodies of the Kommunalprofil: indicators and SWOT items."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from prozess.fields import LongText, Number, ShortText, Topics
from prozess.vocabulary import SwotKind


class IndicatorSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: ShortText | None = None
    value: Number
    unit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)] | None = None
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None
    source: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)] | None = None


class Indicator(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str
    label: str
    value: float
    unit: str | None
    year: int | None
    source: str | None
    prefilled: bool
    updated_at: datetime
    updated_by: str | None


class SwotItemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: SwotKind
    text: LongText
    topics: Topics = []


class SwotItemUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: SwotKind | None = None
    text: LongText | None = None
    topics: Topics | None = None


class SwotItem(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    kind: SwotKind
    kind_label: str
    text: str
    topics: list[str]
    created_at: datetime
    created_by: str | None
