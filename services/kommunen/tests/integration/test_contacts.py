"""Contacts: kept by the municipality and the office, seen by its advisers, never by a reader; removal erases."""

from collections.abc import Callable
from typing import Any

import asyncpg
import httpx
import pytest

Headers = dict[str, str]

MARIA = {
    "name": "Maria Schulte",
    "function": "Fachdienst für Senioren",
    "email": "maria.schulte@stadtdo.example",
    "phone": "+49 231 50-12345",
    "subject": "maria-schulte",
}


@pytest.fixture
async def dortmund(register: Callable[..., Any]) -> dict[str, Any]:
    return await register({"ags": "05913000", "kind": "KREISFREIE_STADT", "programmes": ["ZWK"]})  # type: ignore[no-any-return]


@pytest.fixture
async def riesa(register: Callable[..., Any]) -> dict[str, Any]:
    return await register({"ags": "14627230", "kind": "STADT", "programmes": ["ZWK"]})  # type: ignore[no-any-return]


def contacts_url(municipality: dict[str, Any]) -> str:
    return f"/municipalities/{municipality['id']}/contacts"


async def test_a_municipality_adds_changes_and_lists_its_contacts(
    kommunen: httpx.AsyncClient, as_role: Callable[..., Headers], dortmund: dict[str, Any], events: Any
) -> None:
    itself = as_role("municipality", municipality_id=dortmund["id"])
    added = await kommunen.post(contacts_url(dortmund), json=MARIA, headers=itself)
    assert added.status_code == 201, added.text
    contact = added.json()
    assert {k: contact[k] for k in MARIA} == MARIA
    changed = await kommunen.patch(
        f"{contacts_url(dortmund)}/{contact['id']}", json={"function": "Sozialdezernat"}, headers=itself
    )
    assert changed.status_code == 200
    assert changed.json()["function"] == "Sozialdezernat"
    listed = (await kommunen.get(contacts_url(dortmund), headers=itself)).json()
    assert [c["name"] for c in listed["items"]] == ["Maria Schulte"]
    assert listed["total_count"] == 1
    assert await events.types() == [
        "zwk.kommunen.municipality.registered",
        "zwk.kommunen.contact.added",
        "zwk.kommunen.contact.changed",
    ]
    [added_event] = await events.of("zwk.kommunen.contact.added")
    assert added_event == {
        "municipality_id": dortmund["id"],
        "contact_id": contact["id"],
        "name": "Maria Schulte",
        "function": "Fachdienst für Senioren",
        "email": "maria.schulte@stadtdo.example",
        "subject": "maria-schulte",
    }
    [changed_event] = await events.of("zwk.kommunen.contact.changed")
    assert changed_event["function"] == "Sozialdezernat"
    assert "phone" not in added_event


async def test_a_phone_change_stays_here(
    kommunen: httpx.AsyncClient, office: Headers, dortmund: dict[str, Any], events: Any
) -> None:
    contact = (await kommunen.post(contacts_url(dortmund), json=MARIA, headers=office)).json()
    response = await kommunen.patch(
        f"{contacts_url(dortmund)}/{contact['id']}", json={"phone": "0231 50-0"}, headers=office
    )
    assert response.json()["phone"] == "0231 50-0"
    assert await events.of("zwk.kommunen.contact.changed") == []


async def test_removing_a_contact_erases_the_person_and_tells_everyone(
    kommunen: httpx.AsyncClient,
    as_role: Callable[..., Headers],
    dortmund: dict[str, Any],
    events: Any,
    database: asyncpg.Connection,
) -> None:
    itself = as_role("municipality", municipality_id=dortmund["id"])
    contact = (await kommunen.post(contacts_url(dortmund), json=MARIA, headers=itself)).json()
    url = f"{contacts_url(dortmund)}/{contact['id']}"
    await kommunen.patch(url, json={"email": "m.schulte@stadtdo.example"}, headers=itself)
    removed = await kommunen.delete(url, headers=itself)
    assert removed.status_code == 204
    assert (await kommunen.get(url, headers=itself)).status_code == 404
    assert await events.of("zwk.kommunen.contact.removed") == [
        {"municipality_id": dortmund["id"], "contact_id": contact["id"]}
    ]
    # Nothing of the person is left in this service: not the row, not an event in the outbox.
    assert await database.fetchval("SELECT count(*) FROM kommunen.contacts") == 0
    remains = await database.fetchval(
        "SELECT count(*) FROM kommunen.outbox WHERE envelope::text LIKE '%Schulte%' OR envelope::text LIKE '%schulte%'"
    )
    assert remains == 0
    assert (await kommunen.delete(url, headers=itself)).status_code == 404


async def test_a_reader_never_sees_contacts(
    kommunen: httpx.AsyncClient, office: Headers, as_role: Callable[..., Headers], dortmund: dict[str, Any]
) -> None:
    contact = (await kommunen.post(contacts_url(dortmund), json=MARIA, headers=office)).json()
    reader = as_role("reader")
    listed = await kommunen.get(contacts_url(dortmund), headers=reader)
    assert listed.status_code == 403
    assert listed.json()["detail"] == "A reader never sees contacts."
    assert (await kommunen.get(f"{contacts_url(dortmund)}/{contact['id']}", headers=reader)).status_code == 403
    record = (await kommunen.get(f"/municipalities/{dortmund['id']}", headers=reader)).text
    assert "Schulte" not in record


