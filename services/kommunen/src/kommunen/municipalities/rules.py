"""What makes a participant's territory valid: its key, its kind, the register. Pure rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from kommunen.keys import LEVEL_BY_LENGTH, bundesland_of
from kommunen.municipalities.schemas import (
    MunicipalityKind,
    ParticipationInput,
    Programme,
    ProgrammeInput,
)
from kommunen.register.parsing import short_name
from kommunen.register.schemas import RegisterUnit, UnitLevel
from zwk_common.errors import BadInput

Kind = MunicipalityKind

# The level of the register a kind's key names, and the key's length.
LEVEL_OF_KIND: dict[Kind, UnitLevel] = {
    Kind.GEMEINDE: UnitLevel.GEMEINDE,
    Kind.STADT: UnitLevel.GEMEINDE,
    Kind.KREISFREIE_STADT: UnitLevel.GEMEINDE,
    Kind.LANDKREIS: UnitLevel.KREIS,
    Kind.REGIONALVERBAND: UnitLevel.KREIS,
    Kind.GEMEINDEVERBAND: UnitLevel.GEMEINDEVERBAND,
}
LENGTH_OF_LEVEL = {level: length for length, level in LEVEL_BY_LENGTH.items()}
KEY_NAMES = {
    UnitLevel.GEMEINDE: "8-digit AGS",
    UnitLevel.KREIS: "5-digit Kreis key",
    UnitLevel.GEMEINDEVERBAND: "9-digit Gemeindeverband key",
}
MEMBER_LEVELS = (UnitLevel.GEMEINDE, UnitLevel.KREIS, UnitLevel.GEMEINDEVERBAND)

KREISFREI = {61, 62}  # kreisfreie Stadt, Stadtkreis
KREIS_OF_A_CITY = {41, 42}
GEMEINDEFREI = {65, 66}
VERBANDSFREI = 50

# Each programme's term; a participation lies within it.
TERMS: dict[Programme, tuple[date, date | None]] = {
    Programme.DWK: (date(2016, 2, 26), date(2020, 12, 31)),
    Programme.ZWK: (date(2021, 1, 1), date(2024, 12, 31)),
    Programme.DAKS: (date(2021, 1, 1), None),
}


def check_key(key: str, *, field: str, level: UnitLevel | None = None, kind: Kind | None = None) -> None:
    """Digits, the length of its level, a Land prefix 01–16; otherwise bad input saying which."""
    if not key.isascii() or not key.isdigit():
        raise BadInput(f"The key {key!r} must consist of digits only.", field=field)
    if level is not None:
        wanted = LENGTH_OF_LEVEL[level]
        if len(key) != wanted:
            whose = f"A {kind.value}" if kind is not None else "This"
            raise BadInput(
                f"{whose} is identified by its {KEY_NAMES[level]}; {key} has {len(key)} digits.", field=field
            )
    elif LEVEL_BY_LENGTH.get(len(key)) not in MEMBER_LEVELS:
        raise BadInput(
            f"The key {key} has {len(key)} digits; a member is a Gemeinde (8), Kreis (5) "
            "or Gemeindeverband (9 digits).",
            field=field,
        )
    if bundesland_of(key) is None:
        raise BadInput(f"The key {key} does not begin with a Land prefix 01–16.", field=field)


def require_in_register(key: str, unit: RegisterUnit | None, *, field: str) -> RegisterUnit:
    if unit is None:
        raise BadInput(f"The key {key} is not in the official register of municipalities.", field=field)
    return unit


def check_unit_fits_kind(unit: RegisterUnit, kind: Kind, *, field: str = "ags") -> None:
    """The register's type of the unit agrees with the kind it is registered as."""
    code = unit.type_code
    if unit.level is UnitLevel.GEMEINDE:
        if code in GEMEINDEFREI:
            raise BadInput(f"{unit.key} ({unit.name}) is a gemeindefreies Gebiet, not a municipality.", field=field)
        if kind is Kind.KREISFREIE_STADT and code not in KREISFREI:
            raise BadInput(
                f"{unit.key} ({unit.name}) is a {unit.type_label}, not a kreisfreie Stadt; "
                "register it as GEMEINDE or STADT.",
                field=field,
            )
        if kind is not Kind.KREISFREIE_STADT and code in KREISFREI:
            raise BadInput(
                f"{unit.key} ({unit.name}) is a kreisfreie Stadt; register it as KREISFREIE_STADT.", field=field
            )
    elif unit.level is UnitLevel.KREIS:
        if code in KREIS_OF_A_CITY:
            raise BadInput(
                f"{unit.key} is the Kreis key of the kreisfreie Stadt {short_name(unit.name)}; "
                f"register it as KREISFREIE_STADT with its 8-digit AGS {unit.key}000.",
                field=field,
            )
        if kind is Kind.REGIONALVERBAND and code != 45:
            raise BadInput(f"{unit.key} ({unit.name}) is a {unit.type_label}, not a Regionalverband.", field=field)
        if kind is Kind.LANDKREIS and code == 45:
            raise BadInput(
                f"{unit.key} ({unit.name}) is a Regionalverband; register it as REGIONALVERBAND.", field=field
            )
    elif unit.level is UnitLevel.GEMEINDEVERBAND and code == VERBANDSFREI:
        raise BadInput(
            f"{unit.key} stands for the verbandsfreie Gemeinde {short_name(unit.name)}, not a Gemeindeverband; "
            "register the Gemeinde with its 8-digit AGS.",
            field=field,
        )


