"""The rules of municipality records; records events, never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from kommunen.events import MunicipalityRegistered, MunicipalityUpdated
from kommunen.models import outbox
from kommunen.municipalities import rules
from kommunen.municipalities.permissions import (
    adviser_scope,
    advisers_shown_for,
    require_own_or_office,
    require_read,
    visible_to,
)
from kommunen.municipalities.repository import MunicipalityRepository, Selection
from kommunen.municipalities.rules import Kind, Territory
from kommunen.municipalities.schemas import (
    Municipality,
    MunicipalityCreate,
    MunicipalityFilter,
    MunicipalityUpdate,
    Participation,
    ParticipationInput,
    Programme,
    ProgrammeInput,
)
from kommunen.municipalities.territory import as_territory, locate
from kommunen.topics import service as topics
from zwk_common.auth import Caller, Role
from zwk_common.errors import BadInput, Conflict, NotFound
from zwk_common.pagination import PageParams, decode_cursor, encode_cursor, page_json

# --- reading ---------------------------------------------------------------


async def _complete(repository: MunicipalityRepository, rows: Sequence[RowMapping]) -> list[Municipality]:
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    taking_part = await repository.participations_of(ids)
    chosen = await repository.topics_of(ids)
    assigned = await repository.advisers_of(ids)
    return [
        _municipality(row, taking_part.get(row["id"], []), chosen.get(row["id"], []), assigned.get(row["id"], []))
        for row in rows
    ]


def _municipality(
    row: RowMapping,
    participations: Sequence[Any],
    topic_keys: Sequence[str],
    adviser_subjects: Sequence[str],
) -> Municipality:
    """A record from its row and its lists, each in the order the reads give them."""
    plans = [Participation.model_validate(p) for p in participations]
    zwk = next((p for p in plans if p.programme is Programme.ZWK), None)
    return Municipality(
        **{column: row[column] for column in _ROW_FIELDS},
        programmes=[p.programme.value for p in plans],
        participations=plans,
        zwk_cluster=zwk.cluster if zwk else None,
        topics=list(topic_keys),
        adviser_subjects=list(adviser_subjects),
    )


_ROW_FIELDS = (
    "id",
    "ags",
    "member_keys",
    "quarter",
    "name",
    "kind",
    "bundesland",
    "population",
    "kreis_key",
    "urbanisation",
    "latitude",
    "longitude",
    "created_at",
    "updated_at",
)


async def _load(repository: MunicipalityRepository, municipality_id: UUID, *, for_update: bool = False) -> Municipality:
    row = await repository.get(municipality_id, for_update=for_update)
    if row is None:
        raise NotFound(f"No municipality with the id {municipality_id}.")
    return (await _complete(repository, [row]))[0]


async def get_municipality(session: AsyncSession, caller: Caller, municipality_id: UUID) -> Municipality:
    require_read(caller, municipality_id)
    return visible_to(caller, await _load(MunicipalityRepository(session), municipality_id))


async def get_municipality_by_ags(session: AsyncSession, caller: Caller, ags: str) -> Municipality:
    repository = MunicipalityRepository(session)
    row = await repository.get_by_ags(ags)
    if row is None:
        raise NotFound(f"No municipality with the key {ags} takes part.")
    require_read(caller, row["id"])
    return visible_to(caller, (await _complete(repository, [row]))[0])


async def list_municipalities(
    session: AsyncSession,
    caller: Caller,
    filters: MunicipalityFilter,
    page: PageParams,
    ids: Sequence[UUID] | None = None,
) -> str:
    """Municipalities by name, a `Page[Municipality]` in JSON; `ids` makes it a batch read (all of them on one page)."""
    scope = adviser_scope(caller)
    batch = ids is not None
    if ids is not None:
        wanted = set(ids)
        ids = [i for i in wanted if scope is None or i in scope]
    elif scope is not None:
        ids = scope
    selection = Selection(
        ids=ids,
        programme=filters.programme.value if filters.programme else None,
        bundesland=filters.bundesland,
        kind=filters.kind.value if filters.kind else None,
        topics=await topics.topic_with_subtopics(session, filters.topic) if filters.topic else None,
        name_contains=filters.name,
    )
    after: tuple[str, UUID] | None = None
    if page.after:
        name, last_id = decode_cursor(page.after, 2)
        try:
            after = (str(name), UUID(str(last_id)))
        except ValueError as exc:
            raise BadInput("The cursor `after` is not one this service gave out.") from exc
    size = max(page.first, len(ids)) if batch and ids is not None else page.first
    repository = MunicipalityRepository(session)
    # The office's dashboard reads a page of 100 with every request: PostgreSQL writes the records.
    rows = await repository.page_as_json(selection, after, size + 1, advisers_shown_for(caller))
    shown = rows[:size]
    next_cursor = encode_cursor(shown[-1].name, shown[-1].id) if len(rows) > size else None
    return page_json([record for _, _, record in shown], next_cursor, await repository.count(selection))


# --- registering -------------------------------------------------------------


async def _check_topics(session: AsyncSession, keys: Sequence[str]) -> list[str]:
    unique = sorted(set(keys))
    await topics.require_known_topics(session, unique)
    return unique


def _unique_subjects(subjects: Sequence[str]) -> list[str]:
    return sorted(set(subjects))


def _participation_rows(items: Sequence[ProgrammeInput]) -> list[dict[str, Any]]:
    return [
        {"programme": p.programme.value, "starts_on": p.starts_on, "ends_on": p.ends_on, "cluster": p.cluster}
        for p in rules.participations(items, date.today())
    ]


async def _check_unique(
    repository: MunicipalityRepository, kind: Kind, territory: Territory, name: str, other_than: UUID | None = None
) -> None:
    if territory.ags is not None:
        existing = await repository.get_by_ags(territory.ags)
        if existing is not None and existing["id"] != other_than:
            raise Conflict(
                f"A municipality with the key {territory.ags} is already registered.", id=str(existing["id"])
            )
    if kind is Kind.QUARTIER and territory.quarter is not None:
        if await repository.quarter_taken(territory.member_keys[0], territory.quarter, other_than=other_than):
            raise Conflict(f"The quarter {territory.quarter} of {territory.member_keys[0]} is already registered.")
    if kind is Kind.VERBUND and await repository.alliance_name_taken(name, other_than=other_than):
        raise Conflict(f"A VERBUND named {name} is already registered.")


async def register_municipality(session: AsyncSession, caller: Caller, data: MunicipalityCreate) -> Municipality:
    """Register a participant (office only): its territory checked against the register, with defaults from it."""
    caller.require_role(Role.OFFICE)
    territory = await locate(session, data.kind, data.ags, data.member_keys, data.quarter, data.bundesland)
    name = data.name or territory.name
    if name is None:
        raise BadInput(f"A {data.kind.value} needs a name.", field="name")
    plans = _participation_rows(data.programmes)
    topic_keys = await _check_topics(session, data.topics)
    repository = MunicipalityRepository(session)
    await _check_unique(repository, data.kind, territory, name)
    values = {
        "id": uuid.uuid4(),
        "ags": territory.ags,
        "member_keys": territory.member_keys,
        "quarter": territory.quarter,
        "name": name,
        "kind": data.kind.value,
        "bundesland": territory.bundesland,
        "population": data.population if data.population is not None else territory.population,
        "kreis_key": territory.kreis_key,
        "urbanisation": territory.urbanisation,
        "latitude": territory.latitude,
        "longitude": territory.longitude,
    }
    # Sorted as the reads sort them, so the answer is the record as any later read shows it.
    plans = sorted(plans, key=lambda p: p["programme"])
    subjects = _unique_subjects(data.adviser_subjects)
    row = await repository.add(values, plans, topic_keys, subjects)
    municipality = _municipality(row, plans, topic_keys, subjects)
    await outbox.record(session, _state(MunicipalityRegistered, municipality))
    return municipality


def _state(event: type[MunicipalityRegistered] | type[MunicipalityUpdated], m: Municipality) -> Any:
    return event(
        municipality_id=m.id,
        ags=m.ags,
        member_keys=m.member_keys,
        name=m.name,
        kind=m.kind.value,
        bundesland=m.bundesland,
        population=m.population,
        urbanisation=m.urbanisation,
        kreis_key=m.kreis_key,
        latitude=m.latitude,
        longitude=m.longitude,
        programmes=m.programmes,
        zwk_cluster=m.zwk_cluster.value if m.zwk_cluster else None,
        topics=m.topics,
        adviser_subjects=m.adviser_subjects or [],
    )


# --- changing ----------------------------------------------------------------


async def update_municipality(
    session: AsyncSession, caller: Caller, municipality_id: UUID, data: MunicipalityUpdate
) -> Municipality:
    """Change a record: everything by the office; its topics also by the municipality itself."""
    given = data.model_fields_set
    if given - {"topics"}:
        caller.require_role(Role.OFFICE)
    else:
        require_own_or_office(caller, municipality_id)
    repository = MunicipalityRepository(session)
    # The row lock orders concurrent changes, so each event carries the state its change left.
    current = await _load(repository, municipality_id, for_update=True)
    kind = current.kind
    values: dict[str, Any] = {}

    if given & {"member_keys", "quarter", "bundesland"}:
        if "member_keys" in given and kind not in (Kind.VERBUND, Kind.QUARTIER):
            raise BadInput(f"Only a VERBUND or QUARTIER has member keys, not a {kind.value}.", field="member_keys")
        if "quarter" in given and kind is not Kind.QUARTIER:
            raise BadInput("Only a QUARTIER has a quarter.", field="quarter")
        if "bundesland" in given and kind is not Kind.VERBUND and data.bundesland != current.bundesland:
            raise BadInput(
                f"The bundesland of a {kind.value} follows from its key: {current.bundesland}.", field="bundesland"
            )
        if kind in (Kind.VERBUND, Kind.QUARTIER):
            territory = await locate(
                session,
                kind,
                None,
                data.member_keys if data.member_keys is not None else current.member_keys,
                data.quarter if "quarter" in given else current.quarter,
                data.bundesland,
                current_bundesland=current.bundesland,
            )
            await _check_unique(repository, kind, territory, data.name or current.name, other_than=municipality_id)
            values.update(
                member_keys=territory.member_keys,
                quarter=territory.quarter,
                bundesland=territory.bundesland,
                kreis_key=territory.kreis_key,
                urbanisation=territory.urbanisation,
                latitude=territory.latitude,
                longitude=territory.longitude,
            )
    if "name" in given and data.name is not None:
        if kind is Kind.VERBUND and "member_keys" not in given:
            await _check_unique(repository, kind, as_territory(current), data.name, other_than=municipality_id)
        values["name"] = data.name
    if "population" in given:
        values["population"] = data.population

    changed_values = {k: v for k, v in values.items() if getattr(current, k) != v}
    changed_children = False
    if data.programmes is not None:
        plans = _participation_rows(_keeping_periods(data.programmes, current.participations))
        if plans != [_participation_row(p) for p in current.participations]:
            await repository.set_participations(municipality_id, plans)
            changed_children = True
    if data.topics is not None:
        topic_keys = await _check_topics(session, data.topics)
        if topic_keys != current.topics:
            await repository.set_topics(municipality_id, topic_keys)
            changed_children = True
    if data.adviser_subjects is not None:
        subjects = _unique_subjects(data.adviser_subjects)
        if subjects != current.adviser_subjects:
            await repository.set_advisers(municipality_id, subjects)
            changed_children = True
    if not changed_values and not changed_children:
        return visible_to(caller, current)
    row = await repository.change(municipality_id, changed_values)
    municipality = (await _complete(repository, [row]))[0]
    await outbox.record(session, _state(MunicipalityUpdated, municipality))
    return visible_to(caller, municipality)


def _keeping_periods(items: Sequence[ProgrammeInput], current: Sequence[Participation]) -> list[ProgrammeInput]:
    """A programme named again keeps its period and cluster unless the change gives new ones."""
    known = {p.programme: p for p in current}
    kept: list[ProgrammeInput] = []
    for item in items:
        given = item if isinstance(item, ParticipationInput) else ParticipationInput(programme=item)
        before = known.get(given.programme)
        if before is not None:
            given = given.model_copy(
                update={
                    field: getattr(before, field)
                    for field in ("starts_on", "ends_on", "cluster")
                    if field not in given.model_fields_set
                }
            )
        kept.append(given)
    return kept


def _participation_row(p: Participation) -> dict[str, Any]:
    return {
        "programme": p.programme.value,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "cluster": p.cluster.value if p.cluster else None,
    }
