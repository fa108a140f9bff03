"""The thin slice through every layer: register in kommunen, stages from prozess, read through the gateway."""

import httpx

from zwk_common.testing import eventually
from zwk_common.testing.plugin import bearer

QUERY = '{ municipality(ags: "05913000") { name stages { stage status } } }'


async def test_a_registered_municipality_appears_with_its_stages_in_the_gateway(start_services, zwk_token) -> None:  # type: ignore[no-untyped-def]
    services = await start_services("kommunen", "prozess", "gateway")
    office = bearer(zwk_token("office"))
    async with httpx.AsyncClient(timeout=5) as client:
        response = await client.post(
            services["kommunen"].url + "/municipalities",
            json={"ags": "05913000", "name": "Dortmund", "kind": "KREISFREIE_STADT", "programmes": ["ZWK"]},
            headers=office,
        )
        assert response.status_code == 201, response.text

        async def stages() -> list[dict[str, str]]:
            answer = await client.post(services["gateway"].url + "/graphql", json={"query": QUERY}, headers=office)
            assert answer.status_code == 200, answer.text
            body = answer.json()
            assert "errors" not in body, body
            return body["data"]["municipality"]["stages"]  # type: ignore[no-any-return]

        found = await eventually(stages, timeout=15)
        assert found == [
            {"stage": stage, "status": "NOT_STARTED"}
            for stage in ("KICK_OFF", "KOMMUNALPROFIL", "ZUKUNFTSWERKSTATT", "WERKSTATTPLAN", "ZWISCHENBILANZ")
        ]


async def test_the_gateway_answers_unauthenticated_without_a_token(start_services) -> None:  # type: ignore[no-untyped-def]
    services = await start_services("kommunen", "prozess", "gateway")
    async with httpx.AsyncClient(timeout=5) as client:
        answer = await client.post(services["gateway"].url + "/graphql", json={"query": QUERY})
    assert answer.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
