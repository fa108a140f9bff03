"""Thin HTTP routes of follows and bookmarks."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response, status

from austausch.follows import service
from austausch.follows.schemas import Bookmark, Follow
from austausch.vocabulary import EntryKind, FollowKind
from zwk_common.auth import CallerDep
from zwk_common.db import SessionDep
from zwk_common.pagination import Page, PageDep

router = APIRouter(tags=["follows and bookmarks"])

TargetId = Annotated[
    str, Path(min_length=1, max_length=64, description="a topic key, or a practice's or question's id")
]


@router.get("/follows", response_model=Page[Follow])
async def my_follows(session: SessionDep, caller: CallerDep, page: PageDep) -> Page[Follow]:
    """What the caller follows, newest first."""
    return await service.my_follows(session, caller, page)


@router.put("/follows/{target_kind}/{target_id}", response_model=Follow)
async def follow(
    target_kind: FollowKind, target_id: TargetId, session: SessionDep, caller: CallerDep, response: Response
) -> Follow:
    """Follow a topic, practice or question: 201 when new, 200 when already followed."""
    followed, created = await service.follow(session, caller, target_kind, target_id)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return followed


@router.delete("/follows/{target_kind}/{target_id}", status_code=status.HTTP_204_NO_CONTENT)
async def unfollow(target_kind: FollowKind, target_id: TargetId, session: SessionDep, caller: CallerDep) -> None:
    await service.unfollow(session, caller, target_kind, target_id)


@router.get("/bookmarks", response_model=Page[Bookmark])
async def my_bookmarks(session: SessionDep, caller: CallerDep, page: PageDep) -> Page[Bookmark]:
    return await service.my_bookmarks(session, caller, page)


@router.put("/bookmarks/{target_kind}/{target_id}", response_model=Bookmark)
async def bookmark(
    target_kind: EntryKind, target_id: UUID, session: SessionDep, caller: CallerDep, response: Response
) -> Bookmark:
    """Bookmark a practice or question: 201 when new, 200 when already bookmarked."""
    marked, created = await service.bookmark(session, caller, target_kind, target_id)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return marked


@router.delete("/bookmarks/{target_kind}/{target_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_bookmark(target_kind: EntryKind, target_id: UUID, session: SessionDep, caller: CallerDep) -> None:
    await service.remove_bookmark(session, caller, target_kind, target_id)
