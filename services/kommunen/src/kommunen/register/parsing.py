"""Reading the Destatis GV extract and the Zensus 2022 table into territorial units.

Pure functions over text, so the file's quirks (byte-order mark, spaces as
thousands separators, decimal commas) are tested without a database.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from kommunen.keys import bundesland_of

LAND, REGIERUNGSBEZIRK, KREIS, GEMEINDEVERBAND, GEMEINDE = (
    "LAND",
    "REGIERUNGSBEZIRK",
    "KREIS",
    "GEMEINDEVERBAND",
    "GEMEINDE",
)

TYPE_LABELS = {
    41: "kreisfreie Stadt",
    42: "Stadtkreis",
    43: "Kreis",
    44: "Landkreis",
    45: "Regionalverband",
    50: "verbandsfreie Gemeinde",
    51: "Amt",
    52: "Samtgemeinde",
    53: "Verbandsgemeinde",
    54: "Verwaltungsgemeinschaft",
    55: "Kirchspielslandgemeinde",
    56: "Verwaltungsverband",
    57: "Verbandsgemeinde (Trägermodell)",
    58: "erfüllende Gemeinde",
    60: "Markt",
    61: "kreisfreie Stadt",
    62: "Stadtkreis",
    63: "Stadt",
    64: "kreisangehörige Gemeinde",
    65: "gemeindefreies Gebiet, bewohnt",
    66: "gemeindefreies Gebiet, unbewohnt",
    67: "Große Kreisstadt",
}
LEVEL_LABELS = {LAND: "Land", REGIERUNGSBEZIRK: "Regierungsbezirk"}


@dataclass
class Unit:
    key: str
    level: str
    type_code: int | None
    type_label: str
    name: str
    parent_key: str | None
    land_key: str
    bundesland: str
    kreis_key: str | None = None
    verband_key: str | None = None
    ags: str | None = None
    ars: str | None = None
    area_km2: Decimal | None = None
    population_2019: int | None = None
    population_2022: int | None = None
    postcode: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    urbanisation: int | None = None

    @property
    def short_name(self) -> str:
        return short_name(self.name)

    @property
    def search_name(self) -> str:
        return search_name(self.name)


def short_name(name: str) -> str:
    """The name without the register's suffix: "Dortmund, Stadt" -> "Dortmund"."""
    return name.split(",", 1)[0].strip()


def search_name(text: str) -> str:
    """The form names are compared in for autocomplete: case-folded ("Roßlau" -> "rosslau")."""
    return " ".join(text.casefold().split())


def parse_count(text: str) -> int | None:
    """' 90 164' -> 90164; an empty cell is None."""
    digits = text.replace(" ", "").replace("\u00a0", "")
    return int(digits) if digits else None


def parse_decimal(text: str) -> Decimal | None:
    """'9,43751' or ' 53.02' -> Decimal; an empty cell is None."""
    cleaned = text.strip().replace(" ", "").replace(",", ".")
    return Decimal(cleaned) if cleaned else None


def _text(text: str) -> str | None:
    return text.strip() or None


