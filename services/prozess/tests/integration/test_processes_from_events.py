"""prozess opens a participant's process from kommunen's event, once."""

import uuid

import httpx

from prozess.main import create_app
from zwk_common.events import Envelope
from zwk_common.messaging import EventBus
from zwk_common.settings import ServiceSettings
from zwk_common.testing import eventually, running_app
from zwk_common.testing.plugin import bearer

RIESA = uuid.uuid4()


def registered(municipality_id: uuid.UUID = RIESA) -> Envelope:
    return Envelope(
        source="/zwk/kommunen",
        type="zwk.kommunen.municipality.registered",
        subject=str(municipality_id),
        data={
            "municipality_id": str(municipality_id),
            "ags": "14627230",
            "name": "Riesa",
            "kind": "STADT",
            "bundesland": "SN",
            "population": 29620,
            "programmes": ["DWK", "ZWK"],
        },
    )


async def publish(*envelopes: Envelope, msg_ids: list[str] | None = None) -> None:
    bus = EventBus(ServiceSettings(), client_name="test-kommunen")
    await bus.connect()
    try:
        for i, envelope in enumerate(envelopes):
            headers = {"Nats-Msg-Id": msg_ids[i]} if msg_ids else None
            await bus.publish(envelope, headers)
    finally:
        await bus.close()


async def stages(client: httpx.AsyncClient, token: str, municipality_id: uuid.UUID = RIESA) -> list[dict]:  # type: ignore[type-arg]
    response = await client.get("/processes", params={"municipality_id": str(municipality_id)}, headers=bearer(token))
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_a_registered_participant_gets_five_stages_not_started_per_programme(zwk_clean, zwk_token) -> None:  # type: ignore[no-untyped-def]
    app = create_app()
    async with running_app(app) as client:
        await publish(registered())
        processes = await eventually(lambda: stages(client, zwk_token("office")))
        assert sorted(p["programme"] for p in processes) == ["DWK", "ZWK"]
        for process in processes:
            assert [s["stage"] for s in process["stages"]] == [
                "KICK_OFF",
                "KOMMUNALPROFIL",
                "ZUKUNFTSWERKSTATT",
                "WERKSTATTPLAN",
                "ZWISCHENBILANZ",
            ]
            assert {s["status"] for s in process["stages"]} == {"NOT_STARTED"}


async def test_the_same_event_delivered_twice_creates_the_stages_once(zwk_clean, zwk_token) -> None:  # type: ignore[no-untyped-def]
    event = registered()
    marker = registered(uuid.uuid4())
    app = create_app()
    async with running_app(app) as client:
        # Distinct message ids get both copies past the server, as a redelivery would.
        await publish(event, event, marker, msg_ids=["copy-1", "copy-2", "marker"])
        await eventually(lambda: stages(client, zwk_token("office"), marker.data["municipality_id"]))
        processes = await stages(client, zwk_token("office"))
        assert len(processes) == 2
        assert all(len(p["stages"]) == 5 for p in processes)


async def test_an_event_published_while_prozess_is_down_is_handled_after_it_starts(zwk_clean, zwk_token) -> None:  # type: ignore[no-untyped-def]
    # Let prozess create its durable consumer once, then stop it.
    async with running_app(create_app()):
        pass
    await publish(registered())
    async with running_app(create_app()) as client:
        processes = await eventually(lambda: stages(client, zwk_token("office")))
        assert len(processes) == 2
