"""Request and response bodies of kommunen."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Bundesland = Annotated[str, StringConstraints(pattern=r"^(SH|HH|NI|HB|NW|HE|RP|BW|BY|SL|BE|BB|MV|SN|ST|TH)$")]


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


class MunicipalityCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ags: Annotated[str, StringConstraints(pattern=r"^\d{5,12}$")] | None = None
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    kind: MunicipalityKind
    bundesland: Bundesland | None = None
    population: Annotated[int, Field(ge=0, le=100_000_000)] | None = None
    programmes: Annotated[list[Programme], Field(min_length=1, max_length=3)]


class Municipality(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    ags: str | None
    name: str
    kind: MunicipalityKind
    bundesland: str
    population: int | None
    programmes: list[str]
    created_at: datetime
    updated_at: datetime