def parse_zensus(text: str) -> dict[str, int]:
    """Population at the Zensus 2022 by 12-digit ARS."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    population: dict[str, int] = {}
    for row in reader:
        ars = row["ags"].strip()
        count = parse_count(row["population"])
        if len(ars) == 12 and count is not None:
            population[ars] = count
    return population


def ags_of_ars(ars: str) -> str:
    """The 8-digit AGS inside a 12-digit ARS: the Kreis (first 5) and the Gemeinde (last 3)."""
    return ars[:5] + ars[-3:]


def parse_register(gv_text: str, zensus_text: str) -> list[Unit]:
    """Every Land, Regierungsbezirk, Kreis, Gemeindeverband and Gemeinde of the extract."""
    zensus = parse_zensus(zensus_text)
    zensus_by_ags = {ags_of_ars(ars): count for ars, count in zensus.items()}
    # "utf-8-sig" semantics on a str: the byte-order mark would otherwise
    # become part of the first column's name ("\ufeffsatzart").
    reader = csv.DictReader(io.StringIO(gv_text.lstrip("\ufeff")))
    units: dict[str, Unit] = {}
    for row in reader:
        unit = _unit(row, zensus_by_ags)
        if unit is not None:
            units[unit.key] = unit
    _link_parents(units)
    _sum_up(units, zensus)
    return list(units.values())


def _unit(row: dict[str, str], zensus_by_ags: dict[str, int]) -> Unit | None:
    kind = row["satzart"].strip()
    land, rb, kreis, vb, gemeinde = (row[c].strip() for c in ("land", "rb", "kreis", "vb", "gemeinde"))
    name = row["gemeindename"].strip()
    type_code = int(row["textkennzeichen"]) if row["textkennzeichen"].strip() else None
    bundesland = bundesland_of(land) or ""
    if kind == "10":
        return Unit(land, LAND, None, "Land", name, None, land, bundesland)
    if kind == "20":
        return Unit(land + rb, REGIERUNGSBEZIRK, None, "Regierungsbezirk", name, land, land, bundesland)
    if kind == "40":
        key = land + rb + kreis
        return Unit(key, KREIS, type_code, TYPE_LABELS.get(type_code or 0, "Kreis"), name, None, land, bundesland, key)
    if kind == "50":
        key = land + rb + kreis + vb
        label = TYPE_LABELS.get(type_code or 0, "Gemeindeverband")
        return Unit(key, GEMEINDEVERBAND, type_code, label, name, key[:5], land, bundesland, key[:5], key)
    if kind == "60":
        ags = land + rb + kreis + gemeinde
        urbanisation = parse_count(row["verstaedterungschluessel"])
        return Unit(
            key=ags,
            level=GEMEINDE,
            type_code=type_code,
            type_label=TYPE_LABELS.get(type_code or 0, "Gemeinde"),
            name=name,
            parent_key=land + rb + kreis + vb,
            land_key=land,
            bundesland=bundesland,
            kreis_key=ags[:5],
            verband_key=land + rb + kreis + vb,
            ags=ags,
            ars=land + rb + kreis + vb + gemeinde,
            area_km2=parse_decimal(row["flaeche"]),
            population_2019=parse_count(row["bevoelkerung"]),
            population_2022=zensus_by_ags.get(ags),
            postcode=_text(row["postleitzahl"]),
            longitude=_float(parse_decimal(row["laengengrad"])),
            latitude=_float(parse_decimal(row["breitengrad"])),
            urbanisation=urbanisation if urbanisation in (1, 2, 3) else None,
        )
    # satzart 30: the planning regions of Baden-Württemberg lie outside the
    # administrative hierarchy (a Kreis's parent is its Regierungsbezirk).
    return None


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _link_parents(units: dict[str, Unit]) -> None:
    for unit in units.values():
        if unit.level == KREIS:
            regierungsbezirk = unit.key[:3]
            unit.parent_key = regierungsbezirk if regierungsbezirk in units else unit.land_key


def _sum_up(units: dict[str, Unit], zensus: dict[str, int]) -> None:
    """Area and population of the higher levels as the sums over their Gemeinden."""
    area: dict[str, Decimal] = defaultdict(Decimal)
    population_2019: dict[str, int] = defaultdict(int)
    for unit in units.values():
        if unit.level != GEMEINDE:
            continue
        for key in _ancestors(unit):
            if unit.area_km2 is not None:
                area[key] += unit.area_km2
            population_2019[key] += unit.population_2019 or 0
    # 2022 by the Zensus's own ARS: its Gemeindeverbände and Kreise are those
    # of 2022, so Gemeinden merged since 2019 still count where they belong now.
    population_2022: dict[str, int] = defaultdict(int)
    for ars, count in zensus.items():
        for key in (ars[:2], ars[:3], ars[:5], ars[:9]):
            population_2022[key] += count
    for unit in units.values():
        if unit.level == GEMEINDE:
            continue
        unit.area_km2 = area.get(unit.key)
        unit.population_2019 = population_2019.get(unit.key)
        unit.population_2022 = population_2022.get(unit.key)


def _ancestors(unit: Unit) -> Iterable[str]:
    assert unit.ags is not None and unit.verband_key is not None
    return (unit.land_key, unit.ags[:3], unit.ags[:5], unit.verband_key)
