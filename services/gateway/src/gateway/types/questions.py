"""Questions and answers of the forum, and the office's moderation queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from gateway.context import Context
from gateway.errors import bad_input
from gateway.pagination import MAX_PAGE_SIZE, Slice, page_request, slice_offsets
from gateway.types.common import PageInfo, Topic, as_datetime, given, topics_by_keys
from gateway.types.municipality import Municipality, municipality_or_error


def _author(data: dict[str, Any]) -> str:
    return str(data.get("author_name") or data.get("municipality_name") or "Unbekannt")


@strawberry.type
class Answer:
    id: strawberry.ID
    body: str
    author_name: str
    accepted: bool = strawberry.field(description="the answer the asker found helpful")
    created_at: datetime

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> Answer:
        created = as_datetime(data["created_at"])
        assert created is not None
        return cls(
            id=strawberry.ID(str(data["id"])),
            body=data["body"],
            author_name=_author(data),
            accepted=bool(data.get("accepted", False)),
            created_at=created,
        )


@strawberry.type
class AnswerEdge:
    node: Answer
    cursor: str


@strawberry.type
class AnswerConnection:
    edges: list[AnswerEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_slice(cls, page: Slice) -> AnswerConnection:
        return cls(
            edges=[AnswerEdge(node=Answer.from_service(item), cursor=cursor) for cursor, item in page.items],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count,
        )


@strawberry.type(
    description='A question to all municipalities, e.g. "Wer hat Erfahrung mit einer Nachbarschaftsbörse?"'
)
class Question:
    id: strawberry.ID
    title: str
    body: str
    author_name: str
    asked_at: datetime
    answer_count: int
    answered: bool = strawberry.field(description="whether the asker accepted an answer")
    topic_keys: strawberry.Private[list[str]]
    municipality_id: strawberry.Private[str]

    @strawberry.field
    async def topics(self, info: Info[Context, None]) -> list[Topic]:
        return await topics_by_keys(info, self.topic_keys)

    @strawberry.field(description="the municipality that asks")
    async def municipality(self, info: Info[Context, None]) -> Municipality:
        return Municipality.from_service(await municipality_or_error(info, self.municipality_id))

    @strawberry.field(description="oldest first")
    async def answers(
        self, info: Info[Context, None], first: int | None = 20, after: str | None = None
    ) -> AnswerConnection:
        request = page_request(given(first, 20), after)
        if request.offset >= MAX_PAGE_SIZE:
            raise bad_input(f"Only the first {MAX_PAGE_SIZE} answers of a question can be paged through.")
        oldest = await info.context.austausch.oldest_answers.load((str(self.id), request.service_first))
        return AnswerConnection.from_slice(slice_offsets(oldest, self.answer_count, request))

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> Question:
        asked = as_datetime(data["created_at"])
        assert asked is not None
        return cls(
            id=strawberry.ID(str(data["id"])),
            title=data["title"],
            body=data["body"],
            author_name=_author(data),
            asked_at=asked,
            answer_count=int(data.get("answer_count") or 0),
            answered=data.get("accepted_answer_id") is not None,
            topic_keys=list(data.get("topics") or []),
            municipality_id=str(data["municipality_id"]),
        )


@strawberry.type
class QuestionEdge:
    node: Question
    cursor: str


@strawberry.type
class QuestionConnection:
    edges: list[QuestionEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_slice(cls, page: Slice) -> QuestionConnection:
        return cls(
            edges=[QuestionEdge(node=Question.from_service(item), cursor=cursor) for cursor, item in page.items],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count,
        )


@strawberry.input
class QuestionInput:
    municipality_id: strawberry.ID
    title: str
    body: str
    topics: list[str]


@strawberry.type(description="A report of a user about content, in the office's moderation queue.")
class ContentReport:
    id: strawberry.ID
    target_kind: str = strawberry.field(description="practice, question, answer or comment")
    target_id: strawberry.ID
    target_title: str | None
    target_hidden: bool
    reason: str
    status: str = strawberry.field(description="OPEN, HIDDEN or DISMISSED")
    created_at: datetime

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> ContentReport:
        created = as_datetime(data["created_at"])
        assert created is not None
        return cls(
            id=strawberry.ID(str(data["id"])),
            target_kind=data["target_kind"],
            target_id=strawberry.ID(str(data["target_id"])),
            target_title=data.get("target_title"),
            target_hidden=bool(data.get("target_hidden", False)),
            reason=data["reason"],
            status=data["status"],
            created_at=created,
        )


@strawberry.type
class ContentReportEdge:
    node: ContentReport
    cursor: str


@strawberry.type
class ContentReportConnection:
    edges: list[ContentReportEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_slice(cls, page: Slice) -> ContentReportConnection:
        return cls(
            edges=[
                ContentReportEdge(node=ContentReport.from_service(item), cursor=cursor) for cursor, item in page.items
            ],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count,
        )
