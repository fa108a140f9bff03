"""All SQL of questions and answers."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, RowMapping, Select, and_, func, literal, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from austausch.models import answers, municipalities, questions
from zwk_common.sql import insert

_answer_count = (
    select(func.count())
    .select_from(answers)
    .where(answers.c.question_id == questions.c.id, answers.c.hidden_at.is_(None))
    .scalar_subquery()
    .label("answer_count")
)


def _questions() -> Select[Any]:
    return select(questions, municipalities.c.name.label("municipality_name"), _answer_count).join(
        municipalities, municipalities.c.id == questions.c.municipality_id
    )


def _answers() -> Select[Any]:
    return (
        select(
            answers,
            municipalities.c.name.label("municipality_name"),
            (questions.c.accepted_answer_id == answers.c.id).label("accepted"),
        )
        .join(questions, questions.c.id == answers.c.question_id)
        .outerjoin(municipalities, municipalities.c.id == answers.c.municipality_id)
    )


def _visible(table: Any, scope: frozenset[UUID] | None, subject: str) -> ColumnElement[bool]:
    if scope is None:
        return and_(True)
    return or_(table.c.hidden_at.is_(None), table.c.municipality_id.in_(list(scope)), table.c.author_subject == subject)


@dataclass(frozen=True)
class QuestionQuery:
    municipality_id: UUID | None = None
    topics: Sequence[str] = ()
    answered: bool | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.municipality_id is not None:
            conditions.append(questions.c.municipality_id == self.municipality_id)
        if self.topics:
            conditions.append(questions.c.topics.overlap(list(self.topics)))
        if self.answered is True:
            conditions.append(questions.c.accepted_answer_id.is_not(None))
        if self.answered is False:
            conditions.append(questions.c.accepted_answer_id.is_(None))
        return conditions


class QuestionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, values: dict[str, Any]) -> None:
        await self.session.execute(insert(questions).values(**values))

    async def get(self, question_id: UUID, *, for_update: bool = False) -> RowMapping | None:
        if for_update:
            await self.session.execute(select(questions.c.id).where(questions.c.id == question_id).with_for_update())
        return (await self.session.execute(_questions().where(questions.c.id == question_id))).mappings().first()

    async def get_many(self, ids: Sequence[UUID]) -> list[RowMapping]:
        return list((await self.session.execute(_questions().where(questions.c.id.in_(list(ids))))).mappings())

    async def page(
        self,
        wanted: QuestionQuery,
        scope: frozenset[UUID] | None,
        subject: str,
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> tuple[list[RowMapping], int]:
        where = and_(_visible(questions, scope, subject), *wanted.conditions())
        total = (await self.session.execute(select(func.count()).select_from(questions).where(where))).scalar_one()
        query = _questions().where(where)
        if after is not None:
            query = query.where(tuple_(questions.c.created_at, questions.c.id) < tuple_(*map(literal, after)))
        query = query.order_by(questions.c.created_at.desc(), questions.c.id.desc()).limit(limit)
        return list((await self.session.execute(query)).mappings()), int(total)

    async def change(self, question_id: UUID, values: dict[str, Any]) -> None:
        await self.session.execute(
            update(questions).where(questions.c.id == question_id).values(**values, updated_at=func.now())
        )

    async def add_answer(self, values: dict[str, Any]) -> None:
        await self.session.execute(insert(answers).values(**values))

    async def get_answer(self, answer_id: UUID) -> RowMapping | None:
        return (await self.session.execute(_answers().where(answers.c.id == answer_id))).mappings().first()

    async def answers_of(
        self,
        question_ids: Sequence[UUID],
        scope: frozenset[UUID] | None,
        subject: str,
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> list[RowMapping]:
        query = _answers().where(answers.c.question_id.in_(list(question_ids)), _visible(answers, scope, subject))
        if after is not None:
            query = query.where(tuple_(answers.c.created_at, answers.c.id) > tuple_(*map(literal, after)))
        query = query.order_by(answers.c.question_id, answers.c.created_at, answers.c.id).limit(limit)
        return list((await self.session.execute(query)).mappings())