async def test_an_assigned_adviser_reads_but_does_not_change_contacts(
    kommunen: httpx.AsyncClient,
    office: Headers,
    as_role: Callable[..., Headers],
    dortmund: dict[str, Any],
    riesa: dict[str, Any],
    events: Any,
) -> None:
    contact = (await kommunen.post(contacts_url(dortmund), json=MARIA, headers=office)).json()
    adviser = as_role("adviser", municipality_ids=[dortmund["id"]])
    assert (await kommunen.get(contacts_url(dortmund), headers=adviser)).json()["total_count"] == 1
    assert (await kommunen.get(contacts_url(riesa), headers=adviser)).status_code == 403
    url = f"{contacts_url(dortmund)}/{contact['id']}"
    assert (await kommunen.post(contacts_url(dortmund), json=MARIA, headers=adviser)).status_code == 403
    assert (await kommunen.patch(url, json={"name": "X"}, headers=adviser)).status_code == 403
    assert (await kommunen.delete(url, headers=adviser)).status_code == 403
    assert len(await events.of("zwk.kommunen.contact.added")) == 1
    assert await events.of("zwk.kommunen.contact.removed") == []


async def test_a_municipality_neither_sees_nor_edits_another_municipalitys_contacts(
    kommunen: httpx.AsyncClient,
    office: Headers,
    as_role: Callable[..., Headers],
    dortmund: dict[str, Any],
    riesa: dict[str, Any],
) -> None:
    contact = (await kommunen.post(contacts_url(dortmund), json=MARIA, headers=office)).json()
    as_riesa = as_role("municipality", municipality_id=riesa["id"])
    url = f"{contacts_url(dortmund)}/{contact['id']}"
    assert (await kommunen.get(contacts_url(dortmund), headers=as_riesa)).status_code == 403
    assert (await kommunen.post(contacts_url(dortmund), json=MARIA, headers=as_riesa)).status_code == 403
    assert (await kommunen.patch(url, json={"name": "X"}, headers=as_riesa)).status_code == 403
    assert (await kommunen.delete(url, headers=as_riesa)).status_code == 403
    # Nor through its own address: the contact belongs to Dortmund.
    foreign = f"{contacts_url(riesa)}/{contact['id']}"
    assert (await kommunen.patch(foreign, json={"name": "X"}, headers=as_riesa)).status_code == 404
    assert (await kommunen.get(url, headers=office)).json()["name"] == "Maria Schulte"


@pytest.mark.parametrize(
    "change",
    [
        {"name": ""},
        {"name": "N" * 201},
        {"email": "keine-adresse"},
        {"email": "a@" + "b" * 250 + ".de"},
        {"phone": "call me"},
        {"function": "F" * 201},
        {"subject": "s" * 201},
        {"name": 42},
        {"salary": 1},
    ],
)
async def test_a_bad_contact_is_refused_and_writes_nothing(
    kommunen: httpx.AsyncClient,
    office: Headers,
    dortmund: dict[str, Any],
    events: Any,
    database: asyncpg.Connection,
    change: dict[str, Any],
) -> None:
    response = await kommunen.post(contacts_url(dortmund), json={**MARIA, **change}, headers=office)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "BAD_USER_INPUT"
    assert await database.fetchval("SELECT count(*) FROM kommunen.contacts") == 0
    assert await events.of("zwk.kommunen.contact.added") == []


async def test_a_contact_needs_a_name_and_keeps_it(
    kommunen: httpx.AsyncClient, office: Headers, dortmund: dict[str, Any]
) -> None:
    assert (await kommunen.post(contacts_url(dortmund), json={"email": "a@b.de"}, headers=office)).status_code == 422
    contact = (await kommunen.post(contacts_url(dortmund), json=MARIA, headers=office)).json()
    url = f"{contacts_url(dortmund)}/{contact['id']}"
    assert (await kommunen.patch(url, json={"name": None}, headers=office)).status_code == 422
    cleared = await kommunen.patch(url, json={"email": None}, headers=office)
    assert cleared.json()["email"] is None


async def test_contacts_of_an_unknown_municipality_are_not_found(kommunen: httpx.AsyncClient, office: Headers) -> None:
    url = "/municipalities/4a0e3b4e-0000-4000-8000-000000000000/contacts"
    assert (await kommunen.get(url, headers=office)).status_code == 404
    assert (await kommunen.post(url, json=MARIA, headers=office)).status_code == 404


async def test_contacts_are_listed_by_name_page_by_page(
    kommunen: httpx.AsyncClient, office: Headers, dortmund: dict[str, Any]
) -> None:
    for name in ("Birgit Zoerner", "Anna Albers", "Carl Czerny"):
        await kommunen.post(contacts_url(dortmund), json={"name": name}, headers=office)
    first = (await kommunen.get(contacts_url(dortmund), params={"first": 2}, headers=office)).json()
    assert [c["name"] for c in first["items"]] == ["Anna Albers", "Birgit Zoerner"]
    assert first["total_count"] == 3
    rest = (
        await kommunen.get(contacts_url(dortmund), params={"first": 2, "after": first["next_cursor"]}, headers=office)
    ).json()
    assert [c["name"] for c in rest["items"]] == ["Carl Czerny"]
    assert rest["next_cursor"] is None
