"""Response bodies of follows and bookmarks."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from austausch.vocabulary import EntryKind, FollowKind


class Follow(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    target_kind: FollowKind
    target_id: str
    created_at: datetime


class Bookmark(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    target_kind: EntryKind
    target_id: UUID
    created_at: datetime
