"""Queries: reading through every service."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import strawberry
from strawberry.types import Info

from gateway.context import Context
from gateway.errors import bad_input
from gateway.operations import present
from gateway.pagination import MAX_PAGE_SIZE, PageRequest, check_page_size, page_request, slice_page
from gateway.selection import selects
from gateway.types.common import (
    Topic,
    as_id,
    as_programme,
    given,
)
from gateway.types.exchange import ComparableMunicipality, Practice, PracticeConnection
from gateway.types.municipality import (
    Municipality,
    MunicipalityConnection,
    MunicipalityFilter,
    load_ahead,
)
from gateway.types.notification import NotificationConnection, NotificationPreference
from gateway.types.process import ProgrammeOverview
from gateway.types.questions import (
    ContentReportConnection,
    Question,
    QuestionConnection,
)

MAX_SEARCH_LENGTH = 500


@strawberry.type
class Query:
    @strawberry.field(description="One municipality by id or by official key (exactly one of the two).")
    async def municipality(
        self, info: Info[Context, None], id: strawberry.ID | None = None, ags: str | None = None
    ) -> Municipality | None:
        if (id is None) == (ags is None):
            raise bad_input("Give exactly one of `id` and `ags`.")
        if id is not None:
            found = await info.context.kommunen.municipality(as_id(id, "id"))
        else:
            assert ags is not None
            if not ags.isdigit() or not 5 <= len(ags) <= 12:
                raise bad_input("`ags` is an official key of 5 to 12 digits, e.g. 05913000.", argument="ags")
            found = await info.context.kommunen.municipality_by_ags(ags)
        return Municipality.from_service(found) if found is not None else None

    @strawberry.field
    async def municipalities(
        self,
        info: Info[Context, None],
        filter: MunicipalityFilter | None = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> MunicipalityConnection:
        request = page_request(given(first, 50), after)
        criteria = filter or MunicipalityFilter()
        programme = as_programme(str(criteria.programme)) if present(criteria.programme) else None
        filters: dict[str, Any] = {
            "programme": programme,
            "bundesland": criteria.bundesland if present(criteria.bundesland) else None,
            "kind": criteria.kind.value if present(criteria.kind) else None,  # type: ignore[union-attr]
            "topic": criteria.topic if present(criteria.topic) else None,
            "name": criteria.name_contains if present(criteria.name_contains) else None,
        }
        if not (present(criteria.stage) or present(criteria.overdue)):
            shown = slice_page(await info.context.kommunen.list_municipalities(filters, request), request)
            return await load_ahead(info, MunicipalityConnection.from_slice(shown))
        # Where each municipality stands is prozess's knowledge: it pages, kommunen fills in the records.
        stage = criteria.stage.value if present(criteria.stage) else None  # type: ignore[union-attr]
        overdue = criteria.overdue if present(criteria.overdue) else None
        if not any(value is not None for key, value in filters.items() if key != "programme"):
            id_page = await info.context.prozess.municipality_ids(programme, stage, overdue, request)
            shown = slice_page({**id_page, "items": [{"id": str(i)} for i in id_page.get("items") or []]}, request)
            ids = [item["id"] for _, item in shown.items]
            loaded = await info.context.kommunen.municipalities.load_many(ids)
            records = {i: r for i, r in zip(ids, loaded, strict=True) if r is not None}
            kept = [(cursor, records[item["id"]]) for cursor, item in shown.items if item["id"] in records]
            return await load_ahead(info, MunicipalityConnection.from_slice(replace(shown, items=kept)))
        # Both services' filters: a full page of prozess's matches, narrowed by kommunen, is the page paged in.
        whole = PageRequest(MAX_PAGE_SIZE, request.service_after, 0)
        id_page = await info.context.prozess.municipality_ids(programme, stage, overdue, whole)
        ids = [str(i) for i in id_page.get("items") or []]
        found = (
            await info.context.kommunen.list_municipalities(filters, page_request(MAX_PAGE_SIZE, None), ids)
            if ids
            else {}
        )
        records = {str(r["id"]): r for r in found.get("items") or []}
        matching = [records[i] for i in ids if i in records]
        every_match_seen = id_page.get("next_cursor") is None and request.service_after is None
        page = {
            "items": matching,
            "next_cursor": id_page.get("next_cursor"),
            "total_count": len(matching) if every_match_seen else id_page.get("total_count"),
        }
        return await load_ahead(info, MunicipalityConnection.from_slice(slice_page(page, request)))

    @strawberry.field
    async def programme_overview(self, info: Info[Context, None], programme: str = "ZWK") -> ProgrammeOverview:
        return ProgrammeOverview.from_service(await info.context.prozess.overview(as_programme(programme)))

    @strawberry.field
    async def topics(self, info: Info[Context, None]) -> list[Topic]:
        return [Topic.from_service(t) for t in await info.context.kommunen.topics()]

    @strawberry.field
    async def practice(self, info: Info[Context, None], id: strawberry.ID) -> Practice | None:
        found = await info.context.austausch.practice(as_id(id, "id"))
        return Practice.from_service(found) if found is not None else None

    @strawberry.field(description="German full-text search, best match first; no search = newest first.")
    async def practices(
        self,
        info: Info[Context, None],
        search: str | None = None,
        topics: list[str] | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> PracticeConnection:
        request = page_request(given(first, 20), after)
        if search is not None and len(search) > MAX_SEARCH_LENGTH:
            raise bad_input(f"`search` may hold at most {MAX_SEARCH_LENGTH} characters.", argument="search")
        if topics is not None and len(topics) > 50:
            raise bad_input("`topics` may name at most 50 topics.", argument="topics")
        page = await info.context.austausch.search_practices(
            search or None, topics, request, facets=selects(info, "facets")
        )
        return PracticeConnection.from_slice(slice_page(page, request), page.get("facets"))

    @strawberry.field(description="The practices of the municipalities most comparable to this one, best first.")
    async def comparable_practices(
        self, info: Info[Context, None], municipality_id: strawberry.ID, first: int | None = 10
    ) -> list[Practice]:
        size = check_page_size(given(first, 10))
        found = await info.context.austausch.comparable_practices(as_id(municipality_id, "municipalityId"), size)
        return [Practice.from_service(p) for p in found[:size]]

    @strawberry.field(description="The municipalities most comparable to this one, with the reasons, best first.")
    async def comparable_municipalities(
        self, info: Info[Context, None], municipality_id: strawberry.ID, first: int | None = 10
    ) -> list[ComparableMunicipality]:
        size = check_page_size(given(first, 10))
        found = await info.context.austausch.comparable_municipalities(as_id(municipality_id, "municipalityId"), size)
        return [ComparableMunicipality.from_service(m) for m in found[:size]]

    @strawberry.field(description="How many notifications in the caller's inbox are unread.")
    async def unread_notification_count(self, info: Info[Context, None]) -> int:
        return await info.context.benachrichtigung.unread_count()

    @strawberry.field(description="The caller's channel and frequency for every kind of notification.")
    async def my_notification_preferences(self, info: Info[Context, None]) -> list[NotificationPreference]:
        return [NotificationPreference.from_service(p) for p in await info.context.benachrichtigung.preferences()]

    @strawberry.field
    async def question(self, info: Info[Context, None], id: strawberry.ID) -> Question | None:
        found = await info.context.austausch.questions.load(as_id(id, "id"))
        return Question.from_service(found) if found is not None else None

    @strawberry.field(description="Questions to all municipalities, newest first.")
    async def questions(
        self,
        info: Info[Context, None],
        topics: list[str] | None = None,
        answered: bool | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> QuestionConnection:
        request = page_request(given(first, 20), after)
        page = await info.context.austausch.list_questions(topics, answered, request)
        return QuestionConnection.from_slice(slice_page(page, request))

    @strawberry.field(description="Office only: reports about content, oldest first.")
    async def moderation_queue(
        self,
        info: Info[Context, None],
        status: str = "OPEN",
        target_kind: str | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> ContentReportConnection:
        request = page_request(given(first, 20), after)
        page = await info.context.austausch.moderation_queue(status, target_kind, request)
        return ContentReportConnection.from_slice(slice_page(page, request))

    @strawberry.field(description="The caller's own inbox.")
    async def my_notifications(
        self,
        info: Info[Context, None],
        unread_only: bool | None = False,
        first: int | None = 20,
        after: str | None = None,
    ) -> NotificationConnection:
        request = page_request(given(first, 20), after)
        page = await info.context.benachrichtigung.inbox(bool(unread_only), request)
        return NotificationConnection.from_slice(slice_page(page, request))
