"""Reading participants: lists with filters and cursors, batch reads, and who sees what."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest

Headers = dict[str, str]

PARTICIPANTS = [
    {"ags": "05913000", "kind": "KREISFREIE_STADT", "programmes": ["DWK", "ZWK"], "topics": ["wohnen", "sicherheit"]},
    {"ags": "01051", "kind": "LANDKREIS", "programmes": ["DWK", "ZWK"], "topics": ["gesundheit-pflege"]},
    {"ags": "071325006", "kind": "GEMEINDEVERBAND", "programmes": ["ZWK"], "topics": ["mobilitaet"]},
    {"ags": "14627230", "kind": "STADT", "programmes": ["DWK", "ZWK"]},
    {"ags": "09461000", "kind": "KREISFREIE_STADT", "programmes": ["DWK"], "topics": ["leben-im-alter"]},
    {"ags": "06412000", "kind": "KREISFREIE_STADT", "programmes": ["ZWK"], "name": "Frankfurt am Main"},
    {"ags": "03454055", "kind": "GEMEINDE", "programmes": ["ZWK"]},
]


@pytest.fixture
async def participants(register: Callable[..., Any]) -> dict[str, dict[str, Any]]:
    return {p["ags"]: await register(p) for p in PARTICIPANTS}


async def names(kommunen: httpx.AsyncClient, headers: Headers, **params: Any) -> list[str]:
    response = await kommunen.get("/municipalities", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [m["name"] for m in response.json()["items"]]


async def test_the_list_is_sorted_by_name_and_counts_all(
    kommunen: httpx.AsyncClient, office: Headers, participants: Any
) -> None:
    body = (await kommunen.get("/municipalities", headers=office)).json()
    assert [m["name"] for m in body["items"]] == [
        "Bamberg",
        "Dithmarschen",
        "Dortmund",
        "Frankfurt am Main",
        "Hamm (Sieg)",
        "Riesa",
        "Vrees",
    ]
    assert (body["total_count"], body["next_cursor"]) == (7, None)


async def test_the_filters_narrow_the_list(kommunen: httpx.AsyncClient, office: Headers, participants: Any) -> None:
    assert await names(kommunen, office, programme="DWK") == ["Bamberg", "Dithmarschen", "Dortmund", "Riesa"]
    assert await names(kommunen, office, bundesland="NW") == ["Dortmund"]
    assert await names(kommunen, office, kind="KREISFREIE_STADT") == ["Bamberg", "Dortmund", "Frankfurt am Main"]
    assert await names(kommunen, office, name="am") == ["Bamberg", "Frankfurt am Main", "Hamm (Sieg)"]
    assert await names(kommunen, office, programme="ZWK", kind="KREISFREIE_STADT") == ["Dortmund", "Frankfurt am Main"]
    assert await names(kommunen, office, name="%") == []


async def test_a_topic_filter_includes_its_sub_topics(
    kommunen: httpx.AsyncClient, office: Headers, participants: Any
) -> None:
    assert await names(kommunen, office, topic="sicherheit") == ["Dortmund"]
    # leben-im-alter lies under gesundheit-pflege.
    assert await names(kommunen, office, topic="gesundheit-pflege") == ["Bamberg", "Dithmarschen"]
    assert await names(kommunen, office, topic="wohnen") == ["Dortmund"]


@pytest.mark.parametrize(
    ("params", "total"),
    [
        ({"programme": "DWK"}, 4),
        ({"programme": "ZWK"}, 6),
        ({"programme": "DAKS"}, 0),
        ({"programme": "ZWK", "kind": "KREISFREIE_STADT"}, 2),
        ({"programme": "DWK", "name": "am"}, 1),
    ],
)
async def test_a_programme_counts_its_participants_alone_and_with_other_filters(
    kommunen: httpx.AsyncClient, office: Headers, participants: Any, params: dict[str, Any], total: int
) -> None:
    body = (await kommunen.get("/municipalities", params={**params, "first": 1}, headers=office)).json()
    assert body["total_count"] == total
    assert len(await names(kommunen, office, **params)) == total


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"topic": "raumfahrt"}, "Unknown topic: raumfahrt"),
        ({"programme": "XYZ"}, "programme"),
        ({"bundesland": "XX"}, "bundesland"),
        ({"kind": "DORF"}, "kind"),
        ({"first": 0}, "first"),
        ({"first": 101}, "first"),
        ({"after": "nicht-von-hier"}, "cursor"),
        ({"ids": "not-a-uuid"}, "ids"),
        ({"name": "x" * 201}, "name"),
    ],
)
async def test_bad_filters_are_refused(
    kommunen: httpx.AsyncClient, office: Headers, params: dict[str, Any], says: str
) -> None:
    response = await kommunen.get("/municipalities", params=params, headers=office)
    assert response.status_code == 422, response.text
    assert says in response.text


async def test_pages_follow_the_cursor_to_the_end(
    kommunen: httpx.AsyncClient, office: Headers, participants: Any
) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"first": 3}
        if cursor:
            params["after"] = cursor
        body = (await kommunen.get("/municipalities", params=params, headers=office)).json()
        seen += [m["name"] for m in body["items"]]
        assert body["total_count"] == 7
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == ["Bamberg", "Dithmarschen", "Dortmund", "Frankfurt am Main", "Hamm (Sieg)", "Riesa", "Vrees"]


async def test_a_batch_read_returns_the_asked_ids_on_one_page(
    kommunen: httpx.AsyncClient, as_role: Callable[..., Headers], participants: Any
) -> None:
    ids = [participants["05913000"]["id"], participants["14627230"]["id"], "4a0e3b4e-0000-4000-8000-000000000000"]
    body = (await kommunen.get("/municipalities", params={"ids": ids, "first": 1}, headers=as_role("reader"))).json()
    assert sorted(m["name"] for m in body["items"]) == ["Dortmund", "Riesa"]
    assert body["next_cursor"] is None
    too_many = {"ids": [participants["05913000"]["id"]] * 101}
    assert (await kommunen.get("/municipalities", params=too_many, headers=as_role("reader"))).status_code == 422


async def test_an_adviser_reads_only_its_assigned_municipalities(
    kommunen: httpx.AsyncClient, as_role: Callable[..., Headers], participants: Any
) -> None:
    dortmund, riesa = participants["05913000"], participants["14627230"]
    adviser = as_role("adviser", municipality_ids=[dortmund["id"]])
    assert await names(kommunen, adviser) == ["Dortmund"]
    assert (await kommunen.get(f"/municipalities/{dortmund['id']}", headers=adviser)).status_code == 200
    other = await kommunen.get(f"/municipalities/{riesa['id']}", headers=adviser)
    assert other.status_code == 403
    assert other.json()["code"] == "FORBIDDEN"
    assert (await kommunen.get("/municipalities/by-ags/14627230", headers=adviser)).status_code == 403
    batch = await kommunen.get("/municipalities", params={"ids": [dortmund["id"], riesa["id"]]}, headers=adviser)
    assert [m["name"] for m in batch.json()["items"]] == ["Dortmund"]
    unassigned = as_role("adviser")
    assert await names(kommunen, unassigned) == []


async def test_advisers_are_shown_only_to_the_office_the_municipality_and_its_advisers(
    kommunen: httpx.AsyncClient, office: Headers, as_role: Callable[..., Headers], participants: Any
) -> None:
    dortmund, riesa = participants["05913000"], participants["14627230"]
    url = f"/municipalities/{dortmund['id']}"
    await kommunen.patch(url, json={"adviser_subjects": ["beraterin-koenig"]}, headers=office)
    seen_by = {
        "office": office,
        "itself": as_role("municipality", municipality_id=dortmund["id"]),
        "adviser": as_role("adviser", municipality_ids=[dortmund["id"]]),
        "reader": as_role("reader"),
        "riesa": as_role("municipality", municipality_id=riesa["id"]),
    }
    shown = {who: (await kommunen.get(url, headers=h)).json()["adviser_subjects"] for who, h in seen_by.items()}
    assert shown == {
        "office": ["beraterin-koenig"],
        "itself": ["beraterin-koenig"],
        "adviser": ["beraterin-koenig"],
        "reader": None,
        "riesa": None,
    }


async def test_the_list_writes_each_record_as_its_single_read_does_for_every_caller(
    kommunen: httpx.AsyncClient, office: Headers, as_role: Callable[..., Headers], participants: Any
) -> None:
    # PostgreSQL writes the list's records, the models the single reads: the same answer, to the value.
    dortmund, riesa = participants["05913000"], participants["14627230"]
    await kommunen.patch(
        f"/municipalities/{dortmund['id']}",
        json={"adviser_subjects": ["beraterin-koenig", "berater-arslan"]},
        headers=office,
    )
    callers = {
        "office": office,
        "itself": as_role("municipality", municipality_id=dortmund["id"]),
        "adviser": as_role("adviser", municipality_ids=[dortmund["id"], riesa["id"]]),
        "reader": as_role("reader"),
        "riesa": as_role("municipality", municipality_id=riesa["id"]),
    }
    for who, headers in callers.items():
        listed = (await kommunen.get("/municipalities", params={"first": 100}, headers=headers)).json()["items"]
        assert listed, who
        for record in listed:
            single = await kommunen.get(f"/municipalities/{record['id']}", headers=headers)
            assert record == single.json(), (who, record["name"])
    shown = {
        m["name"]: m["adviser_subjects"]
        for m in (await kommunen.get("/municipalities", headers=office)).json()["items"]
    }
    assert shown["Dortmund"] == ["berater-arslan", "beraterin-koenig"]
    assert {
        m["name"]: m["adviser_subjects"]
        for m in (await kommunen.get("/municipalities", headers=callers["reader"])).json()["items"]
    }["Dortmund"] is None


async def test_a_reader_and_other_municipalities_read_the_public_record(
    kommunen: httpx.AsyncClient, as_role: Callable[..., Headers], participants: Any
) -> None:
    dortmund, riesa = participants["05913000"], participants["14627230"]
    for caller in (as_role("reader"), as_role("municipality", municipality_id=riesa["id"])):
        body = (await kommunen.get(f"/municipalities/{dortmund['id']}", headers=caller)).json()
        assert (body["name"], body["population"], body["topics"]) == ("Dortmund", 598246, ["sicherheit", "wohnen"])


async def test_unknown_ids_and_keys_are_not_found(kommunen: httpx.AsyncClient, office: Headers) -> None:
    missing = await kommunen.get("/municipalities/4a0e3b4e-0000-4000-8000-000000000000", headers=office)
    assert missing.status_code == 404
    assert missing.json()["code"] == "NOT_FOUND"
    assert (await kommunen.get("/municipalities/by-ags/05913000", headers=office)).status_code == 404
    assert (await kommunen.get("/municipalities/nicht-eine-id", headers=office)).status_code == 422
