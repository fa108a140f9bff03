"""All SQL of comments."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, RowMapping, Select, and_, func, literal, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from austausch.models import comments, municipalities
from zwk_common.sql import insert


def _view() -> Select[Any]:
    return select(comments, municipalities.c.name.label("municipality_name")).outerjoin(
        municipalities, municipalities.c.id == comments.c.municipality_id
    )


def _visible(scope: frozenset[UUID] | None, subject: str) -> ColumnElement[bool]:
    if scope is None:
        return and_(True)
    return or_(
        comments.c.hidden_at.is_(None),
        comments.c.municipality_id.in_(list(scope)),
        comments.c.author_subject == subject,
    )


class CommentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, values: dict[str, Any]) -> None:
        await self.session.execute(insert(comments).values(**values))

    async def get(self, comment_id: UUID) -> RowMapping | None:
        return (await self.session.execute(_view().where(comments.c.id == comment_id))).mappings().first()

    async def threads(
        self,
        practice_id: UUID,
        scope: frozenset[UUID] | None,
        subject: str,
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> tuple[list[RowMapping], list[RowMapping], int]:
        """A page of top-level comments (oldest first), all their visible replies, and how many top-level there are."""
        visible = _visible(scope, subject)
        top = and_(comments.c.practice_id == practice_id, comments.c.parent_id.is_(None), visible)
        total = (await self.session.execute(select(func.count()).select_from(comments).where(top))).scalar_one()
        query = _view().where(top)
        if after is not None:
            query = query.where(tuple_(comments.c.created_at, comments.c.id) > tuple_(*map(literal, after)))
        heads = list(
            (await self.session.execute(query.order_by(comments.c.created_at, comments.c.id).limit(limit))).mappings()
        )
        replies: list[RowMapping] = []
        if heads:
            result = await self.session.execute(
                _view()
                .where(comments.c.parent_id.in_([h["id"] for h in heads]), visible)
                .order_by(comments.c.created_at, comments.c.id)
            )
            replies = list(result.mappings())
        return heads, replies, int(total)

    async def of_practices(
        self, practice_ids: Sequence[UUID], scope: frozenset[UUID] | None, subject: str, per_practice: int
    ) -> list[RowMapping]:
        """The oldest comments of each practice, replies included, at most `per_practice` each."""
        numbered = (
            select(
                comments.c.id,
                func.row_number()
                .over(partition_by=comments.c.practice_id, order_by=(comments.c.created_at, comments.c.id))
                .label("n"),
            )
            .where(comments.c.practice_id.in_(list(practice_ids)), _visible(scope, subject))
            .subquery()
        )
        result = await self.session.execute(
            _view()
            .join(numbered, numbered.c.id == comments.c.id)
            .where(numbered.c.n <= per_practice)
            .order_by(comments.c.practice_id, comments.c.created_at, comments.c.id)
        )
        return list(result.mappings())
