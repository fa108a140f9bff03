"""Request and response bodies of comments."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from austausch.texts import PROSE


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000), PROSE]
    parent_comment_id: UUID | None = Field(None, description="the comment replied to; replies go one level deep")
    municipality_id: UUID | None = Field(
        None, description="the municipality commenting; a municipality's own token comments for it by default"
    )


class Comment(BaseModel):
    id: UUID
    practice_id: UUID
    parent_comment_id: UUID | None
    municipality_id: UUID | None
    municipality_name: str | None
    author_subject: str
    author_name: str | None
    body: str
    created_at: datetime
    hidden: bool
    hidden_reason: str | None = None
    replies: list["Comment"] = Field([], description="in a thread, the replies to a comment, oldest first")
