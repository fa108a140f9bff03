"""Changing a participant: the office changes everything, a municipality only its own topics; each change one event."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest

DORTMUND = {"ags": "05913000", "kind": "KREISFREIE_STADT", "programmes": ["DWK", "ZWK"]}
RIESA = {"ags": "14627230", "kind": "STADT", "programmes": ["DWK", "ZWK"]}

Headers = dict[str, str]


@pytest.fixture
async def dortmund(register: Callable[..., Any]) -> dict[str, Any]:
    return await register(DORTMUND)  # type: ignore[no-any-return]


async def test_the_office_changes_name_population_programmes_and_advisers_in_one_event(
    kommunen: httpx.AsyncClient, office: Headers, dortmund: dict[str, Any], events: Any
) -> None:
    change = {
        "name": "Stadt Dortmund",
        "population": 603000,
        "programmes": ["DWK", {"programme": "ZWK", "cluster": "WEST"}, "DAKS"],
        "adviser_subjects": ["berater-2", "berater-1", "berater-2"],
    }
    response = await kommunen.patch(f"/municipalities/{dortmund['id']}", json=change, headers=office)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["population"], body["programmes"]) == ("Stadt Dortmund", 603000, ["DAKS", "DWK", "ZWK"])
    assert body["zwk_cluster"] == "WEST"
    assert body["adviser_subjects"] == ["berater-1", "berater-2"]
    [updated] = await events.of("zwk.kommunen.municipality.updated")
    assert updated["name"] == "Stadt Dortmund"
    assert updated["programmes"] == ["DAKS", "DWK", "ZWK"]
    assert updated["zwk_cluster"] == "WEST"
    assert updated["adviser_subjects"] == ["berater-1", "berater-2"]
    assert (updated["ags"], updated["urbanisation"], updated["kreis_key"]) == ("05913000", 1, "05913")


async def test_naming_a_programme_again_keeps_its_period_and_cluster(
    kommunen: httpx.AsyncClient, office: Headers, dortmund: dict[str, Any], events: Any
) -> None:
    url = f"/municipalities/{dortmund['id']}"
    await kommunen.patch(url, json={"programmes": ["DWK", {"programme": "ZWK", "cluster": "SUED"}]}, headers=office)
    body = (await kommunen.patch(url, json={"programmes": ["ZWK", "DWK"]}, headers=office)).json()
    assert body["zwk_cluster"] == "SUED"
    assert len(await events.of("zwk.kommunen.municipality.updated")) == 1


async def test_a_change_that_changes_nothing_writes_no_event(
    kommunen: httpx.AsyncClient, office: Headers, dortmund: dict[str, Any], events: Any
) -> None:
    same = {"name": "Dortmund", "programmes": ["DWK", "ZWK"], "topics": []}
    response = await kommunen.patch(f"/municipalities/{dortmund['id']}", json=same, headers=office)
    assert response.status_code == 200
    assert await events.types() == ["zwk.kommunen.municipality.registered"]


async def test_a_municipality_changes_its_own_topics(
    kommunen: httpx.AsyncClient, as_role: Callable[..., Headers], dortmund: dict[str, Any], events: Any
) -> None:
    itself = as_role("municipality", municipality_id=dortmund["id"])
    url = f"/municipalities/{dortmund['id']}"
    response = await kommunen.patch(url, json={"topics": ["wohnen", "leben-im-alter"]}, headers=itself)
    assert response.status_code == 200, response.text
    assert response.json()["topics"] == ["leben-im-alter", "wohnen"]
    [updated] = await events.of("zwk.kommunen.municipality.updated")
    assert updated["topics"] == ["leben-im-alter", "wohnen"]


@pytest.mark.parametrize(
    "change",
    [{"programmes": ["DAKS"]}, {"name": "Dortmund!"}, {"population": 1}, {"adviser_subjects": []}],
)
async def test_a_municipality_changes_neither_programmes_nor_its_record(
    kommunen: httpx.AsyncClient,
    as_role: Callable[..., Headers],
    dortmund: dict[str, Any],
    events: Any,
    change: dict[str, Any],
) -> None:
    itself = as_role("municipality", municipality_id=dortmund["id"])
    response = await kommunen.patch(f"/municipalities/{dortmund['id']}", json=change, headers=itself)
    assert response.status_code == 403
    assert await events.of("zwk.kommunen.municipality.updated") == []


@pytest.mark.parametrize("role", ["adviser", "reader"])
async def test_an_adviser_or_reader_changes_no_topics(
    kommunen: httpx.AsyncClient,
    as_role: Callable[..., Headers],
    dortmund: dict[str, Any],
    events: Any,
    role: str,
) -> None:
    caller = as_role(role, municipality_ids=[dortmund["id"]])
    response = await kommunen.patch(f"/municipalities/{dortmund['id']}", json={"topics": ["wohnen"]}, headers=caller)
    assert response.status_code == 403
    assert await events.of("zwk.kommunen.municipality.updated") == []


async def test_a_municipality_changes_no_other_municipalitys_topics(
    kommunen: httpx.AsyncClient,
    as_role: Callable[..., Headers],
    register: Callable[..., Any],
    dortmund: dict[str, Any],
    events: Any,
) -> None:
    riesa = await register(RIESA)
    as_riesa = as_role("municipality", municipality_id=riesa["id"])
    response = await kommunen.patch(f"/municipalities/{dortmund['id']}", json={"topics": ["wohnen"]}, headers=as_riesa)
    assert response.status_code == 403
    assert (await kommunen.get(f"/municipalities/{dortmund['id']}", headers=as_riesa)).json()["topics"] == []


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"topics": ["raumfahrt"]}, "Unknown topic: raumfahrt"),
        ({"bundesland": "BY"}, "follows from its key"),
        ({"member_keys": ["05913000"]}, "Only a VERBUND or QUARTIER"),
        ({"quarter": "Westerfilde"}, "Only a QUARTIER"),
        ({"programmes": [{"programme": "ZWK", "starts_on": "2030-01-01"}]}, "ZWK"),
    ],
)
async def test_a_bad_change_is_refused_and_leaves_the_record_whole(
    kommunen: httpx.AsyncClient,
    office: Headers,
    dortmund: dict[str, Any],
    events: Any,
    change: dict[str, Any],
    says: str,
) -> None:
    url = f"/municipalities/{dortmund['id']}"
    response = await kommunen.patch(url, json={"name": "Umbenannt", **change}, headers=office)
    assert response.status_code == 422, response.text
    assert says in response.json()["detail"]
    assert (await kommunen.get(url, headers=office)).json()["name"] == "Dortmund"
    assert await events.of("zwk.kommunen.municipality.updated") == []


@pytest.mark.parametrize(
    "change",
    [
        {"name": None},
        {"name": "x" * 201},
        {"population": -5},
        {"population": "many"},
        {"programmes": None},
        {"programmes": []},
        {"topics": None},
        {"topics": "wohnen"},
        {"ags": "05913000"},
        {"kind": "STADT"},
    ],
)
async def test_wrong_types_in_a_change_are_refused(
    kommunen: httpx.AsyncClient, office: Headers, dortmund: dict[str, Any], change: dict[str, Any]
) -> None:
    response = await kommunen.patch(f"/municipalities/{dortmund['id']}", json=change, headers=office)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "BAD_USER_INPUT"


async def test_changing_an_unknown_municipality_is_not_found(kommunen: httpx.AsyncClient, office: Headers) -> None:
    response = await kommunen.patch(
        "/municipalities/4a0e3b4e-0000-4000-8000-000000000000", json={"name": "Nirgendwo"}, headers=office
    )
    assert response.status_code == 404
    assert (await kommunen.patch("/municipalities/not-a-uuid", json={}, headers=office)).status_code == 422


async def test_a_population_can_be_cleared(
    kommunen: httpx.AsyncClient, office: Headers, dortmund: dict[str, Any]
) -> None:
    body = (await kommunen.patch(f"/municipalities/{dortmund['id']}", json={"population": None}, headers=office)).json()
    assert body["population"] is None


async def test_an_alliance_gets_new_members_and_their_land(
    kommunen: httpx.AsyncClient, office: Headers, register: Callable[..., Any], events: Any
) -> None:
    rodachtal = await register(
        {"kind": "VERBUND", "name": "Initiative Rodachtal e.V.", "bundesland": "BY", "programmes": ["ZWK"]}
    )
    url = f"/municipalities/{rodachtal['id']}"
    response = await kommunen.patch(url, json={"member_keys": ["09473", "16072"]}, headers=office)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["member_keys"], body["bundesland"]) == (["09473", "16072"], "BY")
    moved = await kommunen.patch(url, json={"member_keys": ["14523360"]}, headers=office)
    assert moved.status_code == 200
    assert moved.json()["bundesland"] == "SN"
    await register({"kind": "VERBUND", "name": "Göltzschtal", "bundesland": "SN", "programmes": ["ZWK"]})
    taken = await kommunen.patch(url, json={"name": "göltzschtal"}, headers=office)
    assert taken.status_code == 409
    [first, second] = await events.of("zwk.kommunen.municipality.updated")
    assert first["member_keys"] == ["09473", "16072"]
    assert second["bundesland"] == "SN"


async def test_a_quarter_is_renamed_within_its_city(
    kommunen: httpx.AsyncClient, office: Headers, register: Callable[..., Any]
) -> None:
    quarter = {"kind": "QUARTIER", "member_keys": ["05913000"], "programmes": ["DWK"]}
    westerfilde = await register({**quarter, "quarter": "Westerfilde"})
    await register({**quarter, "quarter": "Menglinghausen"})
    url = f"/municipalities/{westerfilde['id']}"
    taken = await kommunen.patch(url, json={"quarter": "Menglinghausen"}, headers=office)
    assert taken.status_code == 409
    renamed = await kommunen.patch(url, json={"quarter": "Westerfilde-Bodelschwingh"}, headers=office)
    assert renamed.status_code == 200
    assert renamed.json()["quarter"] == "Westerfilde-Bodelschwingh"
