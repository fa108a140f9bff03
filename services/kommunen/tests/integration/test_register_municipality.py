"""Registering a participant: checked against the register, defaults from it, the record and its event together."""

import asyncio
from collections.abc import Callable
from typing import Any

import asyncpg
import httpx
import pytest

DORTMUND = {"ags": "05913000", "kind": "KREISFREIE_STADT", "programmes": ["DWK", "ZWK"]}
DITHMARSCHEN = {"ags": "01051", "kind": "LANDKREIS", "programmes": ["DWK", "ZWK"]}
HAMM_SIEG = {"ags": "071325006", "kind": "GEMEINDEVERBAND", "programmes": ["ZWK"]}

Headers = dict[str, str]


async def test_registering_dortmund_takes_name_population_and_region_from_the_register(
    kommunen: httpx.AsyncClient, office: Headers, events: Any
) -> None:
    response = await kommunen.post("/municipalities", json=DORTMUND, headers=office)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["name"] == "Dortmund"
    assert (body["ags"], body["kind"], body["bundesland"]) == ("05913000", "KREISFREIE_STADT", "NW")
    assert body["population"] == 598246  # Zensus 2022
    assert (body["kreis_key"], body["urbanisation"]) == ("05913", 1)
    assert (body["latitude"], body["longitude"]) == (51.514171, 7.464165)
    assert body["programmes"] == ["DWK", "ZWK"]
    assert body["participations"] == [
        {"programme": "DWK", "starts_on": "2016-02-26", "ends_on": "2020-12-31", "cluster": None},
        {"programme": "ZWK", "starts_on": "2021-01-01", "ends_on": "2024-12-31", "cluster": None},
    ]
    assert body["member_keys"] == [] and body["quarter"] is None
    assert await events.types() == ["zwk.kommunen.municipality.registered"]
    again = await kommunen.get("/municipalities/by-ags/05913000", headers=office)
    assert again.json()["id"] == body["id"]


async def test_the_registered_event_carries_the_full_state(
    kommunen: httpx.AsyncClient, office: Headers, events: Any
) -> None:
    body = {
        **DORTMUND,
        "name": "Stadt Dortmund",
        "population": 603000,
        "programmes": ["DWK", {"programme": "ZWK", "cluster": "WEST"}],
        "topics": ["wohnen", "mobilitaet"],
        "adviser_subjects": ["beraterin-koenig"],
    }
    created = (await kommunen.post("/municipalities", json=body, headers=office)).json()
    [event] = await events.of("zwk.kommunen.municipality.registered")
    assert event == {
        "municipality_id": created["id"],
        "ags": "05913000",
        "member_keys": [],
        "name": "Stadt Dortmund",
        "kind": "KREISFREIE_STADT",
        "bundesland": "NW",
        "population": 603000,
        "urbanisation": 1,
        "kreis_key": "05913",
        "latitude": 51.514171,
        "longitude": 7.464165,
        "programmes": ["DWK", "ZWK"],
        "zwk_cluster": "WEST",
        "topics": ["mobilitaet", "wohnen"],
        "adviser_subjects": ["beraterin-koenig"],
    }


async def test_the_answer_to_a_registration_is_the_record_a_later_read_gives(
    kommunen: httpx.AsyncClient, office: Headers
) -> None:
    body = {
        **DORTMUND,
        "programmes": [{"programme": "ZWK", "cluster": "WEST"}, "DWK"],
        "topics": ["wohnen", "mobilitaet", "wohnen"],
        "adviser_subjects": ["beraterin-koenig", "berater-abel", "beraterin-koenig"],
    }
    created = await kommunen.post("/municipalities", json=body, headers=office)
    assert created.status_code == 201, created.text
    read = await kommunen.get(f"/municipalities/{created.json()['id']}", headers=office)
    assert created.json() == read.json()
    assert read.json()["programmes"] == ["DWK", "ZWK"]
    assert read.json()["topics"] == ["mobilitaet", "wohnen"]
    assert read.json()["adviser_subjects"] == ["berater-abel", "beraterin-koenig"]
    assert read.json()["zwk_cluster"] == "WEST"


