"""Registering a participant: the record and its event in one transaction."""

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select

from kommunen.main import create_app
from kommunen.models import outbox
from zwk_common.testing import running_app
from zwk_common.testing.plugin import bearer

DORTMUND = {
    "ags": "05913000",
    "name": "Dortmund",
    "kind": "KREISFREIE_STADT",
    "population": 586852,
    "programmes": ["DWK", "ZWK"],
}


@pytest.fixture
async def kommunen(zwk_clean: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app()
    async with running_app(app) as client:
        yield client


async def outbox_types(client: httpx.AsyncClient) -> list[str]:
    runtime = client._transport.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.sessions() as session:
        return list((await session.execute(select(outbox.table.c.type))).scalars())


async def test_registering_writes_the_municipality_and_its_event(kommunen: httpx.AsyncClient, zwk_token) -> None:  # type: ignore[no-untyped-def]
    response = await kommunen.post("/municipalities", json=DORTMUND, headers=bearer(zwk_token("office")))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["bundesland"] == "NW"
    assert body["programmes"] == ["DWK", "ZWK"]
    assert await outbox_types(kommunen) == ["zwk.kommunen.municipality.registered"]
    again = await kommunen.get("/municipalities/by-ags/05913000", headers=bearer(zwk_token("reader")))
    assert again.json()["id"] == body["id"]


async def test_a_duplicate_key_is_a_conflict_and_writes_no_event(kommunen: httpx.AsyncClient, zwk_token) -> None:  # type: ignore[no-untyped-def]
    office = bearer(zwk_token("office"))
    assert (await kommunen.post("/municipalities", json=DORTMUND, headers=office)).status_code == 201
    response = await kommunen.post("/municipalities", json=DORTMUND, headers=office)
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "CONFLICT"
    assert len(await outbox_types(kommunen)) == 1


@pytest.mark.parametrize("role", ["municipality", "adviser", "reader"])
async def test_only_the_office_registers(kommunen: httpx.AsyncClient, zwk_token, role: str) -> None:  # type: ignore[no-untyped-def]
    token = zwk_token(role, municipality_id="00000000-0000-0000-0000-000000000001")
    response = await kommunen.post("/municipalities", json=DORTMUND, headers=bearer(token))
    assert response.status_code == 403
    assert await outbox_types(kommunen) == []


async def test_without_a_token_nothing_is_answered(kommunen: httpx.AsyncClient) -> None:
    response = await kommunen.get("/municipalities/by-ags/05913000")
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"
