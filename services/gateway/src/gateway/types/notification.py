"""The caller's own inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from gateway.pagination import Slice
from gateway.types.common import PageInfo, as_datetime


@strawberry.type
class Notification:
    id: strawberry.ID
    kind: str = strawberry.field(description='the event type it stems from, e.g. "prozess.stage.completed"')
    category: str = strawberry.field(description='the kind of notification preferences speak of, e.g. "comment"')
    title: str
    body: str
    created_at: datetime
    read: bool

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> Notification:
        created = as_datetime(data["created_at"])
        assert created is not None
        read = data.get("read")
        if read is None:
            read = data.get("read_at") is not None
        return cls(
            id=strawberry.ID(str(data["id"])),
            # The contract's kind is the event type without the installation's
            # root ("prozess.stage.completed"); benachrichtigung's own grouping
            # of kinds is its `category`.
            kind=str(data["event_type"]).split(".", 1)[1],
            category=data["kind"],
            title=data["title"],
            body=data["body"],
            created_at=created,
            read=bool(read),
        )


@strawberry.type
class NotificationEdge:
    node: Notification
    cursor: str


@strawberry.type
class NotificationConnection:
    edges: list[NotificationEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_slice(cls, page: Slice) -> NotificationConnection:
        return cls(
            edges=[
                NotificationEdge(node=Notification.from_service(item), cursor=cursor) for cursor, item in page.items
            ],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count,
        )


@strawberry.type(description="How a person wants to hear of one kind of notification beyond the inbox.")
class NotificationPreference:
    kind: str
    label: str
    channel: str = strawberry.field(description="email or webhook")
    frequency: str = strawberry.field(description="immediately, daily, weekly or never")
    is_default: bool

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> NotificationPreference:
        return cls(
            kind=data["kind"],
            label=data["label"],
            channel=data["channel"],
            frequency=data["frequency"],
            is_default=bool(data.get("is_default", False)),
        )
