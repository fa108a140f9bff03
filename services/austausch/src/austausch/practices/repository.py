"""All SQL of practices, their revisions and adoptions."""

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    RowMapping,
    Select,
    and_,
    any_,
    bindparam,
    func,
    literal,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from austausch.models import adoptions, comments, municipalities, practice_revisions, practices
from austausch.vocabulary import PracticeStatus
from zwk_common.sql import among, insert

_adoption_count = (
    select(func.count())
    .select_from(adoptions)
    .where(adoptions.c.practice_id == practices.c.id)
    .scalar_subquery()
    .label("adoption_count")
)
_comment_count = (
    select(func.count())
    .select_from(comments)
    .where(comments.c.practice_id == practices.c.id, comments.c.hidden_at.is_(None))
    .scalar_subquery()
    .label("comment_count")
)


def _view() -> Select[Any]:
    return select(practices, municipalities.c.name.label("municipality_name"), _adoption_count, _comment_count).join(
        municipalities, municipalities.c.id == practices.c.municipality_id
    )


def visible_to(scope: frozenset[UUID] | None, subject: str) -> ColumnElement[bool]:
    """Published and archived practices for all; drafts and hidden ones for their municipality and author.

    `scope` None is the office, which sees everything.
    """
    if scope is None:
        return and_(True)
    return _visible(practices.c.municipality_id.in_(list(scope)), practices.c.author_subject == subject)


def _visible(own: ColumnElement[bool], authored: ColumnElement[bool]) -> ColumnElement[bool]:
    """`visible_to`'s rule, its caller's municipalities and subject given as values or as parameters."""
    shown = and_(practices.c.status != PracticeStatus.DRAFT.value, practices.c.hidden_at.is_(None))
    return or_(shown, own, authored)


@dataclass(frozen=True)
class PracticeQuery:
    municipality_id: UUID | None = None
    statuses: Sequence[PracticeStatus] = ()
    topics: Sequence[str] = ()

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.municipality_id is not None:
            conditions.append(practices.c.municipality_id == self.municipality_id)
        if self.statuses:
            conditions.append(practices.c.status.in_([s.value for s in self.statuses]))
        if self.topics:
            conditions.append(practices.c.topics.overlap(list(self.topics)))
        return conditions


@functools.cache
def _totals_statement(everything: bool, statuses: bool, topics: bool) -> Select[tuple[UUID, int]]:
    """`totals` as a statement made once per kind of question, its values left to parameters:
    `visible_to`'s rule, and the statuses and topics as `PracticeQuery.conditions` keeps them."""
    p = practices.c
    where: list[ColumnElement[bool]] = [
        p.municipality_id == any_(bindparam("ids", type_=ARRAY(p.municipality_id.type)))
    ]
    if not everything:
        own = p.municipality_id == any_(bindparam("scope", type_=ARRAY(p.municipality_id.type)))
        where.append(_visible(own, p.author_subject == bindparam("subject", type_=p.author_subject.type)))
    if statuses:
        where.append(p.status == any_(bindparam("statuses", type_=ARRAY(p.status.type))))
    if topics:
        where.append(p.topics.overlap(bindparam("topics", type_=p.topics.type)))
    return select(p.municipality_id, func.count()).where(*where).group_by(p.municipality_id)


class PracticeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, values: dict[str, Any]) -> None:
        await self.session.execute(insert(practices).values(**values))

    async def add_many(self, rows: Sequence[dict[str, Any]]) -> None:
        await self.session.execute(insert(practices), list(rows))

    async def get(self, practice_id: UUID, *, for_update: bool = False) -> RowMapping | None:
        if for_update:
            # Serialises edits of one practice, so revisions are numbered without gaps or twins.
            await self.session.execute(select(practices.c.id).where(practices.c.id == practice_id).with_for_update())
        result = await self.session.execute(_view().where(practices.c.id == practice_id))
        return result.mappings().first()

    async def get_many(self, ids: Sequence[UUID]) -> list[RowMapping]:
        result = await self.session.execute(_view().where(among(practices.c.id, ids)))
        return list(result.mappings())

    async def page(
        self,
        wanted: PracticeQuery,
        scope: frozenset[UUID] | None,
        subject: str,
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> tuple[list[RowMapping], int]:
        where = and_(visible_to(scope, subject), *wanted.conditions())
        total = (await self.session.execute(select(func.count()).select_from(practices).where(where))).scalar_one()
        query = _view().where(where)
        if after is not None:
            query = query.where(tuple_(practices.c.created_at, practices.c.id) < tuple_(*map(literal, after)))
        query = query.order_by(practices.c.created_at.desc(), practices.c.id.desc()).limit(limit)
        return list((await self.session.execute(query)).mappings()), int(total)

    async def totals(
        self, municipality_ids: Sequence[UUID], wanted: PracticeQuery, scope: frozenset[UUID] | None, subject: str
    ) -> dict[UUID, int]:
        """How many practices each municipality has that the caller sees (none: absent)."""
        if wanted.municipality_id is not None:
            where = and_(among(practices.c.municipality_id, municipality_ids), visible_to(scope, subject))
            totals = await self.session.execute(
                select(practices.c.municipality_id, func.count())
                .select_from(practices)
                .where(and_(where, *wanted.conditions()))
                .group_by(practices.c.municipality_id)
            )
        else:
            # The dashboard's practice counts, 100 municipalities with every page: a statement made once.
            statement = _totals_statement(scope is None, bool(wanted.statuses), bool(wanted.topics))
            values: dict[str, Any] = {"ids": list(municipality_ids)}
            if scope is not None:
                values.update(scope=list(scope), subject=subject)
            if wanted.statuses:
                values["statuses"] = [s.value for s in wanted.statuses]
            if wanted.topics:
                values["topics"] = list(wanted.topics)
            totals = await self.session.execute(statement, values)
        return {municipality_id: int(n) for municipality_id, n in totals}

    async def first_pages(
        self,
        municipality_ids: Sequence[UUID],
        wanted: PracticeQuery,
        scope: frozenset[UUID] | None,
        subject: str,
        limit: int,
    ) -> list[RowMapping]:
        """The newest `limit` practices of each municipality that the caller sees, by municipality."""
        where = and_(among(practices.c.municipality_id, municipality_ids), visible_to(scope, subject))
        where = and_(where, *wanted.conditions())
        numbered = (
            select(
                practices.c.id,
                func.row_number()
                .over(
                    partition_by=practices.c.municipality_id,
                    order_by=(practices.c.created_at.desc(), practices.c.id.desc()),
                )
                .label("n"),
            )
            .where(where)
            .subquery()
        )
        rows = await self.session.execute(
            _view()
            .join(numbered, numbered.c.id == practices.c.id)
            .where(numbered.c.n <= limit)
            .order_by(practices.c.municipality_id, practices.c.created_at.desc(), practices.c.id.desc())
        )
        return list(rows.mappings())

    async def change(self, practice_id: UUID, values: dict[str, Any]) -> None:
        await self.session.execute(
            update(practices).where(practices.c.id == practice_id).values(**values, updated_at=func.now())
        )

    async def add_revision(self, practice_id: UUID, revision: int, editor: str, content: dict[str, Any]) -> None:
        await self.session.execute(
            insert(practice_revisions).values(
                practice_id=practice_id, revision=revision, editor_subject=editor, content=content
            )
        )

    async def add_first_revisions(self, rows: Sequence[dict[str, Any]]) -> None:
        await self.session.execute(insert(practice_revisions), [{**row, "revision": 1} for row in rows])

    async def revisions(self, practice_id: UUID) -> list[RowMapping]:
        result = await self.session.execute(
            select(practice_revisions)
            .where(practice_revisions.c.practice_id == practice_id)
            .order_by(practice_revisions.c.revision.desc())
        )
        return list(result.mappings())

    async def counts(self, municipality_ids: Sequence[UUID]) -> dict[UUID, dict[str, int]]:
        ids = list(municipality_ids)
        counts: dict[UUID, dict[str, int]] = {
            i: {"published": 0, "adopted_by_others": 0, "adopted_from_others": 0} for i in ids
        }
        visible = and_(practices.c.status == PracticeStatus.PUBLISHED.value, practices.c.hidden_at.is_(None))
        published = await self.session.execute(
            select(practices.c.municipality_id, func.count())
            .where(practices.c.municipality_id.in_(ids), visible)
            .group_by(practices.c.municipality_id)
        )
        for municipality_id, n in published:
            counts[municipality_id]["published"] = n
        adopted_by = await self.session.execute(
            select(practices.c.municipality_id, func.count())
            .join(adoptions, adoptions.c.practice_id == practices.c.id)
            .where(practices.c.municipality_id.in_(ids))
            .group_by(practices.c.municipality_id)
        )
        for municipality_id, n in adopted_by:
            counts[municipality_id]["adopted_by_others"] = n
        adopted_from = await self.session.execute(
            select(adoptions.c.municipality_id, func.count())
            .where(adoptions.c.municipality_id.in_(ids))
            .group_by(adoptions.c.municipality_id)
        )
        for municipality_id, n in adopted_from:
            counts[municipality_id]["adopted_from_others"] = n
        return counts

    async def add_adoption(self, values: dict[str, Any]) -> bool:
        """Record an adoption; False if this municipality already recorded one for the practice."""
        result = await self.session.execute(
            insert(adoptions)
            .values(**values)
            .on_conflict_do_nothing(index_elements=[adoptions.c.practice_id, adoptions.c.municipality_id])
            .returning(adoptions.c.id)
        )
        return result.first() is not None

    async def adoptions(
        self,
        *,
        practice_id: UUID | None,
        municipality_id: UUID | None,
        scope: frozenset[UUID] | None,
        subject: str,
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> tuple[list[RowMapping], int]:
        adopter = municipalities.alias("adopter")
        conditions: list[ColumnElement[bool]] = []
        if practice_id is not None:
            conditions.append(adoptions.c.practice_id == practice_id)
        if municipality_id is not None:
            conditions.append(
                or_(adoptions.c.municipality_id == municipality_id, practices.c.municipality_id == municipality_id)
            )
        conditions.append(visible_to(scope, subject))
        base = (
            select(
                adoptions,
                practices.c.title.label("practice_title"),
                adopter.c.name.label("municipality_name"),
            )
            .join(practices, practices.c.id == adoptions.c.practice_id)
            .join(adopter, adopter.c.id == adoptions.c.municipality_id)
            .where(*conditions)
        )
        total = (await self.session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
        if after is not None:
            base = base.where(tuple_(adoptions.c.created_at, adoptions.c.id) < tuple_(*map(literal, after)))
        rows = await self.session.execute(
            base.order_by(adoptions.c.created_at.desc(), adoptions.c.id.desc()).limit(limit)
        )
        return list(rows.mappings()), int(total)
