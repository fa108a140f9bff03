"""Reading the Destatis extract and the Zensus table: the file's quirks, on real rows."""

from decimal import Decimal
from importlib import resources

import pytest

from kommunen.register.parsing import (
    Unit,
    parse_count,
    parse_decimal,
    parse_register,
    parse_zensus,
    search_name,
    short_name,
)

HEADER = (
    "\ufeffsatzart,textkennzeichen,land,rb,kreis,vb,gemeinde,gemeindename,flaeche,bevoelkerung,maennlich,weiblich,"
    "jekm2,postleitzahl,laengengrad,breitengrad,schluessel,bezeichnung,verstaedterungschluessel,"
    "verstaedterungbezeichnung\n"
)
FLENSBURG = (
    "10,,01,,,,,Schleswig-Holstein,,,,,,,,,,,,\n"
    '40,41,01,0,01,,,"Flensburg, Stadt",,,,,,,,,,,,\n'
    '50,50,01,0,01,0000,,"Flensburg, Stadt",,,,,,,,,,,,\n'
    '60,61,01,0,01,0000,000,"Flensburg, Stadt", 53.02, 90 164, 44 904, 45 260, 1 701,24937,"9,43751","54,78252",'
    "F02,Ostsee,01,dicht besiedelt\n"
)
ZENSUS = 'state,ags,place,population\nSH,010010000000,"Flensburg, Stadt",89934\n'


@pytest.fixture(scope="module")
def register() -> dict[str, Unit]:
    data = resources.files("kommunen.data")
    units = parse_register(
        data.joinpath("destatis-gv-auszug-2019.csv").read_text("utf-8"),
        data.joinpath("zensus-2022-population.csv").read_text("utf-8"),
    )
    return {unit.key: unit for unit in units}


def test_numbers_with_spaces_as_thousands_separators_are_read_whole() -> None:
    assert parse_count(" 90 164") == 90164
    assert parse_count(" 1 296") == 1296
    assert parse_count("  0") == 0
    assert parse_count("") is None


def test_decimal_commas_and_points_are_both_read() -> None:
    assert parse_decimal("9,43751") == Decimal("9.43751")
    assert parse_decimal(" 53.02") == Decimal("53.02")
    assert parse_decimal("") is None


def test_the_byte_order_mark_does_not_hide_the_first_column() -> None:
    units = {u.key: u for u in parse_register(HEADER + FLENSBURG, ZENSUS)}
    flensburg = units["01001000"]
    assert flensburg.population_2019 == 90164
    assert flensburg.population_2022 == 89934
    assert flensburg.area_km2 == Decimal("53.02")
    assert (flensburg.latitude, flensburg.longitude) == (54.78252, 9.43751)
    assert flensburg.urbanisation == 1
    assert flensburg.postcode == "24937"
    assert flensburg.ars == "010010000000"
    assert set(units) == {"01", "01001", "010010000", "01001000"}


def test_the_zensus_key_is_the_regional_key_and_the_ags_is_its_first_five_and_last_three_digits(
    register: dict[str, Unit],
) -> None:
    assert parse_zensus(ZENSUS) == {"010010000000": 89934}
    # Heide in Dithmarschen: ARS 010510044044, AGS 01051044.
    heide = register["01051044"]
    assert heide.ars == "010510044044"
    assert heide.population_2022 == 21487


def test_dortmund_is_read_with_every_attribute(register: dict[str, Unit]) -> None:
    dortmund = register["05913000"]
    assert dortmund.name == "Dortmund, Stadt"
    assert dortmund.short_name == "Dortmund"
    assert dortmund.level == "GEMEINDE"
    assert dortmund.type_label == "kreisfreie Stadt"
    assert dortmund.bundesland == "NW"
    assert dortmund.kreis_key == "05913"
    assert dortmund.verband_key == "059130000"
    assert dortmund.parent_key == "059130000"
    assert dortmund.ars == "059130000000"
    assert dortmund.area_km2 == Decimal("280.71")
    assert dortmund.population_2019 == 588250
    assert dortmund.population_2022 == 598246
    assert dortmund.postcode == "44135"
    assert dortmund.latitude == 51.514171
    assert dortmund.longitude == 7.464165
    assert dortmund.urbanisation == 1


def test_dithmarschen_is_a_kreis_with_the_sums_of_its_gemeinden(register: dict[str, Unit]) -> None:
    dithmarschen = register["01051"]
    assert dithmarschen.level == "KREIS"
    assert dithmarschen.type_label == "Kreis"
    assert dithmarschen.parent_key == "01"
    assert dithmarschen.population_2019 == 133193
    assert dithmarschen.population_2022 == 132810
    assert dithmarschen.area_km2 == Decimal("1428.18")


def test_verbandsgemeinde_hamm_sieg_has_its_nine_digit_key_under_its_kreis(register: dict[str, Unit]) -> None:
    hamm = register["071325006"]
    assert hamm.level == "GEMEINDEVERBAND"
    assert hamm.type_label == "Verbandsgemeinde"
    assert hamm.name == "Hamm (Sieg)"
    assert hamm.parent_key == "07132"
    assert hamm.bundesland == "RP"
    assert hamm.population_2019 == 12521
    assert hamm.population_2022 == 13081
    # Its Gemeinde of the same name is a unit of its own, below it.
    assert register["07132044"].parent_key == "071325006"


def test_every_level_is_read_and_the_regions_of_baden_wuerttemberg_are_left_out(register: dict[str, Unit]) -> None:
    levels: dict[str, int] = {}
    for unit in register.values():
        levels[unit.level] = levels.get(unit.level, 0) + 1
    assert levels == {"LAND": 16, "REGIERUNGSBEZIRK": 29, "KREIS": 401, "GEMEINDEVERBAND": 4606, "GEMEINDE": 11004}
    # A Kreis hangs under its Regierungsbezirk where the Land has them.
    assert register["05913"].parent_key == "059"
    assert register["059"].parent_key == "05"


def test_names_compare_case_folded_and_without_the_register_suffix() -> None:
    assert short_name("Frankfurt am Main, Stadt") == "Frankfurt am Main"
    assert short_name("Marktredwitz, GKSt") == "Marktredwitz"
    assert search_name("Dessau-Roßlau, Stadt") == "dessau-rosslau, stadt"
    assert search_name("  ÖLSNITZ ") == "ölsnitz"
