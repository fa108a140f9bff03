"""Seeding the known DWK and ZWK participants: through the register's rules and the outbox, idempotently."""

from importlib import resources
from typing import Any

import httpx

from kommunen.seed import seed_from, seed_participants

Headers = dict[str, str]


def shipped() -> str:
    return resources.files("kommunen.data").joinpath("programme-participants.csv").read_text("utf-8")


async def test_every_known_participant_is_seeded_once_with_its_event(
    kommunen: httpx.AsyncClient, office: Headers, events: Any, zwk_env: dict[str, str]
) -> None:
    rows = shipped().strip().count("\n")
    result = await seed_from(zwk_env["ZWK_DATABASE_URL"], shipped())
    assert result.refused == {}
    assert len(result.registered) == rows
    listed = (await kommunen.get("/municipalities", params={"first": 100}, headers=office)).json()
    assert listed["total_count"] == rows
    assert len(await events.of("zwk.kommunen.municipality.registered")) == rows

    await seed_participants(zwk_env["ZWK_DATABASE_URL"])
    again = await seed_from(zwk_env["ZWK_DATABASE_URL"], shipped())
    assert again.registered == []
    assert len(again.present) == rows
    assert len(await events.of("zwk.kommunen.municipality.registered")) == rows


async def test_seeded_participants_carry_their_programmes_and_the_register_data(
    kommunen: httpx.AsyncClient, office: Headers, zwk_env: dict[str, str]
) -> None:
    await seed_from(zwk_env["ZWK_DATABASE_URL"], shipped())
    dortmund = (await kommunen.get("/municipalities/by-ags/05913000", headers=office)).json()
    assert (dortmund["name"], dortmund["kind"], dortmund["programmes"]) == (
        "Dortmund",
        "KREISFREIE_STADT",
        ["DWK", "ZWK"],
    )
    assert dortmund["population"] == 598246
    hamm = (await kommunen.get("/municipalities/by-ags/071325006", headers=office)).json()
    assert (hamm["name"], hamm["kind"], hamm["bundesland"]) == ("Verbandsgemeinde Hamm (Sieg)", "GEMEINDEVERBAND", "RP")
    dithmarschen = (await kommunen.get("/municipalities/by-ags/01051", headers=office)).json()
    assert (dithmarschen["kind"], dithmarschen["programmes"]) == ("LANDKREIS", ["DWK", "ZWK"])
    alliances = (await kommunen.get("/municipalities", params={"kind": "VERBUND"}, headers=office)).json()["items"]
    assert {(a["name"], a["bundesland"], tuple(a["member_keys"])) for a in alliances} == {
        ("Initiative Rodachtal e.V.", "BY", ()),
        ("Städteverbund Göltzschtal", "SN", ()),
    }


async def test_a_quarter_and_an_alliance_with_members_are_seeded_from_their_rows(
    kommunen: httpx.AsyncClient, office: Headers, zwk_env: dict[str, str]
) -> None:
    text = (
        "name,kind,key,bundesland,programmes,note\n"
        "Westerfilde,QUARTIER,05913000,NW,DWK,reference quarter\n"
        "Göltzschtal,VERBUND,14523360;14523010,SN,ZWK,\n"
        "Nirgendwo,STADT,05913999,NW,ZWK,\n"
    )
    result = await seed_from(zwk_env["ZWK_DATABASE_URL"], text)
    assert result.registered == ["Westerfilde", "Göltzschtal"]
    assert "not in the official register" in result.refused["Nirgendwo"]
    quarter = (await kommunen.get("/municipalities", params={"kind": "QUARTIER"}, headers=office)).json()["items"][0]
    assert (quarter["name"], quarter["member_keys"], quarter["quarter"]) == (
        "Dortmund – Westerfilde",
        ["05913000"],
        "Westerfilde",
    )
    again = await seed_from(zwk_env["ZWK_DATABASE_URL"], text)
    assert again.present == ["Westerfilde", "Göltzschtal"]
