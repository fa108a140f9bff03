"""Request and response bodies of the inbox and preferences."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from benachrichtigung.rules import Channel, Frequency


class Item(BaseModel):
    kind: str | None
    id: str | None
    title: str | None


class Notification(BaseModel):
    """One notification in a person's inbox; `link` is a path in the ZWK app."""

    id: UUID
    kind: str
    event_type: str  # the event it stems from, e.g. "zwk.prozess.stage.completed"
    title: str
    body: str
    link: str | None
    item: Item
    municipality_id: UUID | None
    created_at: datetime
    read_at: datetime | None
    read: bool


class UnreadCount(BaseModel):
    unread: int


class MarkedRead(BaseModel):
    marked: int


class Preference(BaseModel):
    kind: str
    label: str
    channel: Channel
    frequency: Frequency
    is_default: bool


class PreferenceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Channel = Channel.EMAIL
    frequency: Frequency