async def test_a_registration_that_loses_the_race_for_its_key_writes_nothing(
    kommunen: httpx.AsyncClient, office: Headers, events: Any, database: asyncpg.Connection
) -> None:
    # The key is taken by a transaction still open when the registration checks it: the check
    # sees nothing, the insert waits for that transaction and, once it commits, finds the key taken.
    transaction = database.transaction()
    await transaction.start()
    await database.execute(
        "INSERT INTO kommunen.municipalities (id, ags, name, kind, bundesland) "
        "VALUES (gen_random_uuid(), '05913000', 'Dortmund', 'KREISFREIE_STADT', 'NW')"
    )
    body = {**DORTMUND, "topics": ["wohnen"], "adviser_subjects": ["beraterin-koenig"]}
    posting = asyncio.create_task(kommunen.post("/municipalities", json=body, headers=office))
    # pg_locks is read live; pg_stat_activity would be read once per transaction.
    waiting = "SELECT count(*) FROM pg_locks WHERE NOT granted"
    for _ in range(500):
        if await database.fetchval(waiting) or posting.done():
            break
        await asyncio.sleep(0.01)
    assert not posting.done(), (await posting).text
    assert await database.fetchval(waiting) == 1, "the registration never waited for the key"
    await transaction.commit()
    response = await posting
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "CONFLICT"
    for table in ("participations", "municipality_topics", "advisers"):
        assert await database.fetchval(f"SELECT count(*) FROM kommunen.{table}") == 0, table
    assert await database.fetchval("SELECT count(*) FROM kommunen.municipalities") == 1
    assert await events.types() == []


async def test_dithmarschen_registers_as_a_landkreis_with_the_kreis_population(
    kommunen: httpx.AsyncClient, office: Headers
) -> None:
    body = (await kommunen.post("/municipalities", json=DITHMARSCHEN, headers=office)).json()
    assert (body["name"], body["bundesland"], body["population"], body["kreis_key"]) == (
        "Dithmarschen",
        "SH",
        132810,
        "01051",
    )
    assert body["urbanisation"] is None and body["latitude"] is None


async def test_verbandsgemeinde_hamm_sieg_registers_by_its_nine_digit_key(
    kommunen: httpx.AsyncClient, office: Headers
) -> None:
    body = (await kommunen.post("/municipalities", json=HAMM_SIEG, headers=office)).json()
    assert (body["name"], body["ags"], body["bundesland"], body["population"], body["kreis_key"]) == (
        "Hamm (Sieg)",
        "071325006",
        "RP",
        13081,
        "07132",
    )


async def test_a_quarter_of_dortmund_registers_with_the_city_key_and_its_name(
    kommunen: httpx.AsyncClient, office: Headers, events: Any
) -> None:
    quarter = {
        "kind": "QUARTIER",
        "member_keys": ["05913000"],
        "quarter": "Westerfilde",
        "population": 11500,
        "programmes": ["DWK"],
    }
    response = await kommunen.post("/municipalities", json=quarter, headers=office)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["name"], body["ags"], body["member_keys"], body["quarter"]) == (
        "Dortmund – Westerfilde",
        None,
        ["05913000"],
        "Westerfilde",
    )
    assert (body["bundesland"], body["population"], body["urbanisation"], body["kreis_key"]) == (
        "NW",
        11500,
        1,
        "05913",
    )
    # The city itself and another quarter remain free to register.
    assert (await kommunen.post("/municipalities", json=DORTMUND, headers=office)).status_code == 201
    other = {**quarter, "quarter": "Menglinghausen"}
    assert (await kommunen.post("/municipalities", json=other, headers=office)).status_code == 201
    twice = await kommunen.post("/municipalities", json={**quarter, "quarter": "westerfilde"}, headers=office)
    assert twice.status_code == 409
    [event, *_] = await events.of("zwk.kommunen.municipality.registered")
    assert (event["ags"], event["member_keys"], event["kind"]) == (None, ["05913000"], "QUARTIER")


async def test_an_alliance_without_known_member_keys_registers_with_its_bundesland(
    kommunen: httpx.AsyncClient, office: Headers
) -> None:
    rodachtal = {"kind": "VERBUND", "name": "Initiative Rodachtal e.V.", "bundesland": "BY", "programmes": ["ZWK"]}
    response = await kommunen.post("/municipalities", json=rodachtal, headers=office)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["ags"], body["member_keys"], body["bundesland"], body["population"]) == (None, [], "BY", None)
    again = await kommunen.post(
        "/municipalities", json={**rodachtal, "name": "initiative rodachtal e.v."}, headers=office
    )
    assert again.status_code == 409


