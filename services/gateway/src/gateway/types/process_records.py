"""What a municipality records in its process: Werkstattplan measures, SWOT items, participation events."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.types import Info

from gateway.context import Context
from gateway.pagination import Slice
from gateway.types.common import PageInfo, Topic, as_date, topics_by_keys


def _euro(value: Any) -> float | None:
    return None if value is None else float(Decimal(str(value)))


@strawberry.type
class Milestone:
    title: str
    due_date: date | None
    done: bool


@strawberry.type(description="One line of the Werkstattplan.")
class Measure:
    id: strawberry.ID
    title: str
    topic_key: strawberry.Private[str]
    goal: str | None
    responsible: str | None
    period_start: date | None
    period_end: date | None
    budget_eur: float | None
    budget_used_eur: float | None
    funding_source: str | None
    target_groups: list[str]
    status: str = strawberry.field(description="PLANNED, RUNNING, DONE or DROPPED")
    status_label: str
    milestones: list[Milestone]
    complete: bool = strawberry.field(description="whether every field the Werkstattplan asks for is filled in")

    @strawberry.field
    async def topic(self, info: Info[Context, None]) -> Topic | None:
        found = await topics_by_keys(info, [self.topic_key])
        return found[0] if found else None

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> Measure:
        return cls(
            id=strawberry.ID(str(data["id"])),
            title=data["title"],
            topic_key=data["topic"],
            goal=data.get("goal"),
            responsible=data.get("responsible"),
            period_start=as_date(data.get("period_start")),
            period_end=as_date(data.get("period_end")),
            budget_eur=_euro(data.get("budget_eur")),
            budget_used_eur=_euro(data.get("budget_used_eur")),
            funding_source=data.get("funding_source"),
            target_groups=list(data.get("target_groups") or []),
            status=data["status"],
            status_label=data.get("status_label") or data["status"],
            milestones=[
                Milestone(title=m["title"], due_date=as_date(m.get("due_date")), done=bool(m.get("done")))
                for m in data.get("milestones") or []
            ],
            complete=bool(data.get("complete", False)),
        )


@strawberry.type(description="A strength, weakness, opportunity or threat of the Kommunalprofil.")
class SwotItem:
    id: strawberry.ID
    kind: str = strawberry.field(description="STRENGTH, WEAKNESS, OPPORTUNITY or THREAT")
    kind_label: str
    text: str
    topic_keys: strawberry.Private[list[str]]

    @strawberry.field
    async def topics(self, info: Info[Context, None]) -> list[Topic]:
        return await topics_by_keys(info, self.topic_keys)

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> SwotItem:
        return cls(
            id=strawberry.ID(str(data["id"])),
            kind=data["kind"],
            kind_label=data.get("kind_label") or data["kind"],
            text=data["text"],
            topic_keys=list(data.get("topics") or []),
        )


@strawberry.type(description="A citizens' dialogue, workshop, survey … (Beteiligungsformat).")
class ParticipationEvent:
    id: strawberry.ID
    title: str
    format: str
    format_label: str
    held_on: date
    place: str | None
    participant_count: int | None
    groups_reached: list[str]
    documentation_link: str | None

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> ParticipationEvent:
        held_on = as_date(data["held_on"])
        assert held_on is not None
        return cls(
            id=strawberry.ID(str(data["id"])),
            title=data["title"],
            format=data["format"],
            format_label=data.get("format_label") or data["format"],
            held_on=held_on,
            place=data.get("place"),
            participant_count=data.get("participant_count"),
            groups_reached=list(data.get("groups_reached") or []),
            documentation_link=data.get("documentation_link"),
        )


@strawberry.type
class MeasureEdge:
    node: Measure
    cursor: str


@strawberry.type
class MeasureConnection:
    edges: list[MeasureEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_slice(cls, page: Slice) -> MeasureConnection:
        return cls(
            edges=[MeasureEdge(node=Measure.from_service(item), cursor=cursor) for cursor, item in page.items],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count,
        )


@strawberry.type
class SwotItemEdge:
    node: SwotItem
    cursor: str


@strawberry.type
class SwotItemConnection:
    edges: list[SwotItemEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_slice(cls, page: Slice) -> SwotItemConnection:
        return cls(
            edges=[SwotItemEdge(node=SwotItem.from_service(item), cursor=cursor) for cursor, item in page.items],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count,
        )


@strawberry.type
class ParticipationEventEdge:
    node: ParticipationEvent
    cursor: str


@strawberry.type
class ParticipationEventConnection:
    edges: list[ParticipationEventEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_slice(cls, page: Slice) -> ParticipationEventConnection:
        return cls(
            edges=[
                ParticipationEventEdge(node=ParticipationEvent.from_service(item), cursor=cursor)
                for cursor, item in page.items
            ],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count,
        )