def check_bundesland(given: str | None, derived: str, key: str) -> None:
    if given is not None and given != derived:
        raise BadInput(f"The key {key} lies in {derived}, not in {given}.", field="bundesland")


@dataclass(frozen=True)
class Territory:
    """Where a participant is, and what the register says about it."""

    ags: str | None
    member_keys: list[str]
    quarter: str | None
    bundesland: str
    name: str | None
    population: int | None
    kreis_key: str | None
    urbanisation: int | None
    latitude: float | None
    longitude: float | None


def official_unit_territory(kind: Kind, unit: RegisterUnit, bundesland: str | None) -> Territory:
    check_unit_fits_kind(unit, kind)
    check_bundesland(bundesland, unit.bundesland, unit.key)
    return Territory(
        ags=unit.key,
        member_keys=[],
        quarter=None,
        bundesland=unit.bundesland,
        name=unit.short_name,
        population=unit.population,
        kreis_key=unit.kreis_key,
        urbanisation=unit.urbanisation,
        latitude=unit.latitude,
        longitude=unit.longitude,
    )


def quarter_territory(city: RegisterUnit, quarter: str, bundesland: str | None) -> Territory:
    if city.type_code in GEMEINDEFREI:
        raise BadInput(f"{city.key} ({city.name}) is a gemeindefreies Gebiet, not a city.", field="member_keys")
    check_bundesland(bundesland, city.bundesland, city.key)
    return Territory(
        ags=None,
        member_keys=[city.key],
        quarter=quarter,
        bundesland=city.bundesland,
        name=f"{city.short_name} – {quarter}",
        # A quarter's population is its own; the city's would mislead every comparison.
        population=None,
        kreis_key=city.kreis_key,
        urbanisation=city.urbanisation,
        latitude=city.latitude,
        longitude=city.longitude,
    )


def alliance_territory(
    members: Sequence[RegisterUnit], bundesland: str | None, *, current: str | None = None
) -> Territory:
    """An alliance's Land: the one given, else its current one where a member lies there, else its members' one."""
    lands = sorted({member.bundesland for member in members})
    if bundesland is None and current is not None and (not lands or current in lands):
        bundesland = current
    if bundesland is None:
        if not lands:
            raise BadInput("A VERBUND without member keys needs its bundesland.", field="bundesland")
        if len(lands) > 1:
            raise BadInput(
                f"The members lie in {', '.join(lands)}; give the bundesland the VERBUND belongs to.",
                field="bundesland",
            )
        bundesland = lands[0]
    elif lands and bundesland not in lands:
        raise BadInput(f"No member of the VERBUND lies in {bundesland}.", field="bundesland")
    kreise = {member.kreis_key for member in members}
    populations = [member.population for member in members]
    return Territory(
        ags=None,
        member_keys=[member.key for member in members],
        quarter=None,
        bundesland=bundesland,
        name=None,
        population=sum(p for p in populations if p is not None) if members and None not in populations else None,
        kreis_key=kreise.pop() if len(kreise) == 1 else None,
        urbanisation=None,
        latitude=None,
        longitude=None,
    )


def check_member_keys(keys: Sequence[str], *, field: str = "member_keys") -> None:
    seen: set[str] = set()
    for key in keys:
        check_key(key, field=field)
        if key in seen:
            raise BadInput(f"The member key {key} is given twice.", field=field)
        seen.add(key)


def require_members(keys: Sequence[str], units: Mapping[str, RegisterUnit]) -> list[RegisterUnit]:
    missing = [key for key in keys if key not in units]
    if missing:
        raise BadInput(
            f"Not in the official register of municipalities: {', '.join(missing)}.",
            field="member_keys",
            unknown=missing,
        )
    return [units[key] for key in keys]


@dataclass(frozen=True)
class ParticipationPlan:
    programme: Programme
    starts_on: date
    ends_on: date | None
    cluster: str | None


def participations(items: Sequence[ProgrammeInput], today: date) -> list[ParticipationPlan]:
    """Each programme once, with its period (the programme's term by default) and, for ZWK only, a cluster."""
    plans: dict[Programme, ParticipationPlan] = {}
    for item in items:
        given = item if isinstance(item, ParticipationInput) else ParticipationInput(programme=item)
        programme = given.programme
        if programme in plans:
            raise BadInput(f"The programme {programme.value} is given twice.", field="programmes")
        if given.cluster is not None and programme is not Programme.ZWK:
            raise BadInput(
                f"A regional cluster belongs to a ZWK participation, not to {programme.value}.", field="programmes"
            )
        term_start, term_end = TERMS[programme]
        default_start = max(term_start, today) if programme is Programme.DAKS else term_start
        starts_on = given.starts_on or default_start
        ends_on = given.ends_on if given.ends_on is not None else term_end
        if ends_on is not None and ends_on < starts_on:
            raise BadInput(f"The {programme.value} participation ends before it starts.", field="programmes")
        if starts_on < term_start or (term_end is not None and ends_on is not None and ends_on > term_end):
            term = f"{term_start:%d.%m.%Y}–{term_end:%d.%m.%Y}" if term_end else f"from {term_start:%d.%m.%Y}"
            raise BadInput(
                f"A {programme.value} participation lies within the programme's term {term}.", field="programmes"
            )
        plans[programme] = ParticipationPlan(
            programme, starts_on, ends_on, given.cluster.value if given.cluster else None
        )
    return sorted(plans.values(), key=lambda plan: plan.programme.value)