async def test_an_alliance_of_member_keys_sums_their_population_and_derives_its_land(
    kommunen: httpx.AsyncClient, office: Headers
) -> None:
    goeltzschtal = {
        "kind": "VERBUND",
        "name": "Städteverbund Göltzschtal",
        "member_keys": ["14523360", "14523010"],
        "programmes": ["ZWK"],
    }
    body = (await kommunen.post("/municipalities", json=goeltzschtal, headers=office)).json()
    assert body["bundesland"] == "SN"
    assert body["member_keys"] == ["14523360", "14523010"]
    assert body["kreis_key"] == "14523"
    assert body["population"] > 0


async def test_an_alliance_needs_a_name_and_a_land(kommunen: httpx.AsyncClient, office: Headers) -> None:
    nameless = await kommunen.post(
        "/municipalities", json={"kind": "VERBUND", "bundesland": "BY", "programmes": ["ZWK"]}, headers=office
    )
    assert nameless.status_code == 422
    assert nameless.json()["detail"] == "A VERBUND needs a name."
    landless = await kommunen.post(
        "/municipalities", json={"kind": "VERBUND", "name": "Rodachtal", "programmes": ["ZWK"]}, headers=office
    )
    assert landless.status_code == 422
    assert landless.json()["field"] == "bundesland"
    across = {
        "kind": "VERBUND",
        "name": "Rodachtal",
        "member_keys": ["09473", "16072"],
        "programmes": ["ZWK"],
    }
    mixed = await kommunen.post("/municipalities", json=across, headers=office)
    assert mixed.status_code == 422
    assert "BY, TH" in mixed.json()["detail"]
    assert (
        await kommunen.post("/municipalities", json={**across, "bundesland": "BY"}, headers=office)
    ).status_code == 201


async def test_a_duplicate_key_is_a_conflict_and_writes_no_event(
    kommunen: httpx.AsyncClient, office: Headers, events: Any
) -> None:
    assert (await kommunen.post("/municipalities", json=DORTMUND, headers=office)).status_code == 201
    response = await kommunen.post("/municipalities", json={**DORTMUND, "name": "Dortmund II"}, headers=office)
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "CONFLICT"
    assert "05913000" in response.json()["detail"]
    assert len(await events.types()) == 1


