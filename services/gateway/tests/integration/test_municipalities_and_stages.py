"""Reading and registering municipalities through the gateway, over the real kommunen and prozess."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from gateway.testing import Gateway, Stack, auth, codes, running_gateway, slow_service
from zwk_common.testing import eventually

STAGES = ["KICK_OFF", "KOMMUNALPROFIL", "ZUKUNFTSWERKSTATT", "WERKSTATTPLAN", "ZWISCHENBILANZ"]

REGISTER = """
mutation Register($input: RegisterMunicipalityInput!) {
  registerMunicipality(input: $input) { id ags name kind bundesland population programmes memberKeys }
}
"""
BY_KEY = """
query ByKey($ags: String) {
  municipality(ags: $ags) { id name bundesland currentStage stages { stage status startedAt dueDate overdue } }
}
"""

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def gateway(stack: Stack) -> AsyncIterator[Gateway]:
    async with running_gateway(stack.settings()) as running:
        yield running


async def register(
    gateway: Gateway, role: str | None = "office", claims: dict[str, Any] | None = None, **fields: Any
) -> dict[str, Any]:
    return await gateway.query(REGISTER, {"input": fields}, role=role, **(claims or {}))


async def register_directly(stack: Stack, client: httpx.AsyncClient, **fields: Any) -> str:
    response = await client.post(stack.urls["kommunen"] + "/municipalities", json=fields, headers=auth("office"))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_a_registered_municipality_is_read_by_key_and_by_id_with_its_five_stages(gateway: Gateway) -> None:
    answer = await register(
        gateway, ags="14627230", name="Riesa", kind="STADT", population=29979, programmes=["ZWK", "DWK"]
    )
    assert "errors" not in answer, answer
    riesa = answer["data"]["registerMunicipality"]
    assert riesa | {"id": None} == {
        "id": None,
        "ags": "14627230",
        "name": "Riesa",
        "kind": "STADT",
        "bundesland": "SN",
        "population": 29979,
        "programmes": ["DWK", "ZWK"],
        "memberKeys": [],
    }

    async def with_stages() -> dict[str, Any] | None:
        found = (await gateway.query(BY_KEY, {"ags": "14627230"}, role="reader"))["data"]["municipality"]
        return found if found and found["stages"] else None

    found = await eventually(with_stages, timeout=15)
    assert found["id"] == riesa["id"]
    assert found["currentStage"] is None  # nothing has started yet
    assert [s["stage"] for s in found["stages"]] == STAGES
    assert {(s["status"], s["startedAt"], s["overdue"]) for s in found["stages"]} == {("NOT_STARTED", None, False)}

    by_id = await gateway.query("query($id: ID) { municipality(id: $id) { name ags } }", {"id": riesa["id"]})
    assert by_id == {"data": {"municipality": {"name": "Riesa", "ags": "14627230"}}}


async def test_an_unknown_municipality_is_null_not_an_error(gateway: Gateway) -> None:
    answer = await gateway.query(
        "query($id: ID, $ags: String) { a: municipality(id: $id) { name } b: municipality(ags: $ags) { name } }",
        {"id": "6f1c1b8e-6a43-4c61-9a0e-4f3c6f1e2a10", "ags": "01051000"},
    )
    assert answer == {"data": {"a": None, "b": None}}


async def test_asking_by_both_id_and_key_or_neither_is_bad_input(gateway: Gateway) -> None:
    both = await gateway.query('{ municipality(id: "6f1c1b8e-6a43-4c61-9a0e-4f3c6f1e2a10", ags: "05913000") { name } }')
    neither = await gateway.query("{ municipality { name } }")
    malformed = await gateway.query('{ municipality(ags: "Dortmund") { name } }')
    assert codes(both) == codes(neither) == codes(malformed) == ["BAD_USER_INPUT"]
    assert both["errors"][0]["message"] == "Give exactly one of `id` and `ags`."
    assert "05913000" in malformed["errors"][0]["message"]


async def test_a_duplicate_key_is_a_conflict_naming_the_key(gateway: Gateway) -> None:
    dortmund = {"ags": "05913000", "name": "Dortmund", "kind": "KREISFREIE_STADT", "programmes": ["ZWK"]}
    assert "errors" not in await register(gateway, **dortmund)
    again = await register(gateway, **dortmund)
    assert codes(again) == ["CONFLICT"]
    assert again["errors"][0]["message"] == "A municipality with the key 05913000 is already registered."
    assert again["errors"][0]["path"] == ["registerMunicipality"]


async def test_a_reader_cannot_register_and_nothing_is_registered(gateway: Gateway) -> None:
    answer = await register(
        gateway, role="reader", ags="09162000", name="München", kind="KREISFREIE_STADT", programmes=["ZWK"]
    )
    assert codes(answer) == ["FORBIDDEN"]
    assert answer["data"] is None
    assert (await gateway.query(BY_KEY, {"ags": "09162000"}))["data"]["municipality"] is None


async def test_a_municipality_cannot_register_others_the_service_refuses_it(gateway: Gateway) -> None:
    answer = await register(
        gateway,
        role="municipality",
        claims={"municipality_id": "6f1c1b8e-6a43-4c61-9a0e-4f3c6f1e2a10"},
        ags="08111000",
        name="Stuttgart",
        kind="KREISFREIE_STADT",
        programmes=["DAKS"],
    )
    assert codes(answer) == ["FORBIDDEN"]
    assert "office" in answer["errors"][0]["message"]


async def test_bad_input_is_refused_with_what_to_fix(gateway: Gateway) -> None:
    without_land = await register(gateway, name="Initiative Rodachtal", kind="VERBUND", programmes=["ZWK"])
    assert codes(without_land) == ["BAD_USER_INPUT"]
    assert without_land["errors"][0]["message"] == "A VERBUND without member keys needs its bundesland."

    negative = await register(
        gateway, name="Nirgendwo", kind="VERBUND", bundesland="NW", population=-5, programmes=["ZWK"]
    )
    assert codes(negative) == ["BAD_USER_INPUT"]
    assert [f["field"] for f in negative["errors"][0]["extensions"]["fields"]] == ["population"]

    wrong_kind = await gateway.query(REGISTER, {"input": {"name": "X", "kind": "DORF", "programmes": ["ZWK"]}})
    assert codes(wrong_kind) == ["BAD_USER_INPUT"]
    assert "DORF" in wrong_kind["errors"][0]["message"]


async def test_without_a_valid_token_the_caller_is_unauthenticated(gateway: Gateway) -> None:
    nobody = await gateway.query(BY_KEY, {"ags": "05913000"}, role=None)
    assert codes(nobody) == ["UNAUTHENTICATED"]
    forged = await gateway.client.post(
        "/graphql", json={"query": BY_KEY, "variables": {"ags": "05913000"}}, headers={"Authorization": "Bearer x.y.z"}
    )
    assert codes(forged.json()) == ["UNAUTHENTICATED"]
    assert forged.json()["errors"][0]["message"] == "The token is not valid."
    mutation = await register(gateway, role=None, name="X", kind="GEMEINDE", bundesland="NW", programmes=["ZWK"])
    assert codes(mutation) == ["UNAUTHENTICATED"]


async def test_stages_of_thirty_municipalities_take_one_call_to_each_service(stack: Stack, gateway: Gateway) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        ids = await asyncio.gather(
            *(
                register_directly(
                    stack, client, name=f"Gemeinde {n}", kind="VERBUND", bundesland="BB", programmes=["ZWK"]
                )
                for n in range(30)
            )
        )
    fields = "name currentStage stages { stage status }"
    query = "{ " + " ".join(f'm{n}: municipality(id: "{i}") {{ {fields} }}' for n, i in enumerate(ids)) + " }"

    async def all_with_stages() -> dict[str, Any] | None:
        answer = await gateway.query(query, role="reader")
        data = answer.get("data") or {}
        return answer if len(data) == 30 and all(m and len(m["stages"]) == 5 for m in data.values()) else None

    await eventually(all_with_stages, timeout=20)
    gateway.reset_calls()
    answer = await gateway.query(query, role="reader")
    assert "errors" not in answer
    assert {m["name"] for m in answer["data"].values()} == {f"Gemeinde {n}" for n in range(30)}
    assert gateway.calls == {"kommunen": 1, "prozess": 1, "austausch": 0, "benachrichtigung": 0}


async def test_a_municipality_without_a_process_cannot_start_a_stage(gateway: Gateway) -> None:
    answer = await gateway.query(
        'mutation { startStage(municipalityId: "6f1c1b8e-6a43-4c61-9a0e-4f3c6f1e2a10", stage: KICK_OFF) { status } }'
    )
    assert codes(answer) == ["NOT_FOUND"]
    assert "6f1c1b8e-6a43-4c61-9a0e-4f3c6f1e2a10" in answer["errors"][0]["message"]


async def test_a_slow_service_gives_a_partial_answer_with_an_error_not_a_hung_request(stack: Stack) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        await register_directly(
            stack, client, ags="01051001", name="Albersdorf", kind="GEMEINDE", population=3500, programmes=["DAKS"]
        )
    async with (
        slow_service() as slow,
        running_gateway(stack.settings(prozess_url=slow, austausch_url=slow, service_timeout_seconds=0.5)) as gateway,
    ):
        started = time.monotonic()
        answer = await gateway.query(
            'query($id: ID!) { municipality(ags: "01051001") { name population currentStage } '
            "practice(id: $id) { title } }",
            {"id": "3d4b1c3e-6c1a-4f9e-9d7a-0b1e2c3d4e5f"},
            role="reader",
        )
        elapsed = time.monotonic() - started
    assert answer["data"] == {
        "municipality": {"name": "Albersdorf", "population": 3500, "currentStage": None},
        "practice": None,
    }
    assert sorted((tuple(e["path"]), e["extensions"]["code"], e["message"]) for e in answer["errors"]) == [
        (
            ("municipality", "currentStage"),
            "SERVICE_UNAVAILABLE",
            "The process service did not answer in time; try again shortly.",
        ),
        (("practice",), "SERVICE_UNAVAILABLE", "The exchange forum service did not answer in time; try again shortly."),
    ]
    assert elapsed < 3.0  # the timeout is 0.5 s; without it the answer would wait 5 s or more
