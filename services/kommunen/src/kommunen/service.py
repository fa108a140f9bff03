"""The rules of kommunen; records events, never commits."""

import uuid
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from kommunen.events import MunicipalityRegistered
from kommunen.models import outbox
from kommunen.repository import MunicipalityRepository
from kommunen.schemas import Municipality, MunicipalityCreate
from zwk_common.auth import Caller, Role
from zwk_common.errors import BadInput, Conflict, NotFound

LAND_BY_PREFIX = dict(
    zip(
        [f"{i:02d}" for i in range(1, 17)],
        ["SH", "HH", "NI", "HB", "NW", "HE", "RP", "BW", "BY", "SL", "BE", "BB", "MV", "SN", "ST", "TH"],
        strict=True,
    )
)


def bundesland_of(key: str) -> str:
    land = LAND_BY_PREFIX.get(key[:2])
    if land is None:
        raise BadInput(f"The key {key} does not begin with a Land prefix 01–16.")
    return land


async def register_municipality(session: AsyncSession, caller: Caller, data: MunicipalityCreate) -> Municipality:
    caller.require_role(Role.OFFICE)
    repository = MunicipalityRepository(session)
    if data.ags is not None and await repository.get_by_ags(data.ags) is not None:
        raise Conflict(f"A municipality with the key {data.ags} is already registered.")
    if data.ags is not None:
        bundesland = bundesland_of(data.ags)
    elif data.bundesland is not None:
        bundesland = data.bundesland
    else:
        raise BadInput("Without a key, the bundesland must be given.")
    row = await repository.add(
        {
            "id": uuid.uuid4(),
            "ags": data.ags,
            "name": data.name,
            "kind": data.kind.value,
            "bundesland": bundesland,
            "population": data.population,
            "programmes": sorted({p.value for p in data.programmes}),
        }
    )
    municipality = Municipality.model_validate(row)
    await outbox.record(
        session,
        MunicipalityRegistered(
            municipality_id=municipality.id,
            ags=municipality.ags,
            name=municipality.name,
            kind=municipality.kind.value,
            bundesland=municipality.bundesland,
            population=municipality.population,
            programmes=municipality.programmes,
        ),
    )
    return municipality


async def get_municipality(session: AsyncSession, municipality_id: UUID) -> Municipality:
    row = await MunicipalityRepository(session).get(municipality_id)
    if row is None:
        raise NotFound(f"No municipality with the id {municipality_id}.")
    return Municipality.model_validate(row)


async def get_municipality_by_ags(session: AsyncSession, ags: str) -> Municipality:
    row = await MunicipalityRepository(session).get_by_ags(ags)
    if row is None:
        raise NotFound(f"No municipality with the key {ags} takes part.")
    return Municipality.model_validate(row)


async def get_municipalities(session: AsyncSession, ids: list[UUID]) -> list[Municipality]:
    return [Municipality.model_validate(r) for r in await MunicipalityRepository(session).get_many(ids)]
