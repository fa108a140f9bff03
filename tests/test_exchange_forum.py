"""A municipality registered in kommunen shares a practice in austausch, and others find it."""

import httpx

from zwk_common.testing import eventually
from zwk_common.testing.plugin import bearer


async def test_a_registered_municipality_shares_a_practice_that_others_find(start_services, zwk_token) -> None:  # type: ignore[no-untyped-def]
    services = await start_services("kommunen", "austausch")
    kommunen, austausch = services["kommunen"].url, services["austausch"].url
    async with httpx.AsyncClient(timeout=5) as client:
        registered = await client.post(
            kommunen + "/municipalities",
            json={"ags": "14627230", "name": "Riesa", "kind": "STADT", "population": 29620, "programmes": ["ZWK"]},
            headers=bearer(zwk_token("office")),
        )
        assert registered.status_code == 201, registered.text
        riesa_id = registered.json()["id"]
        riesa = bearer(zwk_token("municipality", municipality_id=riesa_id, subject="quartier@riesa"))
        practice = {
            "municipality_id": riesa_id,
            "title": "Nachbarschaftsbörse Riesa",
            "summary": "Nachbarn helfen Nachbarn.",
            "body": "Die Börse vermittelt Ehrenamtliche an Senioren.",
            "topics": ["engagement"],
        }

        async def drafted() -> dict[str, str] | None:
            response = await client.post(austausch + "/practices", json=practice, headers=riesa)
            return response.json() if response.status_code == 201 else None  # type: ignore[no-any-return]

        draft = await eventually(drafted, timeout=15, message="austausch never heard of Riesa")
        published = await client.post(f"{austausch}/practices/{draft['id']}/publish", headers=riesa)
        assert published.status_code == 200
        found = await client.get(
            austausch + "/search", params={"q": "Nachbarschaftsbörsen"}, headers=bearer(zwk_token("reader"))
        )
        assert [hit["title"] for hit in found.json()["items"]] == ["Nachbarschaftsbörse Riesa"]
        assert found.json()["items"][0]["municipality"]["bundesland"] == "SN"
