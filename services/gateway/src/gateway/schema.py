"""The GraphQL schema: the core contract and what the office and dashboards need beyond it."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from gateway.clients import ServiceError
from gateway.context import Context


@strawberry.enum
class MunicipalityKind(Enum):
    GEMEINDE = "GEMEINDE"
    STADT = "STADT"
    KREISFREIE_STADT = "KREISFREIE_STADT"
    LANDKREIS = "LANDKREIS"
    GEMEINDEVERBAND = "GEMEINDEVERBAND"
    REGIONALVERBAND = "REGIONALVERBAND"
    QUARTIER = "QUARTIER"
    VERBUND = "VERBUND"


@strawberry.enum
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


@strawberry.type
class StageProgress:
    stage: Stage
    status: StageStatus
    started_at: datetime | None
    completed_at: datetime | None
    due_date: date | None

    @strawberry.field
    def overdue(self) -> bool:
        return self.status is StageStatus.IN_PROGRESS and self.due_date is not None and self.due_date < date.today()

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> StageProgress:
        return cls(
            stage=Stage(data["stage"]),
            status=StageStatus(data["status"]),
            started_at=data.get("started_at"),
            completed_at=data.get("completed_at"),
            due_date=data.get("due_date"),
        )


@strawberry.type
class Municipality:
    id: strawberry.ID
    ags: str | None
    name: str
    kind: MunicipalityKind
    bundesland: str
    population: int | None
    programmes: list[str]

    @strawberry.field
    async def stages(self, info: Info[Context, None]) -> list[StageProgress]:
        processes = await info.context.processes.load(UUID(str(self.id)))
        if not processes:
            return []
        # The ZWK process where there is one: it is the programme the office follows most closely.
        process = next((p for p in processes if p["programme"] == "ZWK"), processes[0])
        return [StageProgress.from_service(s) for s in process["stages"]]

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> Municipality:
        return cls(
            id=strawberry.ID(data["id"]),
            ags=data.get("ags"),
            name=data["name"],
            kind=MunicipalityKind(data["kind"]),
            bundesland=data["bundesland"],
            population=data.get("population"),
            programmes=data.get("programmes", []),
        )


@strawberry.type
class Query:
    @strawberry.field(description="One municipality by id or by official key (exactly one of the two).")
    async def municipality(
        self, info: Info[Context, None], id: strawberry.ID | None = None, ags: str | None = None
    ) -> Municipality | None:
        if (id is None) == (ags is None):
            raise ServiceError("Give exactly one of id and ags.", "BAD_USER_INPUT")
        try:
            if id is not None:
                data = await info.context.call("kommunen", "GET", f"/municipalities/{id}")
            else:
                data = await info.context.call("kommunen", "GET", f"/municipalities/by-ags/{ags}")
        except ServiceError as error:
            if error.extensions and error.extensions.get("code") == "NOT_FOUND":
                return None
            raise
        return Municipality.from_service(data)


schema = strawberry.Schema(query=Query)
