"""Subscriptions over graphql-transport-ws: what prozess and austausch publish, as the subscriber may see it."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from gateway_world import KICK_OFF_EVIDENCE, World, staff
from websockets.exceptions import ConnectionClosed

from gateway.subscriptions import EventHub
from gateway.testing import Gateway, LiveSubscription, subscribed, token
from zwk_common.testing import eventually

PROCESS_EVENTS = """
subscription($id: ID) {
  processEvents(municipalityId: $id) { kind stage status at programme municipality { name ags } }
}
"""
PRACTICES = """subscription($topics: [String!]) {
  practicePublished(topics: $topics) { id title summary body topics { key } municipality { name } } }"""
COMPLETE = "mutation($id: ID!) { completeStage(municipalityId: $id, stage: KICK_OFF) { status completedAt } }"
START = "mutation($id: ID!) { startStage(municipalityId: $id, stage: KICK_OFF) { status } }"
PUBLISH = "mutation($input: PracticeInput!) { publishPractice(input: $input) { id } }"

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def services() -> tuple[str, ...]:
    # Nothing here is a notification: benachrichtigung is not started.
    return ("kommunen", "prozess", "austausch")


@pytest.fixture(scope="module")
def service_env() -> dict[str, str]:
    # prozess looks for late stages every fifth of a second here, so that an overdue stage is announced at once.
    return {"PROZESS_OVERDUE_CHECK_SECONDS": "0.2"}


def hub(gateway: Gateway) -> EventHub:
    return gateway.app.state.runtime.extras["hub"]  # type: ignore[no-any-return]


async def listening(gateway: Gateway, count: int = 1) -> None:
    await eventually(lambda: _has(hub(gateway), count), timeout=5, message="the subscription never started")


async def _has(event_hub: EventHub, count: int) -> bool:
    return event_hub.listener_count >= count


async def participant(world: World, **fields: Any) -> str:
    """A participant registered in kommunen, with its process opened in prozess and known to the forum."""
    municipality_id = await world.register(**fields)
    await world.known_everywhere([municipality_id])
    return municipality_id


async def next_of(subscription: LiveSubscription, kind: str, deadline: float) -> dict[str, Any]:
    """The next `kind` process event, skipping others (a start announced a moment late), before `deadline`."""
    while True:
        message = await subscription.receive(timeout=max(deadline - time.monotonic(), 0.001))
        if message["type"] != "next" or message["payload"]["data"]["processEvents"]["kind"] == kind:
            return message


async def test_a_stage_completed_through_the_gateway_reaches_a_subscriber_within_a_second(
    gateway: Gateway, world: World
) -> None:
    dortmund = await participant(world, ags="05913000", kind="KREISFREIE_STADT")
    await world.start(dortmund, "KICK_OFF")
    for key, evidence in KICK_OFF_EVIDENCE.items():
        await world.call(
            "prozess",
            "PUT",
            f"{world.process_path(dortmund)}/stages/KICK_OFF/checklist/{key}",
            json={"done": True, "evidence": evidence},
        )
    async with subscribed(gateway.url, PROCESS_EVENTS, {"id": dortmund}, token=token("reader")) as subscription:
        await listening(gateway)
        completed = await gateway.query(COMPLETE, {"id": dortmund}, role="municipality", municipality_id=dortmund)
        done = time.monotonic()
        message = await next_of(subscription, "completed", done + 1.0)
        elapsed = time.monotonic() - done
    assert "errors" not in completed, completed
    assert message["type"] == "next", message
    assert message["payload"] == {
        "data": {
            "processEvents": {
                "kind": "completed",
                "stage": "KICK_OFF",
                "status": "COMPLETED",
                "at": message["payload"]["data"]["processEvents"]["at"],
                "programme": "ZWK",
                "municipality": {"name": "Dortmund", "ags": "05913000"},
            }
        }
    }
    assert (
        message["payload"]["data"]["processEvents"]["at"][:19] == completed["data"]["completeStage"]["completedAt"][:19]
    )
    assert elapsed < 1.0


async def test_a_municipality_sees_only_its_own_process_events(gateway: Gateway, world: World) -> None:
    riesa = await participant(world, ags="14627230", kind="STADT")
    bochum = await participant(world, ags="05911000", kind="KREISFREIE_STADT")
    async with subscribed(gateway.url, PROCESS_EVENTS, token=token("municipality", municipality_id=riesa)) as sub:
        await listening(gateway)
        assert "errors" not in await gateway.query(START, {"id": bochum})
        assert "errors" not in await gateway.query(START, {"id": riesa})
        message = await sub.receive(timeout=2.0)
    event = message["payload"]["data"]["processEvents"]
    assert (event["municipality"]["name"], event["kind"], event["status"]) == ("Riesa", "started", "IN_PROGRESS")


async def test_a_stage_falling_overdue_is_announced_to_the_municipality(gateway: Gateway, world: World) -> None:
    meissen = await participant(world, ags="14627140", kind="STADT")
    await world.plan(meissen, "KICK_OFF", planned_start="2021-09-01", due_date="2021-10-31")
    own = token("municipality", municipality_id=meissen)
    async with subscribed(gateway.url, PROCESS_EVENTS, {"id": meissen}, token=own) as subscription:
        await listening(gateway)
        await world.start(meissen, "KICK_OFF")
        message = await next_of(subscription, "overdue", time.monotonic() + 5.0)
    event = message["payload"]["data"]["processEvents"]
    assert (event["kind"], event["stage"], event["status"]) == ("overdue", "KICK_OFF", "IN_PROGRESS")
    assert event["municipality"]["name"] == "Meißen"


async def test_a_municipality_may_not_follow_another_municipality(gateway: Gateway, world: World) -> None:
    riesa = await world.register(name="Gemeindeverbund Elbland", kind="VERBUND", bundesland="SN")
    as_riesa = token("municipality", municipality_id=riesa)
    other = "6f1c1b8e-6a43-4c61-9a0e-4f3c6f1e2a10"
    async with subscribed(gateway.url, PROCESS_EVENTS, {"id": other}, token=as_riesa) as subscription:
        refusal = await subscription.receive(timeout=2.0)
        ending = await subscription.receive(timeout=2.0)
    assert refusal["type"] == "next"
    assert refusal["payload"]["data"] is None
    assert [e["extensions"]["code"] for e in refusal["payload"]["errors"]] == ["FORBIDDEN"]
    assert refusal["payload"]["errors"][0]["message"] == "The caller may not follow this municipality's process."
    assert ending["type"] == "complete"
    assert hub(gateway).listener_count == 0


async def test_an_adviser_follows_only_the_assigned_municipalities(gateway: Gateway, world: World) -> None:
    assigned = await participant(world, name="Initiative Rodachtal", kind="VERBUND", bundesland="BY")
    elsewhere = await participant(world, name="Amt Peenetal/Loitz", kind="VERBUND", bundesland="MV")
    adviser = token("adviser", municipality_ids=[assigned])
    async with subscribed(gateway.url, PROCESS_EVENTS, token=adviser) as subscription:
        await listening(gateway)
        assert "errors" not in await gateway.query(START, {"id": elsewhere})
        assert "errors" not in await gateway.query(START, {"id": assigned})
        message = await subscription.receive(timeout=2.0)
    assert message["payload"]["data"]["processEvents"]["municipality"]["name"] == "Initiative Rodachtal"


async def test_a_subscriber_that_disconnects_leaves_nothing_behind(gateway: Gateway) -> None:
    nats = gateway.app.state.runtime.bus.nc
    before = len(nats._subs)
    async with (
        subscribed(gateway.url, PROCESS_EVENTS, token=token("office")),
        subscribed(gateway.url, PRACTICES, {"topics": ["wohnen"]}, token=token("reader")),
    ):
        await listening(gateway, 2)
        assert len(nats._subs) == before + 2
        assert len(hub(gateway).open_subjects) == 2

    async def all_gone() -> bool:
        return hub(gateway).listener_count == 0 and not hub(gateway).open_subjects and len(nats._subs) == before

    await eventually(all_gone, timeout=5, message="a subscription outlived its client")


async def test_practices_published_through_the_gateway_arrive_only_on_the_topics_asked_for(
    gateway: Gateway, world: World
) -> None:
    riesa = await participant(world, name="Riesa-Großenhain", kind="VERBUND", bundesland="SN")
    headers = staff(riesa, "anna.schmidt")

    async def publish(title: str, topics: list[str]) -> str:
        response = await gateway.client.post(
            "/graphql",
            json={
                "query": PUBLISH,
                "variables": {
                    "input": {
                        "municipalityId": riesa,
                        "title": title,
                        "summary": f"{title}: wie es in Riesa gelang",
                        "body": "Nachbarn helfen Nachbarn.",
                        "topics": topics,
                    }
                },
            },
            headers=headers,
        )
        answer = response.json()
        assert "errors" not in answer, answer
        return str(answer["data"]["publishPractice"]["id"])

    async with subscribed(gateway.url, PRACTICES, {"topics": ["engagement"]}, token=token("reader")) as subscription:
        await listening(gateway)
        await publish("Rufbus im Landkreis", ["mobilitaet"])
        wanted = await publish("Nachbarschaftsbörse", ["engagement", "begegnung"])
        message = await subscription.receive(timeout=2.0)
    assert message["payload"]["data"]["practicePublished"] == {
        "id": wanted,
        "title": "Nachbarschaftsbörse",
        "summary": "Nachbarschaftsbörse: wie es in Riesa gelang",
        "body": "Nachbarn helfen Nachbarn.",
        "topics": [{"key": "engagement"}, {"key": "begegnung"}],
        "municipality": {"name": "Riesa-Großenhain"},
    }


async def test_a_subscription_without_a_valid_token_is_refused(gateway: Gateway) -> None:
    with pytest.raises(ConnectionClosed) as refused:
        async with subscribed(gateway.url, PROCESS_EVENTS, token="not-a-token") as subscription:
            await subscription.receive(timeout=2.0)
    assert refused.value.rcvd is not None and refused.value.rcvd.code == 4403
    assert hub(gateway).listener_count == 0


async def test_many_subscribers_share_one_feed_and_each_gets_the_event(gateway: Gateway, world: World) -> None:
    bochum = await participant(world, name="Stadtteil Bochum-Wattenscheid", kind="VERBUND", bundesland="NW")
    nats = gateway.app.state.runtime.bus.nc
    before = len(nats._subs)
    async with (
        subscribed(gateway.url, PROCESS_EVENTS, {"id": bochum}, token=token("office")) as first,
        subscribed(gateway.url, PROCESS_EVENTS, token=token("reader")) as second,
    ):
        await listening(gateway, 2)
        assert len(nats._subs) == before + 1
        assert "errors" not in await gateway.query(START, {"id": bochum})
        received = await asyncio.gather(first.receive(timeout=2.0), second.receive(timeout=2.0))
    assert [m["payload"]["data"]["processEvents"]["kind"] for m in received] == ["started", "started"]
