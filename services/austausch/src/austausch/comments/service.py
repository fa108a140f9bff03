"""The rules of comments: on published practices, replies one level deep, the author told by event."""

import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from austausch import access
from austausch.comments.repository import CommentRepository
from austausch.comments.schemas import Comment, CommentCreate
from austausch.events import CommentAdded
from austausch.models import outbox
from austausch.municipalities import service as municipalities
from austausch.paging import after_created, next_created
from austausch.practices import service as practices
from austausch.vocabulary import PracticeStatus
from zwk_common.auth import Caller
from zwk_common.errors import BadInput, Conflict, NotFound
from zwk_common.pagination import Page, PageParams

EXCERPT = 200


async def add_comment(session: AsyncSession, caller: Caller, practice_id: UUID, data: CommentCreate) -> Comment:
    practice = await practices.get_practice(session, caller, practice_id)
    municipality_id = access.writing_municipality(caller, data.municipality_id)
    if practice.status is not PracticeStatus.PUBLISHED or practice.hidden:
        raise Conflict("Only a published practice takes comments.")
    repository = CommentRepository(session)
    parent_author = None
    if data.parent_comment_id is not None:
        parent = await repository.get(data.parent_comment_id)
        if parent is None or parent["practice_id"] != practice_id or not access.may_see(caller, parent):
            raise BadInput("The comment replied to is not a comment on this practice.")
        if parent["parent_id"] is not None:
            raise BadInput("Replies go one level deep: reply to the comment, not to a reply.")
        if parent["hidden_at"] is not None:
            raise Conflict("A hidden comment takes no replies.")
        parent_author = parent["author_subject"]
    if municipality_id is not None:
        await municipalities.require_known(session, municipality_id)
    comment_id = uuid.uuid4()
    await repository.add(
        {
            "id": comment_id,
            "practice_id": practice_id,
            "parent_id": data.parent_comment_id,
            "municipality_id": municipality_id,
            "author_subject": caller.subject,
            "author_name": caller.name,
            "body": data.body,
        }
    )
    await outbox.record(
        session,
        CommentAdded(
            comment_id=comment_id,
            practice_id=practice_id,
            practice_title=practice.title,
            practice_municipality_id=practice.municipality_id,
            practice_author_subject=practice.author_subject,
            parent_comment_id=data.parent_comment_id,
            parent_author_subject=parent_author,
            author_subject=caller.subject,
            author_name=caller.name,
            body_excerpt=_excerpt(data.body),
        ),
    )
    row = await repository.get(comment_id)
    return _comment(caller, row)  # type: ignore[arg-type]


async def thread(session: AsyncSession, caller: Caller, practice_id: UUID, page: PageParams) -> Page[Comment]:
    """Top-level comments oldest first, each with its replies."""
    await practices.get_practice(session, caller, practice_id)
    heads, replies, total = await CommentRepository(session).threads(
        practice_id, access.scope_of(caller), caller.subject, after_created(page.after), page.first + 1
    )
    by_parent: dict[UUID, list[Comment]] = {}
    for reply in replies:
        by_parent.setdefault(reply["parent_id"], []).append(_comment(caller, reply))
    items = [
        _comment(caller, head).model_copy(update={"replies": by_parent.get(head["id"], [])})
        for head in heads[: page.first]
    ]
    return Page(items=items, next_cursor=next_created(heads, page.first), total_count=total)


async def comments_of(
    session: AsyncSession, caller: Caller, practice_ids: Sequence[UUID], per_practice: int
) -> list[Comment]:
    """The comments of many practices at once (the gateway's batch read), flat, oldest first per practice."""
    visible = [p.id for p in (await practices.get_practices(session, caller, list(practice_ids))).items]
    if not visible:
        return []
    rows = await CommentRepository(session).of_practices(visible, access.scope_of(caller), caller.subject, per_practice)
    return [_comment(caller, row) for row in rows]


async def get_comment(session: AsyncSession, caller: Caller, comment_id: UUID) -> Mapping[Any, Any]:
    row = await CommentRepository(session).get(comment_id)
    if row is None or not access.may_see(caller, row):
        raise NotFound("No comment with this id.")
    return row


def _excerpt(body: str) -> str:
    flat = " ".join(body.split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1].rstrip() + "…"


def _comment(caller: Caller, row: Mapping[Any, Any]) -> Comment:
    return Comment.model_validate(
        {
            **row,
            "parent_comment_id": row["parent_id"],
            "hidden": row["hidden_at"] is not None,
            "hidden_reason": row["hidden_reason"] if access.may_see(caller, row, published=False) else None,
        }
    )
