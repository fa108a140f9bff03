"""The pure rules of a participant's territory and programmes, without a database."""

from datetime import date

import pytest

from kommunen.municipalities import rules
from kommunen.municipalities.schemas import MunicipalityKind, ParticipationInput, Programme, ZwkCluster
from kommunen.register.schemas import RegisterUnit, UnitLevel
from zwk_common.errors import BadInput

TODAY = date(2025, 3, 1)


def unit(key: str, level: UnitLevel, type_code: int, name: str, bundesland: str = "NW") -> RegisterUnit:
    return RegisterUnit(
        key=key,
        level=level,
        type_code=type_code,
        type_label="",
        name=name,
        parent_key=None,
        land_key=key[:2],
        bundesland=bundesland,
        kreis_key=key[:5],
        verband_key=None,
        ags=None,
        ars=None,
        area_km2=None,
        population_2019=1000,
        population_2022=1100,
        postcode=None,
        latitude=None,
        longitude=None,
        urbanisation=None,
    )


def problem(call: object) -> str:
    with pytest.raises(BadInput) as caught:
        call()  # type: ignore[operator]
    return caught.value.detail


def test_a_key_with_letters_is_refused_saying_digits_only() -> None:
    detail = problem(lambda: rules.check_key("0591300A", field="ags", level=UnitLevel.GEMEINDE))
    assert "digits only" in detail


def test_a_key_of_the_wrong_length_for_the_kind_names_the_expected_key() -> None:
    detail = problem(
        lambda: rules.check_key("05913", field="ags", level=UnitLevel.GEMEINDE, kind=MunicipalityKind.KREISFREIE_STADT)
    )
    assert detail == "A KREISFREIE_STADT is identified by its 8-digit AGS; 05913 has 5 digits."


@pytest.mark.parametrize("key", ["00913000", "17913000", "99913000"])
def test_a_key_outside_the_land_prefixes_is_refused(key: str) -> None:
    detail = problem(lambda: rules.check_key(key, field="ags", level=UnitLevel.GEMEINDE))
    assert "Land prefix 01–16" in detail


def test_a_kreisangehoerige_gemeinde_is_no_kreisfreie_stadt() -> None:
    riesa = unit("14627230", UnitLevel.GEMEINDE, 63, "Riesa, Stadt", "SN")
    detail = problem(lambda: rules.check_unit_fits_kind(riesa, MunicipalityKind.KREISFREIE_STADT))
    assert "not a kreisfreie Stadt" in detail


def test_a_kreisfreie_stadt_registered_by_its_kreis_key_is_pointed_to_its_ags() -> None:
    dortmund = unit("05913", UnitLevel.KREIS, 41, "Dortmund, Stadt")
    detail = problem(lambda: rules.check_unit_fits_kind(dortmund, MunicipalityKind.LANDKREIS))
    assert "05913000" in detail


def test_an_alliance_across_laender_needs_its_bundesland() -> None:
    members = [
        unit("09473", UnitLevel.KREIS, 44, "Coburg", "BY"),
        unit("16072", UnitLevel.KREIS, 44, "Sonneberg", "TH"),
    ]
    assert "BY, TH" in problem(lambda: rules.alliance_territory(members, None))
    assert rules.alliance_territory(members, "BY").bundesland == "BY"
    assert "No member" in problem(lambda: rules.alliance_territory(members, "SN"))


def test_an_alliance_without_members_is_possible_with_a_bundesland() -> None:
    territory = rules.alliance_territory([], "BY")
    assert (territory.member_keys, territory.bundesland, territory.population) == ([], "BY", None)


def test_programmes_default_to_their_terms_and_daks_to_today() -> None:
    plans = rules.participations([Programme.ZWK, Programme.DWK, Programme.DAKS], TODAY)
    assert [(p.programme.value, p.starts_on, p.ends_on) for p in plans] == [
        ("DAKS", TODAY, None),
        ("DWK", date(2016, 2, 26), date(2020, 12, 31)),
        ("ZWK", date(2021, 1, 1), date(2024, 12, 31)),
    ]


def test_a_participation_outside_the_programme_term_is_refused() -> None:
    early = ParticipationInput(programme=Programme.DWK, starts_on=date(2015, 5, 1))
    assert "26.02.2016–31.12.2020" in problem(lambda: rules.participations([early], TODAY))


def test_a_cluster_belongs_only_to_zwk() -> None:
    dwk = ParticipationInput(programme=Programme.DWK, cluster=ZwkCluster.WEST)
    assert "ZWK" in problem(lambda: rules.participations([dwk], TODAY))
    zwk = ParticipationInput(programme=Programme.ZWK, cluster=ZwkCluster.NORD_OST)
    assert rules.participations([zwk], TODAY)[0].cluster == "NORD_OST"


def test_a_programme_given_twice_is_refused() -> None:
    assert "twice" in problem(lambda: rules.participations([Programme.ZWK, Programme.ZWK], TODAY))


def test_a_participation_that_ends_before_it_starts_is_refused() -> None:
    backwards = ParticipationInput(programme=Programme.ZWK, starts_on=date(2023, 1, 1), ends_on=date(2022, 1, 1))
    assert "ends before it starts" in problem(lambda: rules.participations([backwards], TODAY))
