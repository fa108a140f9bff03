"""Scalars' helpers, enums, page info and topics: what every part of the schema uses."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from gateway.context import Context
from gateway.errors import bad_input


@strawberry.enum(description="What kind of participant a municipality is.")
class MunicipalityKind(Enum):
    GEMEINDE = "GEMEINDE"
    STADT = "STADT"
    KREISFREIE_STADT = "KREISFREIE_STADT"
    LANDKREIS = "LANDKREIS"
    GEMEINDEVERBAND = "GEMEINDEVERBAND"
    REGIONALVERBAND = "REGIONALVERBAND"
    QUARTIER = "QUARTIER"
    VERBUND = "VERBUND"


@strawberry.enum(description="The five stages of the ZWK process, in order.")
class Stage(Enum):
    KICK_OFF = "KICK_OFF"
    KOMMUNALPROFIL = "KOMMUNALPROFIL"
    ZUKUNFTSWERKSTATT = "ZUKUNFTSWERKSTATT"
    WERKSTATTPLAN = "WERKSTATTPLAN"
    ZWISCHENBILANZ = "ZWISCHENBILANZ"


@strawberry.enum
class StageStatus(Enum):
    NOT_STARTED = "NOT_STARTED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"


PROGRAMMES = ("DWK", "ZWK", "DAKS")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type(description='A topic (Handlungsfeld), e.g. key "wohnen", label "Wohnen".')
class Topic:
    key: str
    label: str
    parent_key: strawberry.Private[str | None]

    @strawberry.field
    async def parent(self, info: Info[Context, None]) -> Topic | None:
        if self.parent_key is None:
            return None
        found = await info.context.kommunen.topic(self.parent_key)
        return Topic.from_service(found) if found is not None else None

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> Topic:
        return cls(key=data["key"], label=data["label"], parent_key=data.get("parent"))


async def topics_by_keys(info: Info[Context, None], keys: list[str]) -> list[Topic]:
    """The topics of these keys, in their order; a key the register no longer knows is left out."""
    known = {topic["key"]: topic for topic in await info.context.kommunen.topics()}
    return [Topic.from_service(known[key]) for key in keys if key in known]


def as_id(value: object, argument: str) -> str:
    """An id argument as the service's UUID; anything else is the caller's mistake, said so."""
    try:
        return str(UUID(str(value)))
    except ValueError as exc:
        raise bad_input(f"`{argument}` is not a valid id.", argument=argument) from exc


def as_programme(value: str, argument: str = "programme") -> str:
    if value not in PROGRAMMES:
        raise bad_input(f"`{argument}` must be one of {', '.join(PROGRAMMES)}.", argument=argument)
    return value


def as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def given(value: int | None, default: int) -> int:
    """A nullable argument with a default, where an explicit null means the default."""
    return default if value is None else value