async def test_two_simultaneous_registrations_of_one_key_give_one_record_and_one_conflict(
    kommunen: httpx.AsyncClient, office: Headers, events: Any
) -> None:
    first, second = await asyncio.gather(
        kommunen.post("/municipalities", json=DORTMUND, headers=office),
        kommunen.post("/municipalities", json=DORTMUND, headers=office),
    )
    assert sorted([first.status_code, second.status_code]) == [201, 409]
    assert len(await events.types()) == 1


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({**DORTMUND, "ags": "0591300A"}, "ags", "digits only"),
        ({**DORTMUND, "ags": "05913"}, "ags", "8-digit AGS; 05913 has 5 digits"),
        ({**DORTMUND, "ags": "059130000"}, "ags", "8-digit AGS; 059130000 has 9 digits"),
        ({**DITHMARSCHEN, "ags": "01051044"}, "ags", "5-digit Kreis key; 01051044 has 8 digits"),
        ({**HAMM_SIEG, "ags": "07132"}, "ags", "9-digit Gemeindeverband key"),
        ({**DORTMUND, "ags": "17913000"}, "ags", "Land prefix 01–16"),
        ({**DORTMUND, "ags": "00913000"}, "ags", "Land prefix 01–16"),
        ({**DORTMUND, "ags": "05913999"}, "ags", "not in the official register"),
        ({**DORTMUND, "ags": "14627230"}, "ags", "not a kreisfreie Stadt"),
        ({**DITHMARSCHEN, "ags": "05913"}, "ags", "register it as KREISFREIE_STADT with its 8-digit AGS 05913000"),
        ({**HAMM_SIEG, "ags": "059130000"}, "ags", "verbandsfreie Gemeinde"),
        ({**DORTMUND, "bundesland": "BY"}, "bundesland", "05913000 lies in NW, not in BY"),
        ({"kind": "STADT", "programmes": ["ZWK"]}, "ags", "8-digit AGS"),
        ({**DORTMUND, "member_keys": ["05913000"]}, "member_keys", "Only a VERBUND or QUARTIER"),
        (
            {"kind": "QUARTIER", "ags": "05913000", "quarter": "Westerfilde", "programmes": ["ZWK"]},
            "ags",
            "no key of its own",
        ),
        ({"kind": "QUARTIER", "member_keys": ["05913000"], "programmes": ["ZWK"]}, "quarter", "quarter's name"),
        ({"kind": "QUARTIER", "member_keys": ["05913"], "quarter": "X", "programmes": ["ZWK"]}, "member_keys", "AGS"),
        (
            {"kind": "VERBUND", "name": "V", "member_keys": ["14523360", "14523360"], "programmes": ["ZWK"]},
            "member_keys",
            "given twice",
        ),
        (
            {"kind": "VERBUND", "name": "V", "member_keys": ["14523999"], "programmes": ["ZWK"]},
            "member_keys",
            "Not in the official register",
        ),
        ({**DORTMUND, "topics": ["wohnen", "raumfahrt"]}, "topics", "Unknown topic: raumfahrt"),
        ({**DORTMUND, "programmes": ["DWK", "DWK"]}, "programmes", "given twice"),
        ({**DORTMUND, "programmes": [{"programme": "DWK", "cluster": "WEST"}]}, "programmes", "cluster"),
    ],
)
async def test_a_bad_key_or_reference_is_refused_saying_what_is_wrong(
    kommunen: httpx.AsyncClient, office: Headers, events: Any, body: dict[str, Any], field: str, says: str
) -> None:
    response = await kommunen.post("/municipalities", json=body, headers=office)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "BAD_USER_INPUT"
    assert problem["field"] == field
    assert says in problem["detail"]
    assert await events.types() == []
    listed = await kommunen.get("/municipalities", headers=office)
    assert listed.json()["total_count"] == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "D" * 201}, "name"),
        ({"name": ""}, "name"),
        ({"population": -1}, "population"),
        ({"population": "viele"}, "population"),
        ({"population": 1.5}, "population"),
        ({"population": "12000"}, "population"),
        ({"population": True}, "population"),
        ({"population": 100_000_001}, "population"),
        ({"ags": 5913000}, "ags"),
        ({"ags": "0" * 21}, "ags"),
        ({"kind": "DORF"}, "kind"),
        ({"bundesland": "XX"}, "bundesland"),
        ({"programmes": []}, "programmes"),
        ({"programmes": ["ABC"]}, "programmes.0"),
        ({"programmes": "ZWK"}, "programmes"),
        ({"topics": ["Wohnen!"]}, "topics.0"),
        ({"adviser_subjects": ["x" * 201]}, "adviser_subjects.0"),
        ({"quarter": "Q" * 201}, "quarter"),
        ({"unexpected": True}, "unexpected"),
    ],
)
async def test_wrong_types_and_sizes_are_refused_and_change_nothing(
    kommunen: httpx.AsyncClient, office: Headers, events: Any, change: dict[str, Any], field: str
) -> None:
    response = await kommunen.post("/municipalities", json={**DORTMUND, **change}, headers=office)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "BAD_USER_INPUT"
    assert any(error["field"].startswith(field) for error in problem["errors"]), problem
    assert await events.types() == []


async def test_a_body_that_is_not_json_is_refused(kommunen: httpx.AsyncClient, office: Headers) -> None:
    response = await kommunen.post(
        "/municipalities", content=b"{not json", headers={**office, "content-type": "application/json"}
    )
    assert response.status_code == 422


@pytest.mark.parametrize("role", ["municipality", "adviser", "reader"])
async def test_only_the_office_registers(
    kommunen: httpx.AsyncClient, as_role: Callable[..., Headers], events: Any, role: str
) -> None:
    headers = as_role(role, municipality_id="00000000-0000-0000-0000-000000000001")
    response = await kommunen.post("/municipalities", json=DORTMUND, headers=headers)
    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
    assert await events.types() == []


async def test_without_a_token_nothing_is_answered(kommunen: httpx.AsyncClient) -> None:
    response = await kommunen.get("/municipalities/by-ags/05913000")
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"
    assert (await kommunen.post("/municipalities", json=DORTMUND)).status_code == 401
