"""All SQL of municipality records."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    Row,
    RowMapping,
    Select,
    Text,
    any_,
    bindparam,
    case,
    delete,
    exists,
    func,
    null,
    or_,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from kommunen.models import advisers, municipalities, municipality_topics, participations
from zwk_common.errors import Conflict
from zwk_common.json_sql import EMPTY_ARRAY, constant, iso_utc, json_object
from zwk_common.sql import among, insert


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


# The lists' statements, made once for each set of filters in use. Building a statement and its
# cache key took SQLAlchemy 2.2 ms of the 2.8 ms it spent on a dashboard's page of 100 records;
# a statement made before is keyed once (its key is memoised) and only its parameters change.
_FILTERS = ("ids", "programme", "bundesland", "kind", "topics", "name_contains")


def _in_use(selection: Selection) -> tuple[bool, ...]:
    return tuple(getattr(selection, name) is not None for name in _FILTERS)


def _parameters(selection: Selection) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if selection.ids is not None:
        values["ids"] = list(selection.ids)
    if selection.programme is not None:
        values["programme"] = selection.programme
    if selection.bundesland is not None:
        values["bundesland"] = selection.bundesland
    if selection.kind is not None:
        values["kind"] = selection.kind
    if selection.topics is not None:
        values["topics"] = list(selection.topics)
    if selection.name_contains is not None:
        values["name_pattern"] = f"%{_like_escaped(selection.name_contains)}%"
    return values


def _conditions(in_use: tuple[bool, ...]) -> list[ColumnElement[bool]]:
    """The conditions of the filters in use, their values left to `_parameters`."""
    ids, programme, bundesland, kind, topics, name_contains = in_use
    m = municipalities.c
    conditions: list[ColumnElement[bool]] = []
    if ids:
        conditions.append(m.id == any_(bindparam("ids", type_=ARRAY(m.id.type))))
    if programme:
        conditions.append(
            exists().where(
                participations.c.municipality_id == m.id,
                participations.c.programme == bindparam("programme", type_=participations.c.programme.type),
            )
        )
    if bundesland:
        conditions.append(m.bundesland == bindparam("bundesland", type_=m.bundesland.type))
    if kind:
        conditions.append(m.kind == bindparam("kind", type_=m.kind.type))
    if topics:
        key = municipality_topics.c.topic_key
        conditions.append(
            exists().where(
                municipality_topics.c.municipality_id == m.id,
                key == any_(bindparam("topics", type_=ARRAY(key.type))),
            )
        )
    if name_contains:
        conditions.append(m.name.ilike(bindparam("name_pattern", type_=m.name.type), escape="\\"))
    return conditions


@functools.cache
def _page_statement(in_use: tuple[bool, ...], after: bool) -> Select[tuple[str, UUID, str]]:
    """A page of municipalities by name, each as (name, id, its whole record in JSON)."""
    m = municipalities.c
    shown = or_(
        bindparam("advisers_shown_everywhere", type_=Boolean),
        m.id == any_(bindparam("advisers_shown_for", type_=ARRAY(m.id.type))),
    )
    query = select(m.name, m.id, _record(shown).cast(Text)).where(*_conditions(in_use))
    if after:
        query = query.where(
            tuple_(m.name, m.id)
            > tuple_(bindparam("after_name", type_=m.name.type), bindparam("after_id", type_=m.id.type))
        )
    return query.order_by(m.name, m.id).limit(bindparam("limit", type_=Integer))


@functools.cache
def _count_statement(in_use: tuple[bool, ...]) -> Select[tuple[int]]:
    if in_use == _in_use(Selection(programme="")):
        # A programme's participants, counted from its participations alone: one per municipality
        # (the key) and none without it (the foreign key). The office's dashboard asks this with
        # every page; over 11,000 participants it spares joining them all.
        return select(func.count()).where(
            participations.c.programme == bindparam("programme", type_=participations.c.programme.type)
        )
    return select(func.count()).select_from(municipalities).where(*_conditions(in_use))


def _record(advisers_shown: ColumnElement[bool]) -> ColumnElement[Any]:
    """A municipality with its participations, topics and advisers, as the `Municipality` model writes it."""
    m, p, t, a = municipalities.c, participations.c, municipality_topics.c, advisers.c

    def listed(value: ColumnElement[Any], owner: ColumnElement[Any], order: ColumnElement[Any]) -> Any:
        every = select(func.json_agg(aggregate_order_by(value, order))).where(owner == m.id).scalar_subquery()
        return func.coalesce(every, EMPTY_ARRAY)

    participation = json_object(programme=p.programme, starts_on=p.starts_on, ends_on=p.ends_on, cluster=p.cluster)
    zwk_cluster = select(p.cluster).where(p.municipality_id == m.id, p.programme == constant("ZWK")).scalar_subquery()
    return json_object(
        id=m.id,
        ags=m.ags,
        member_keys=m.member_keys,
        quarter=m.quarter,
        name=m.name,
        kind=m.kind,
        bundesland=m.bundesland,
        population=m.population,
        kreis_key=m.kreis_key,
        urbanisation=m.urbanisation,
        latitude=m.latitude,
        longitude=m.longitude,
        programmes=listed(p.programme, p.municipality_id, p.programme),
        participations=listed(participation, p.municipality_id, p.programme),
        zwk_cluster=zwk_cluster,
        topics=listed(t.topic_key, t.municipality_id, t.topic_key),
        adviser_subjects=case((advisers_shown, listed(a.subject, a.municipality_id, a.subject)), else_=null()),
        created_at=iso_utc(m.created_at),
        updated_at=iso_utc(m.updated_at),
    )


@functools.cache
def _add_statement(columns: tuple[str, ...]) -> Any:
    """Add a participant with its programmes, topics and advisers, each list an array parameter.

    The lists are inserted from the row's insert: a row not added (it lost a race to a unique key
    after the check before saw it free) adds nothing else either. One round trip instead of twelve
    (the insert with a savepoint before and after, a delete and an insert for each list, and
    reading the three back).
    """
    m = municipalities.c
    added = (
        insert(municipalities)
        .values({name: bindparam(name, type_=m[name].type) for name in columns})
        .on_conflict_do_nothing()
        .returning(*municipalities.c)
        .cte("added")
    )
    plan = (
        func.unnest(
            bindparam("programmes", type_=ARRAY(participations.c.programme.type)),
            bindparam("starts", type_=ARRAY(participations.c.starts_on.type)),
            bindparam("ends", type_=ARRAY(participations.c.ends_on.type)),
            bindparam("clusters", type_=ARRAY(participations.c.cluster.type)),
        )
        .table_valued("programme", "starts_on", "ends_on", "cluster")
        .render_derived(name="plan")
    )
    planned = insert(participations).from_select(
        ["municipality_id", "programme", "starts_on", "ends_on", "cluster"],
        select(added.c.id, plan.c.programme, plan.c.starts_on, plan.c.ends_on, plan.c.cluster).select_from(
            added.join(plan, true())
        ),
    )
    chosen = insert(municipality_topics).from_select(
        ["municipality_id", "topic_key"],
        select(added.c.id, func.unnest(bindparam("topic_keys", type_=ARRAY(municipality_topics.c.topic_key.type)))),
    )
    assigned = insert(advisers).from_select(
        ["municipality_id", "subject"],
        select(added.c.id, func.unnest(bindparam("subjects", type_=ARRAY(advisers.c.subject.type)))),
    )
    return select(added).add_cte(planned.cte("planned"), chosen.cte("chosen"), assigned.cte("assigned"))


class MunicipalityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        values: dict[str, Any],
        plans: Sequence[dict[str, Any]],
        topic_keys: Sequence[str],
        subjects: Sequence[str],
    ) -> RowMapping:
        """A new participant with its programmes, topics and advisers, in one statement."""
        result = await self.session.execute(
            _add_statement(tuple(sorted(values))),
            {
                **values,
                "programmes": [p["programme"] for p in plans],
                "starts": [p["starts_on"] for p in plans],
                "ends": [p["ends_on"] for p in plans],
                "clusters": [p["cluster"] for p in plans],
                "topic_keys": list(topic_keys),
                "subjects": list(subjects),
            },
        )
        row = result.mappings().first()
        if row is None:
            # Another registration of the same key, quarter or alliance committed first (the
            # check before saw neither); nothing of this one was written.
            raise Conflict("This participant is already registered.")
        return row

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

    async def page_as_json(
        self,
        selection: Selection,
        after: tuple[str, UUID] | None,
        limit: int,
        advisers_shown_for: Sequence[UUID] | None,
    ) -> list[Row[tuple[str, UUID, str]]]:
        """A page by name, each municipality as (name, id, its whole record in JSON): the `Municipality`
        model's shape, its advisers only where `advisers_shown_for` names it (None: everywhere)."""
        values = _parameters(selection)
        values["advisers_shown_everywhere"] = advisers_shown_for is None
        values["advisers_shown_for"] = list(advisers_shown_for or ())
        values["limit"] = limit
        if after is not None:
            values["after_name"], values["after_id"] = after
        statement = _page_statement(_in_use(selection), after is not None)
        return list((await self.session.execute(statement, values)).all())

    async def count(self, selection: Selection) -> int:
        statement = _count_statement(_in_use(selection))
        return int((await self.session.execute(statement, _parameters(selection))).scalar_one())

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
