"""prozess knows its participants only from kommunen's events, and opens each process once."""

import uuid
from datetime import UTC, datetime, timedelta

from prozess.main import create_app
from zwk_common.messaging import EventBus
from zwk_common.testing import eventually, running_app
from zwk_common.testing.plugin import bearer

RIESA = uuid.UUID("5a1b0c4e-1462-4723-8000-000000000002")

STAGES = ["KICK_OFF", "KOMMUNALPROFIL", "ZUKUNFTSWERKSTATT", "WERKSTATTPLAN", "ZWISCHENBILANZ"]


async def test_a_registered_participant_gets_five_stages_not_started_per_programme(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register(prozess.RIESA, "Riesa", programmes=("DWK", "ZWK"), ags="14627230", population=29620)
    processes = await prozess.processes(prozess.RIESA)
    assert sorted(p["programme"] for p in processes) == ["DWK", "ZWK"]
    for process in processes:
        assert process["municipality_name"] == "Riesa"
        assert process["current_stage"] is None
        assert [s["stage"] for s in process["stages"]] == STAGES
        assert {s["status"] for s in process["stages"]} == {"NOT_STARTED"}
        assert all(s["started_at"] is None and s["completed_at"] is None for s in process["stages"])


async def test_the_same_event_delivered_twice_creates_the_stages_once(prozess, kommunen_event, zwk_settings) -> None:  # type: ignore[no-untyped-def]
    event = kommunen_event(prozess.RIESA, "Riesa")
    bus = EventBus(zwk_settings, client_name="test-kommunen")
    await bus.connect()
    try:
        # Distinct message ids get both copies past the server, as a redelivery would.
        await bus.publish(event, {"Nats-Msg-Id": "copy-1"})
        await bus.publish(event, {"Nats-Msg-Id": "copy-2"})
    finally:
        await bus.close()
    await prozess.register(prozess.GRABOW, "Grabow", ags="13076053")
    processes = await prozess.processes(prozess.RIESA)
    assert len(processes) == 1
    assert len(processes[0]["stages"]) == 5


async def test_an_event_published_while_prozess_is_down_is_handled_after_it_starts(
    zwk_clean, zwk_settings, zwk_token, kommunen_event
) -> None:  # type: ignore[no-untyped-def]
    # Let prozess create its durable consumer once, then stop it.
    async with running_app(create_app()):
        pass
    bus = EventBus(zwk_settings, client_name="test-kommunen")
    await bus.connect()
    try:
        await bus.publish(kommunen_event(RIESA, "Riesa"))
    finally:
        await bus.close()
    async with running_app(create_app()) as client:
        office = bearer(zwk_token("office"))

        async def riesa() -> list[dict]:  # type: ignore[type-arg]
            response = await client.get("/processes", params={"municipality_id": str(RIESA)}, headers=office)
            return response.json()  # type: ignore[no-any-return]

        assert len(await eventually(riesa)) == 1


async def test_a_programme_gained_in_an_update_opens_its_process(prozess, kommunen_event) -> None:  # type: ignore[no-untyped-def]
    await prozess.register(prozess.RIESA, "Riesa", programmes=("DWK",), ags="14627230")
    await prozess.publish(kommunen_event(prozess.RIESA, "Stadt Riesa", programmes=("DWK", "ZWK"), updated=True))

    async def both() -> list[dict]:  # type: ignore[type-arg]
        found = await prozess.processes(prozess.RIESA)
        return found if len(found) == 2 else []

    processes = await eventually(both)
    assert {p["programme"] for p in processes} == {"DWK", "ZWK"}
    assert {p["municipality_name"] for p in processes} == {"Stadt Riesa"}


async def test_an_older_event_arriving_late_does_not_undo_a_newer_one(prozess, kommunen_event) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    await prozess.publish(
        kommunen_event(prozess.RIESA, "Große Kreisstadt Riesa", updated=True, time=now),
        kommunen_event(prozess.RIESA, "Riesa", time=now - timedelta(minutes=5)),
    )
    await prozess.register(prozess.GRABOW, "Grabow", ags="13076053")
    [process] = await prozess.processes(prozess.RIESA)
    assert process["municipality_name"] == "Große Kreisstadt Riesa"


async def test_a_municipality_leaving_a_programme_keeps_its_process_as_a_record(prozess, kommunen_event) -> None:  # type: ignore[no-untyped-def]
    await prozess.register(prozess.RIESA, "Riesa", programmes=("DWK", "ZWK"), ags="14627230")
    await prozess.publish(kommunen_event(prozess.RIESA, "Riesa", programmes=("ZWK",), updated=True))

    async def left() -> bool:
        found = await prozess.processes(prozess.RIESA)
        return any(p["programme"] == "DWK" and not p["active"] for p in found)

    await eventually(left)
    refused = await prozess.post(f"/processes/{prozess.RIESA}/DWK/stages/KICK_OFF/start")
    assert refused.status_code == 409
    assert "no longer takes part in DWK" in refused.json()["detail"]
    assert (await prozess.get(f"/processes/{prozess.RIESA}/DWK")).status_code == 200


async def test_the_population_is_prefilled_into_the_kommunalprofil_and_follows_updates(prozess, kommunen_event) -> None:  # type: ignore[no-untyped-def]
    await prozess.register(prozess.RIESA, "Riesa", ags="14627230", population=29620)
    path = f"/processes/{prozess.RIESA}/ZWK/kommunalprofil/indicators"
    [population] = (await prozess.get(path)).json()["items"]
    assert (population["key"], population["label"], population["value"]) == ("population", "Einwohnerzahl", 29620)
    assert population["prefilled"] is True

    await prozess.publish(kommunen_event(prozess.RIESA, "Riesa", population=29400, updated=True))

    async def followed() -> bool:
        return (await prozess.get(path)).json()["items"][0]["value"] == 29400

    await eventually(followed)


async def test_a_population_edited_by_the_municipality_is_not_overwritten(prozess, kommunen_event) -> None:  # type: ignore[no-untyped-def]
    await prozess.register(prozess.RIESA, "Riesa", ags="14627230", population=29620)
    path = f"/processes/{prozess.RIESA}/ZWK/kommunalprofil/indicators"
    edited = await prozess.put(
        f"{path}/population", {"label": "Einwohnerzahl", "value": 30117, "year": 2022, "source": "Melderegister"}
    )
    assert edited.status_code == 200, edited.text
    await prozess.publish(kommunen_event(prozess.RIESA, "Große Kreisstadt Riesa", population=29400, updated=True))

    async def renamed() -> bool:
        return (await prozess.processes(prozess.RIESA))[0]["municipality_name"] == "Große Kreisstadt Riesa"

    await eventually(renamed)
    [population] = (await prozess.get(path)).json()["items"]
    assert (population["value"], population["year"], population["prefilled"]) == (30117, 2022, False)
