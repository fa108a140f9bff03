"""Municipalities (participants) and what the gateway gathers about them from every service."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from gateway.context import Context
from gateway.errors import FORBIDDEN, NOT_FOUND, GatewayError
from gateway.pagination import PageRequest, Slice, page_request, slice_page
from gateway.selection import selects
from gateway.sources import NotLoaded
from gateway.types.common import MunicipalityKind, PageInfo, Stage, Topic, as_programme, given, topics_by_keys
from gateway.types.process import StageProgress, current_stage
from gateway.types.process_records import MeasureConnection, ParticipationEventConnection, SwotItemConnection
from zwk_common.auth import Role

if TYPE_CHECKING:
    from gateway.types.exchange import PracticeConnection

PracticeConnectionRef = Annotated["PracticeConnection", strawberry.lazy("gateway.types.exchange")]


@strawberry.type
class Municipality:
    id: strawberry.ID
    ags: str | None = strawberry.field(description="The official key of the territory; null for a QUARTIER or VERBUND.")
    member_keys: list[str]
    name: str
    kind: MunicipalityKind
    bundesland: str
    population: int | None
    programmes: list[str]
    topic_keys: strawberry.Private[list[str]]

    @strawberry.field
    async def topics(self, info: Info[Context, None]) -> list[Topic]:
        return await topics_by_keys(info, self.topic_keys)

    # currentStage, stages and a practice count are answered at once when a page of municipalities
    # loaded them ahead (`load_ahead`), and only otherwise wait for the services: graphql-core
    # awaits what a resolver returns if it is awaitable, and spends a task on every async resolver,
    # three hundred on a dashboard's page.

    @strawberry.field(description="Null before Kick-Off has started.")
    def current_stage(self, info: Info[Context, None]) -> Stage | None:
        process = info.context.prozess.loaded_process(str(self.id))
        if isinstance(process, NotLoaded):
            return cast("Stage | None", self._current_stage(info))
        return current_stage(process) if process is not None else None

    async def _current_stage(self, info: Info[Context, None]) -> Stage | None:
        process = await info.context.prozess.process(str(self.id))
        return current_stage(process) if process is not None else None

    @strawberry.field
    def stages(self, info: Info[Context, None]) -> list[StageProgress]:
        # Checklists are nine tenths of a process: read only when asked for.
        checklists = selects(info, "checklist")
        process = info.context.prozess.loaded_process(str(self.id), checklists=checklists)
        if isinstance(process, NotLoaded):
            return cast("list[StageProgress]", self._stages(info, checklists))
        return [StageProgress.from_service(s) for s in process["stages"]] if process is not None else []

    async def _stages(self, info: Info[Context, None], checklists: bool) -> list[StageProgress]:
        process = await info.context.prozess.process(str(self.id), checklists=checklists)
        return [StageProgress.from_service(s) for s in process["stages"]] if process is not None else []

    @strawberry.field(description="Its published practices, newest first.")
    def practices(
        self, info: Info[Context, None], first: int | None = 20, after: str | None = None
    ) -> PracticeConnectionRef:
        from gateway.types.exchange import PracticeConnection

        request = page_request(given(first, 20), after)
        if not selects(info, "edges", "pageInfo"):
            # A dashboard's practice count: austausch counts them and reads none.
            count = info.context.austausch.loaded_practice_count(str(self.id))
            if not isinstance(count, NotLoaded):
                return PracticeConnection.counted(count)
        return cast("PracticeConnection", self._practices(info, request))

    async def _practices(self, info: Info[Context, None], request: PageRequest) -> PracticeConnection:
        from gateway.types.exchange import PracticeConnection

        if not selects(info, "edges", "pageInfo"):
            return PracticeConnection.counted(await info.context.austausch.practice_count_of(str(self.id)))
        page = await info.context.austausch.practices_of(str(self.id), request)
        return PracticeConnection.from_slice(slice_page(page, request))

    @strawberry.field(
        description="The Werkstattplan: measures in the order recorded (main process unless named); "
        "like every record of the process only for the office, readers, the municipality and its advisers."
    )
    async def measures(
        self,
        info: Info[Context, None],
        programme: str | None = None,
        status: str | None = None,
        topic: str | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> MeasureConnection | None:
        request = page_request(given(first, 20), after)
        page = await _process_records(info, str(self.id), programme, "measures", request, status=status, topic=topic)
        return MeasureConnection.from_slice(slice_page(page, request))

    @strawberry.field(description="The SWOT analysis of the Kommunalprofil.")
    async def swot_items(
        self, info: Info[Context, None], programme: str | None = None, first: int | None = 20, after: str | None = None
    ) -> SwotItemConnection | None:
        request = page_request(given(first, 20), after)
        page = await _process_records(info, str(self.id), programme, "kommunalprofil/swot-items", request)
        return SwotItemConnection.from_slice(slice_page(page, request))

    @strawberry.field(description="Citizens' participation events (Beteiligungsformate).")
    async def participation_events(
        self, info: Info[Context, None], programme: str | None = None, first: int | None = 20, after: str | None = None
    ) -> ParticipationEventConnection | None:
        request = page_request(given(first, 20), after)
        page = await _process_records(info, str(self.id), programme, "participation-events", request)
        return ParticipationEventConnection.from_slice(slice_page(page, request))

    @strawberry.field(
        description="The Zwischenbilanz report generated from the process's data, as prozess gives it; "
        "null without a process."
    )
    async def zwischenbilanz(self, info: Info[Context, None], programme: str | None = None) -> JSON | None:
        require_process_readable(info, str(self.id))
        chosen = await programme_of(info, str(self.id), programme)
        if chosen is None:
            return None
        return cast(JSON, await info.context.prozess.zwischenbilanz(str(self.id), chosen))

    @strawberry.field(
        description="Whom to talk to; only the municipality itself, its advisers and the office see them."
    )
    async def contacts(
        self, info: Info[Context, None], first: int | None = 20, after: str | None = None
    ) -> ContactConnection | None:
        request = page_request(given(first, 20), after)
        if not info.context.caller.may_read_private(str(self.id)):
            raise GatewayError("Only the municipality itself, its advisers and the office see its contacts.", FORBIDDEN)
        page = await info.context.kommunen.contacts(str(self.id), request)
        return ContactConnection.from_slice(slice_page(page, request))

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> Municipality:
        return cls(
            id=strawberry.ID(str(data["id"])),
            ags=data.get("ags"),
            member_keys=list(data.get("member_keys") or []),
            name=data["name"],
            kind=MunicipalityKind(data["kind"]),
            bundesland=data["bundesland"],
            population=data.get("population"),
            programmes=list(data.get("programmes") or []),
            topic_keys=[t if isinstance(t, str) else t["key"] for t in data.get("topics") or []],
        )


async def _process_records(
    info: Info[Context, None],
    municipality_id: str,
    programme: str | None,
    resource: str,
    request: PageRequest,
    **filters: Any,
) -> dict[str, Any]:
    require_process_readable(info, municipality_id)
    chosen = await programme_of(info, municipality_id, programme)
    if chosen is None:
        return {"items": [], "next_cursor": None, "total_count": 0}
    return await info.context.prozess.records_of(municipality_id, chosen, resource, request, **filters)


def require_process_readable(info: Info[Context, None], municipality_id: str) -> None:
    """prozess's rule, said before asking: others see no process of a municipality at all, so no record is empty."""
    caller = info.context.caller
    if caller.role not in (Role.OFFICE, Role.READER) and not caller.may_act_for(municipality_id):
        raise GatewayError(
            "Only the municipality itself, its advisers, the office and readers see its process records.", FORBIDDEN
        )


