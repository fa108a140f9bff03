"""Request and response bodies of municipality records."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from kommunen.keys import BUNDESLAENDER
from kommunen.topics.schemas import TopicKey

Bundesland = Annotated[str, StringConstraints(pattern=rf"^({'|'.join(BUNDESLAENDER)})$")]
# Loose on purpose: the rules check digits, length and register and say what is wrong.
OfficialKey = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# Strict: "12" or true is a wrong type for a count, not a count.
Population = Annotated[int, Field(strict=True, ge=0, le=100_000_000)]


class MunicipalityKind(StrEnum):
    GEMEINDE = "GEMEINDE"
    STADT = "STADT"
    KREISFREIE_STADT = "KREISFREIE_STADT"
    LANDKREIS = "LANDKREIS"
    GEMEINDEVERBAND = "GEMEINDEVERBAND"
    REGIONALVERBAND = "REGIONALVERBAND"
    QUARTIER = "QUARTIER"
    VERBUND = "VERBUND"


class Programme(StrEnum):
    DWK = "DWK"
    ZWK = "ZWK"
    DAKS = "DAKS"


class ZwkCluster(StrEnum):
    WEST = "WEST"
    NORD_OST = "NORD_OST"
    SUED = "SUED"


class ParticipationInput(BaseModel):
    """A programme with its own period (default: the programme's term) and, for ZWK, the regional cluster."""

    model_config = ConfigDict(extra="forbid")

    programme: Programme
    starts_on: date | None = None
    ends_on: date | None = None
    cluster: ZwkCluster | None = None


# "ZWK" alone, or {"programme": "ZWK", "cluster": "WEST", ...}.
ProgrammeInput = Annotated[Programme | ParticipationInput, Field(union_mode="left_to_right")]


class MunicipalityCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: MunicipalityKind
    ags: OfficialKey | None = Field(None, description="the official key where the participant is one territorial unit")
    member_keys: Annotated[list[OfficialKey], Field(max_length=100)] = Field(
        default_factory=list, description="a VERBUND's members, or a QUARTIER's city"
    )
    quarter: Name | None = Field(None, description="a QUARTIER's name within its city")
    name: Name | None = Field(None, description="defaults to the register's name")
    bundesland: Bundesland | None = Field(None, description="needed only where no key gives it")
    population: Population | None = Field(None, description="defaults to the register's latest count")
    programmes: Annotated[list[ProgrammeInput], Field(min_length=1, max_length=3)]
    topics: Annotated[list[TopicKey], Field(max_length=50)] = Field(default_factory=list)
    adviser_subjects: Annotated[list[Subject], Field(max_length=20)] = Field(default_factory=list)


class MunicipalityUpdate(BaseModel):
    """A partial change; a field left out stays as it is. Topics alone a municipality may change itself."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    population: Population | None = None
    bundesland: Bundesland | None = None
    member_keys: Annotated[list[OfficialKey], Field(max_length=100)] | None = None
    quarter: Name | None = None
    programmes: Annotated[list[ProgrammeInput], Field(min_length=1, max_length=3)] | None = None
    topics: Annotated[list[TopicKey], Field(max_length=50)] | None = None
    adviser_subjects: Annotated[list[Subject], Field(max_length=20)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_nulls_where_a_value_is_needed(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for field in ("name", "bundesland", "member_keys", "quarter", "programmes", "topics", "adviser_subjects"):
                if field in data and data[field] is None:
                    raise ValueError(f"{field} cannot be null; leave it out to keep it")
        return data


class Participation(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    programme: Programme
    starts_on: date
    ends_on: date | None
    cluster: ZwkCluster | None


class Municipality(BaseModel):
    id: UUID
    ags: str | None
    member_keys: list[str]
    quarter: str | None
    name: str
    kind: MunicipalityKind
    bundesland: str
    population: int | None
    kreis_key: str | None
    urbanisation: int | None = Field(description="1 dicht, 2 mittel, 3 gering besiedelt")
    latitude: float | None
    longitude: float | None
    programmes: list[str]
    participations: list[Participation]
    zwk_cluster: ZwkCluster | None
    topics: list[str]
    adviser_subjects: list[str] | None = Field(
        description="the assigned advisers; null where the caller may not see them"
    )
    created_at: datetime
    updated_at: datetime


class MunicipalityFilter(BaseModel):
    programme: Programme | None = None
    bundesland: Bundesland | None = None
    kind: MunicipalityKind | None = None
    topic: TopicKey | None = None
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = None
