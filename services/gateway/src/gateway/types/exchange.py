"""The exchange forum: practices (Praxisbeispiele) and their comments."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry.types import Info

from gateway.context import Context
from gateway.errors import NOT_FOUND, GatewayError, bad_input
from gateway.pagination import MAX_PAGE_SIZE, Slice, page_request, slice_offsets
from gateway.selection import selects
from gateway.types.common import PageInfo, Topic, as_datetime, given, topics_by_keys
from gateway.types.municipality import Municipality, municipality_or_error

# What only kommunen's record of a municipality holds (a search hit names the rest).
KOMMUNEN_ONLY = ("ags", "memberKeys", "population", "programmes", "topics")


@strawberry.type
class Comment:
    id: strawberry.ID
    body: str
    author_name: str
    created_at: datetime

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> Comment:
        created = as_datetime(data["created_at"])
        assert created is not None
        # A person without a display name in their token is shown as their municipality.
        author = data.get("author_name") or data.get("municipality_name") or "Unbekannt"
        return cls(id=strawberry.ID(str(data["id"])), body=data["body"], author_name=author, created_at=created)


@strawberry.type
class CommentEdge:
    node: Comment
    cursor: str


@strawberry.type
class CommentConnection:
    edges: list[CommentEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_slice(cls, page: Slice) -> CommentConnection:
        return cls(
            edges=[CommentEdge(node=Comment.from_service(item), cursor=cursor) for cursor, item in page.items],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count,
        )


@strawberry.type
class Practice:
    """A practice built from what is at hand (a list entry, an event); the rest is read when asked for."""

    id: strawberry.ID
    title: str
    data: strawberry.Private[dict[str, Any]]

    async def _field(self, info: Info[Context, None], name: str) -> Any:
        if name not in self.data:
            full = await info.context.austausch.practice(str(self.id))
            if full is None:
                raise GatewayError(f"The practice {self.id} is no longer published.", NOT_FOUND)
            self.data = {**full, **self.data}
        return self.data.get(name)

    # A search hit or a list entry carries the summary, the date and the municipality's name: those
    # fields answer at once, and only otherwise wait for the practice. graphql-core spends a task on
    # every async resolver, sixty for a page of twenty hits; a value is awaited only if it is one.

    async def _text(self, info: Info[Context, None], name: str) -> str:
        return str(await self._field(info, name))

    @strawberry.field
    def summary(self, info: Info[Context, None]) -> str:
        if "summary" in self.data:
            return str(self.data["summary"])
        return cast("str", self._text(info, "summary"))

    @strawberry.field
    async def body(self, info: Info[Context, None]) -> str:
        return str(await self._field(info, "body"))

    @strawberry.field
    async def topics(self, info: Info[Context, None]) -> list[Topic]:
        keys = await self._field(info, "topics") or []
        return await topics_by_keys(info, [k if isinstance(k, str) else k["key"] for k in keys])

    @strawberry.field
    def municipality(self, info: Info[Context, None]) -> Municipality:
        embedded = self.data.get("municipality")
        # A search hit names its municipality (id, name, kind, Land): asked for no more, kommunen is not asked.
        if isinstance(embedded, dict) and not selects(info, *KOMMUNEN_ONLY):
            return Municipality.from_service(embedded)
        return cast("Municipality", self._municipality(info))

    async def _municipality(self, info: Info[Context, None]) -> Municipality:
        return Municipality.from_service(await municipality_or_error(info, str(self.data["municipality_id"])))

    @strawberry.field
    def published_at(self, info: Info[Context, None]) -> datetime | None:
        if "published_at" in self.data:
            return as_datetime(self.data["published_at"])
        return cast("datetime | None", self._published_at(info))

    async def _published_at(self, info: Info[Context, None]) -> datetime | None:
        return as_datetime(await self._field(info, "published_at"))

    @strawberry.field
    async def comments(
        self, info: Info[Context, None], first: int | None = 20, after: str | None = None
    ) -> CommentConnection:
        request = page_request(given(first, 20), after)
        if request.offset >= MAX_PAGE_SIZE:
            raise bad_input(
                f"Only the first {MAX_PAGE_SIZE} comments of a practice can be paged through.", argument="after"
            )
        oldest = await info.context.austausch.oldest_comments.load((str(self.id), request.service_first))
        total = await self._field(info, "comment_count")
        return CommentConnection.from_slice(slice_offsets(oldest, int(total or 0), request))

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> Practice:
        """From a practice record, a search hit, or a `practice.*` event's payload (which names it `practice_id`)."""
        record = dict(data)
        record.setdefault("id", record.get("practice_id"))
        if isinstance(record.get("municipality"), dict):
            record.setdefault("municipality_id", record["municipality"]["id"])
        return cls(id=strawberry.ID(str(record["id"])), title=record["title"], data=record)


@strawberry.type
class PracticeEdge:
    node: Practice
    cursor: str


@strawberry.type(description="How many practices found carry a topic.")
class TopicFacet:
    key: str
    label: str
    count: int


@strawberry.type
class PracticeConnection:
    edges: list[PracticeEdge]
    page_info: PageInfo
    total_count: int
    facets: list[TopicFacet] | None = strawberry.field(
        default=None, description="of a search: matches per topic, every filter but the topics applied"
    )

    @classmethod
    def counted(cls, total_count: int) -> PracticeConnection:
        """Only the count, for a query that selects nothing else of the connection."""
        return cls(edges=[], page_info=PageInfo(has_next_page=False, end_cursor=None), total_count=total_count)

    @classmethod
    def from_slice(cls, page: Slice, facets: list[dict[str, Any]] | None = None) -> PracticeConnection:
        return cls(
            edges=[PracticeEdge(node=Practice.from_service(item), cursor=cursor) for cursor, item in page.items],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count,
            facets=None
            if facets is None
            else [TopicFacet(key=f["topic"], label=f["label"], count=int(f["count"])) for f in facets],
        )


@strawberry.type(description="A comparable municipality (Strukturzwilling) and why it is one.")
class ComparableMunicipality:
    municipality_id: strawberry.Private[str]
    score: float = strawberry.field(description="0 to 1")
    reasons: list[str] = strawberry.field(description='in German, e.g. "ähnliche Größe", "ebenfalls ländlich"')
    distance_km: float | None
    shared_topic_keys: strawberry.Private[list[str]]

    @strawberry.field
    async def municipality(self, info: Info[Context, None]) -> Municipality:
        return Municipality.from_service(await municipality_or_error(info, self.municipality_id))

    @strawberry.field
    async def shared_topics(self, info: Info[Context, None]) -> list[Topic]:
        return await topics_by_keys(info, self.shared_topic_keys)

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> ComparableMunicipality:
        return cls(
            municipality_id=str(data["municipality_id"]),
            score=float(data["score"]),
            reasons=list(data.get("reasons") or []),
            distance_km=data.get("distance_km"),
            shared_topic_keys=list(data.get("shared_topics") or []),
        )


@strawberry.input
class PracticeInput:
    municipality_id: strawberry.ID
    title: str
    summary: str
    body: str
    topics: list[str]
