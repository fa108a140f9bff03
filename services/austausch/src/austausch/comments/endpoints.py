"""Thin HTTP routes of comments."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from austausch.comments import service
from austausch.comments.schemas import Comment, CommentCreate
from zwk_common.auth import CallerDep
from zwk_common.db import SessionDep
from zwk_common.pagination import Page, PageDep

router = APIRouter(tags=["comments"])


@router.post("/practices/{practice_id}/comments", status_code=status.HTTP_201_CREATED, response_model=Comment)
async def add_comment(practice_id: UUID, data: CommentCreate, session: SessionDep, caller: CallerDep) -> Comment:
    """Comment on a published practice, or reply to a comment (one level deep)."""
    return await service.add_comment(session, caller, practice_id, data)


@router.get("/practices/{practice_id}/comments", response_model=Page[Comment])
async def get_thread(practice_id: UUID, session: SessionDep, caller: CallerDep, page: PageDep) -> Page[Comment]:
    """Top-level comments oldest first, each with its replies."""
    return await service.thread(session, caller, practice_id, page)


@router.get("/comments", response_model=list[Comment])
async def get_comments_of_practices(
    session: SessionDep,
    caller: CallerDep,
    practice_ids: Annotated[list[UUID], Query(alias="practice_id", min_length=1, max_length=100)],
    per_practice: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[Comment]:
    """The comments of many practices at once, flat (the gateway's batch read)."""
    return await service.comments_of(session, caller, practice_ids, per_practice)
