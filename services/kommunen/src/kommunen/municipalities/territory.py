"""Locating a participant: its key or members checked against the register, its defaults taken from there."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from kommunen.municipalities import rules
from kommunen.municipalities.rules import Kind, Territory
from kommunen.municipalities.schemas import Municipality
from kommunen.register import service as register
from zwk_common.errors import BadInput

OFFICIAL_UNIT_KINDS = set(rules.LEVEL_OF_KIND)


async def locate(
    session: AsyncSession,
    kind: Kind,
    ags: str | None,
    member_keys: Sequence[str],
    quarter: str | None,
    bundesland: str | None,
    *,
    current_bundesland: str | None = None,
) -> Territory:
    """Validate where the participant is, against the register, and take its defaults from there."""
    if kind in OFFICIAL_UNIT_KINDS:
        level = rules.LEVEL_OF_KIND[kind]
        if ags is None:
            raise BadInput(f"A {kind.value} is registered with its {rules.KEY_NAMES[level]} (ags).", field="ags")
        if member_keys:
            raise BadInput(f"Only a VERBUND or QUARTIER has member keys, not a {kind.value}.", field="member_keys")
        if quarter is not None:
            raise BadInput("Only a QUARTIER has a quarter.", field="quarter")
        rules.check_key(ags, field="ags", level=level, kind=kind)
        unit = rules.require_in_register(ags, await register.find_unit(session, ags), field="ags")
        return rules.official_unit_territory(kind, unit, bundesland)
    if ags is not None:
        hint = (
            "give the city's key in member_keys and the quarter's name in quarter"
            if kind is Kind.QUARTIER
            else "give its members' keys in member_keys"
        )
        raise BadInput(f"A {kind.value} has no key of its own; {hint}.", field="ags")
    if kind is Kind.QUARTIER:
        if len(member_keys) != 1:
            raise BadInput("A QUARTIER names exactly one city: its 8-digit AGS in member_keys.", field="member_keys")
        if quarter is None:
            raise BadInput("A QUARTIER needs the quarter's name.", field="quarter")
        city_key = member_keys[0]
        rules.check_key(city_key, field="member_keys", level=rules.UnitLevel.GEMEINDE, kind=kind)
        city = rules.require_in_register(city_key, await register.find_unit(session, city_key), field="member_keys")
        return rules.quarter_territory(city, quarter, bundesland)
    if quarter is not None:
        raise BadInput("Only a QUARTIER has a quarter.", field="quarter")
    rules.check_member_keys(member_keys)
    members = rules.require_members(member_keys, await register.get_units(session, member_keys))
    return rules.alliance_territory(members, bundesland, current=current_bundesland)


def as_territory(m: Municipality) -> Territory:
    return Territory(
        ags=m.ags,
        member_keys=m.member_keys,
        quarter=m.quarter,
        bundesland=m.bundesland,
        name=m.name,
        population=m.population,
        kreis_key=m.kreis_key,
        urbanisation=m.urbanisation,
        latitude=m.latitude,
        longitude=m.longitude,
    )
