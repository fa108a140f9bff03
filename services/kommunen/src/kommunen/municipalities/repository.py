"""All SQL of municipality records."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, RowMapping, delete, exists, func, insert, literal, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kommunen.models import advisers, municipalities, municipality_topics, participations
from zwk_common.errors import Conflict
from zwk_common.sql import among


@dataclass(frozen=True)
class Selection:
    """Which municipalities a list shows; every field narrows it."""

    ids: Sequence[UUID] | None = None
    programme: str | None = None
    bundesland: str | None = None
    kind: str | None = None
    topics: Sequence[str] | None = None
    name_contains: str | None = None


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(selection: Selection) -> list[ColumnElement[bool]]:
    m = municipalities.c
    conditions: list[ColumnElement[bool]] = []
    if selection.ids is not None:
        conditions.append(among(m.id, selection.ids))
    if selection.programme is not None:
        conditions.append(
            exists().where(participations.c.municipality_id == m.id, participations.c.programme == selection.programme)
        )
    if selection.bundesland is not None:
        conditions.append(m.bundesland == selection.bundesland)
    if selection.kind is not None:
        conditions.append(m.kind == selection.kind)
    if selection.topics is not None:
        conditions.append(
            exists().where(
                municipality_topics.c.municipality_id == m.id,
                municipality_topics.c.topic_key.in_(list(selection.topics)),
            )
        )
    if selection.name_contains is not None:
        conditions.append(m.name.ilike(f"%{_like_escaped(selection.name_contains)}%", escape="\\"))
    return conditions


class MunicipalityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, values: dict[str, Any]) -> RowMapping:
        try:
            # Losing a race to the same key is a conflict; the savepoint keeps the
            # transaction usable for whoever catches it.
            async with self.session.begin_nested():
                result = await self.session.execute(municipalities.insert().values(**values).returning(municipalities))
        except IntegrityError as exc:
            raise Conflict("This participant is already registered.") from exc
        return result.mappings().one()

    async def change(self, municipality_id: UUID, values: dict[str, Any]) -> RowMapping:
        result = await self.session.execute(
            update(municipalities)
            .where(municipalities.c.id == municipality_id)
            .values(**values, updated_at=func.now())
            .returning(municipalities)
        )
        return result.mappings().one()

    async def touch(self, municipality_id: UUID) -> RowMapping:
        return await self.change(municipality_id, {})

    async def get(self, municipality_id: UUID, *, for_update: bool = False) -> RowMapping | None:
        query = select(municipalities).where(municipalities.c.id == municipality_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).mappings().first()

    async def get_by_ags(self, ags: str) -> RowMapping | None:
        result = await self.session.execute(select(municipalities).where(municipalities.c.ags == ags))
        return result.mappings().first()

    async def quarter_taken(self, city_key: str, quarter: str, *, other_than: UUID | None = None) -> bool:
        m = municipalities.c
        query = select(m.id).where(
            m.kind == "QUARTIER", m.member_keys[1] == city_key, func.lower(m.quarter) == quarter.lower()
        )
        if other_than is not None:
            query = query.where(m.id != other_than)
        return (await self.session.execute(query.limit(1))).first() is not None

    async def alliance_name_taken(self, name: str, *, other_than: UUID | None = None) -> bool:
        m = municipalities.c
        query = select(m.id).where(m.kind == "VERBUND", func.lower(m.name) == name.lower())
        if other_than is not None:
            query = query.where(m.id != other_than)
        return (await self.session.execute(query.limit(1))).first() is not None

    async def page(self, selection: Selection, after: tuple[str, UUID] | None, limit: int) -> list[RowMapping]:
        m = municipalities.c
        query = select(municipalities).where(*_conditions(selection))
        if after is not None:
            query = query.where(tuple_(m.name, m.id) > tuple_(literal(after[0]), literal(after[1])))
        query = query.order_by(m.name, m.id).limit(limit)
        return list((await self.session.execute(query)).mappings())

    async def count(self, selection: Selection) -> int:
        if selection == Selection(programme=selection.programme) and selection.programme is not None:
            # A programme's participants, counted from its participations alone: one per municipality
            # (the key) and none without it (the foreign key). The office's dashboard asks this with
            # every page; over 11,000 participants it spares joining them all.
            query = select(func.count()).where(participations.c.programme == selection.programme)
        else:
            query = select(func.count()).select_from(municipalities).where(*_conditions(selection))
        return int((await self.session.execute(query)).scalar_one())

    async def participations_of(self, ids: Sequence[UUID]) -> dict[UUID, list[RowMapping]]:
        result = await self.session.execute(
            select(participations)
            .where(among(participations.c.municipality_id, ids))
            .order_by(participations.c.programme)
        )
        grouped: dict[UUID, list[RowMapping]] = defaultdict(list)
        for row in result.mappings():
            grouped[row["municipality_id"]].append(row)
        return grouped

    async def topics_of(self, ids: Sequence[UUID]) -> dict[UUID, list[str]]:
        result = await self.session.execute(
            select(municipality_topics.c.municipality_id, municipality_topics.c.topic_key)
            .where(among(municipality_topics.c.municipality_id, ids))
            .order_by(municipality_topics.c.topic_key)
        )
        grouped: dict[UUID, list[str]] = defaultdict(list)
        for municipality_id, key in result.all():
            grouped[municipality_id].append(key)
        return grouped

    async def advisers_of(self, ids: Sequence[UUID]) -> dict[UUID, list[str]]:
        result = await self.session.execute(
            select(advisers.c.municipality_id, advisers.c.subject)
            .where(among(advisers.c.municipality_id, ids))
            .order_by(advisers.c.subject)
        )
        grouped: dict[UUID, list[str]] = defaultdict(list)
        for municipality_id, subject in result.all():
            grouped[municipality_id].append(subject)
        return grouped

    async def set_participations(self, municipality_id: UUID, rows: Sequence[dict[str, Any]]) -> None:
        await self.session.execute(delete(participations).where(participations.c.municipality_id == municipality_id))
        if rows:
            await self.session.execute(
                insert(participations), [{"municipality_id": municipality_id, **r} for r in rows]
            )

    async def set_topics(self, municipality_id: UUID, keys: Sequence[str]) -> None:
        await self.session.execute(
            delete(municipality_topics).where(municipality_topics.c.municipality_id == municipality_id)
        )
        if keys:
            await self.session.execute(
                insert(municipality_topics),
                [{"municipality_id": municipality_id, "topic_key": key} for key in keys],
            )

    async def set_advisers(self, municipality_id: UUID, subjects: Sequence[str]) -> None:
        await self.session.execute(delete(advisers).where(advisers.c.municipality_id == municipality_id))
        if subjects:
            await self.session.execute(
                insert(advisers), [{"municipality_id": municipality_id, "subject": s} for s in subjects]
            )