async def programme_of(info: Info[Context, None], municipality_id: str, programme: str | None) -> str | None:
    """The programme named, or that of the municipality's main process; None where it has none."""
    if programme is not None:
        return as_programme(programme)
    process = await info.context.prozess.process(municipality_id)
    return str(process["programme"]) if process is not None else None


async def municipality_or_error(info: Info[Context, None], municipality_id: str) -> dict[str, Any]:
    found = await info.context.kommunen.municipality(municipality_id)
    if found is None:
        raise GatewayError(f"No municipality with the id {municipality_id} takes part.", NOT_FOUND)
    return found


@strawberry.type(description="A person to talk to in a municipality.")
class Contact:
    id: strawberry.ID
    name: str
    function: str | None
    email: str | None
    phone: str | None

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> Contact:
        return cls(
            id=strawberry.ID(str(data["id"])),
            name=data["name"],
            function=data.get("function"),
            email=data.get("email"),
            phone=data.get("phone"),
        )


@strawberry.type
class ContactEdge:
    node: Contact
    cursor: str


@strawberry.type
class ContactConnection:
    edges: list[ContactEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_slice(cls, page: Slice) -> ContactConnection:
        return cls(
            edges=[ContactEdge(node=Contact.from_service(item), cursor=cursor) for cursor, item in page.items],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count,
        )


@strawberry.type
class MunicipalityEdge:
    node: Municipality
    cursor: str


@strawberry.type
class MunicipalityConnection:
    edges: list[MunicipalityEdge]
    page_info: PageInfo
    total_count: int = strawberry.field(
        description="all that match; with stage or overdue and another filter exact while at most 100 match "
        "stage or overdue, beyond that the number matching stage or overdue"
    )

    @classmethod
    def from_slice(cls, page: Slice) -> MunicipalityConnection:
        return cls(
            edges=[
                MunicipalityEdge(node=Municipality.from_service(item), cursor=cursor) for cursor, item in page.items
            ],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count,
        )


async def load_ahead(info: Info[Context, None], page: MunicipalityConnection) -> MunicipalityConnection:
    """Load what the page's municipalities will be asked of prozess and austausch, for all of them at once.

    The services are asked side by side, once each, as the fields' loaders would; the fields
    then find their values loaded and answer at once. A load that fails is left to the fields,
    which report its error each as before.
    """
    ids = [str(edge.node.id) for edge in page.edges]
    node = ("edges", "node")
    with_checklists = selects(info, "checklist", within=(*node, "stages"))
    loads: list[Awaitable[Any]] = []
    if selects(info, "currentStage", within=node) or (selects(info, "stages", within=node) and not with_checklists):
        loads.append(info.context.prozess.summaries.load_many(ids))
    if with_checklists:
        loads.append(info.context.prozess.processes.load_many(ids))
    if selects(info, "practices", within=node) and not selects(info, "edges", "pageInfo", within=(*node, "practices")):
        loads.append(info.context.austausch.load_practice_counts(ids))
    if ids and loads:
        await asyncio.gather(*loads, return_exceptions=True)
    return page


@strawberry.input
class MunicipalityFilter:
    programme: str | None = strawberry.UNSET
    bundesland: str | None = strawberry.UNSET
    kind: MunicipalityKind | None = strawberry.UNSET
    stage: Stage | None = strawberry.field(default=strawberry.UNSET, description="whose current stage is this")
    overdue: bool | None = strawberry.field(default=strawberry.UNSET, description="with a stage past its due date")
    name_contains: str | None = strawberry.UNSET
    topic: str | None = strawberry.field(
        default=strawberry.UNSET, description="who chose this topic (or one of its sub-topics)"
    )


@strawberry.input
class RegisterMunicipalityInput:
    ags: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="looked up in the official register: name, population and region default from it",
    )
    member_keys: list[str] | None = strawberry.UNSET
    name: str
    kind: MunicipalityKind
    bundesland: str | None = strawberry.field(
        default=strawberry.UNSET, description="required only where no key gives it"
    )
    population: int | None = strawberry.UNSET
    programmes: list[str]
    topics: list[str] | None = strawberry.UNSET
