"""Subscriptions over graphql-transport-ws, fed from NATS, filtered by what the subscriber may see."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio
from websockets.exceptions import ConnectionClosed

from gateway.subscriptions import EventHub
from gateway.testing import Gateway, Stack, auth, envelope, event_publisher, running_gateway, subscribed, token
from zwk_common.messaging import EventBus
from zwk_common.testing import eventually

PROCESS_EVENTS = """
subscription($id: ID) {
  processEvents(municipalityId: $id) { kind stage status at municipality { name ags } }
}
"""
PRACTICES = "subscription($topics: [String!]) { practicePublished(topics: $topics) { id title summary } }"

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def municipalities(stack: Stack) -> dict[str, str]:
    """Dortmund and Riesa, registered once for this module."""
    found: dict[str, str] = {}
    with httpx.Client(timeout=10) as client:
        for ags, name, kind in (("05913000", "Dortmund", "KREISFREIE_STADT"), ("14627230", "Riesa", "STADT")):
            response = client.post(
                stack.urls["kommunen"] + "/municipalities",
                json={"ags": ags, "name": name, "kind": kind, "programmes": ["ZWK"]},
                headers=auth("office"),
            )
            assert response.status_code == 201, response.text
            found[name] = response.json()["id"]
    return found


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def gateway(stack: Stack) -> AsyncIterator[Gateway]:
    async with running_gateway(stack.settings()) as running:
        yield running


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bus(stack: Stack) -> AsyncIterator[EventBus]:
    async with event_publisher(stack.settings()) as publisher:
        yield publisher


def hub(gateway: Gateway) -> EventHub:
    return gateway.app.state.runtime.extras["hub"]  # type: ignore[no-any-return]


async def listening(gateway: Gateway, count: int = 1) -> None:
    await eventually(lambda: _has(hub(gateway), count), timeout=5, message="the subscription never started")


async def _has(event_hub: EventHub, count: int) -> bool:
    return event_hub.listener_count >= count


def stage_event(municipality_id: str, name: str, verb: str = "completed", stage: str = "KICK_OFF") -> Any:
    status = {"started": "IN_PROGRESS", "completed": "COMPLETED", "reopened": "IN_PROGRESS", "overdue": "IN_PROGRESS"}
    return envelope(
        f"zwk.prozess.stage.{verb}",
        {
            "municipality_id": municipality_id,
            "municipality_name": name,
            "programme": "ZWK",
            "stage": stage,
            "status": status[verb],
            "due_date": None,
            "at": datetime(2024, 3, 14, 10, 30, tzinfo=UTC).isoformat(),
            "actor": "kerstin.berger",
            "reason": None,
        },
        source="prozess",
    )


async def test_a_subscriber_receives_a_stage_completion_within_a_second(
    gateway: Gateway, bus: EventBus, municipalities: dict[str, str]
) -> None:
    dortmund = municipalities["Dortmund"]
    async with subscribed(gateway.url, PROCESS_EVENTS, {"id": dortmund}, token=token("reader")) as subscription:
        await listening(gateway)
        await bus.publish(stage_event(dortmund, "Dortmund"))
        message = await subscription.receive(timeout=1.0)
    assert message["type"] == "next", message
    assert message["payload"] == {
        "data": {
            "processEvents": {
                "kind": "completed",
                "stage": "KICK_OFF",
                "status": "COMPLETED",
                "at": "2024-03-14T10:30:00+00:00",
                "municipality": {"name": "Dortmund", "ags": "05913000"},
            }
        }
    }


async def test_a_municipality_sees_only_its_own_process_events(
    gateway: Gateway, bus: EventBus, municipalities: dict[str, str]
) -> None:
    riesa, dortmund = municipalities["Riesa"], municipalities["Dortmund"]
    as_riesa = token("municipality", municipality_id=riesa)
    async with subscribed(gateway.url, PROCESS_EVENTS, token=as_riesa) as subscription:
        await listening(gateway)
        await bus.publish(stage_event(dortmund, "Dortmund", "started", "KOMMUNALPROFIL"))
        await bus.publish(stage_event(riesa, "Riesa", "overdue", "KOMMUNALPROFIL"))
        message = await subscription.receive(timeout=2.0)
    assert message["payload"]["data"]["processEvents"]["municipality"]["name"] == "Riesa"
    assert message["payload"]["data"]["processEvents"]["kind"] == "overdue"


async def test_a_municipality_may_not_follow_another_municipality(
    gateway: Gateway, municipalities: dict[str, str]
) -> None:
    as_riesa = token("municipality", municipality_id=municipalities["Riesa"])
    async with subscribed(
        gateway.url, PROCESS_EVENTS, {"id": municipalities["Dortmund"]}, token=as_riesa
    ) as subscription:
        refusal = await subscription.receive(timeout=2.0)
        ending = await subscription.receive(timeout=2.0)
    assert refusal["type"] == "next"
    assert refusal["payload"]["data"] is None
    assert [e["extensions"]["code"] for e in refusal["payload"]["errors"]] == ["FORBIDDEN"]
    assert refusal["payload"]["errors"][0]["message"] == "The caller may not follow this municipality's process."
    assert ending["type"] == "complete"
    assert hub(gateway).listener_count == 0


async def test_an_adviser_follows_only_the_assigned_municipalities(
    gateway: Gateway, bus: EventBus, municipalities: dict[str, str]
) -> None:
    riesa, dortmund = municipalities["Riesa"], municipalities["Dortmund"]
    adviser = token("adviser", municipality_ids=[dortmund])
    async with subscribed(gateway.url, PROCESS_EVENTS, token=adviser) as subscription:
        await listening(gateway)
        await bus.publish(stage_event(riesa, "Riesa", "completed", "ZUKUNFTSWERKSTATT"))
        await bus.publish(stage_event(dortmund, "Dortmund", "reopened", "KICK_OFF"))
        message = await subscription.receive(timeout=2.0)
    assert message["payload"]["data"]["processEvents"]["municipality"]["name"] == "Dortmund"


async def test_a_subscriber_that_disconnects_leaves_nothing_behind(
    gateway: Gateway, municipalities: dict[str, str]
) -> None:
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


async def test_practices_arrive_only_on_the_topics_asked_for(gateway: Gateway, bus: EventBus) -> None:
    def published(title: str, topics: list[str]) -> Any:
        return envelope(
            "zwk.austausch.practice.published",
            {
                "practice_id": "3d4b1c3e-6c1a-4f9e-9d7a-0b1e2c3d4e5f"
                if "Nachbar" in title
                else "9a8b7c6d-1e2f-4a5b-8c9d-0e1f2a3b4c5d",
                "municipality_id": "6f1c1b8e-6a43-4c61-9a0e-4f3c6f1e2a10",
                "municipality_name": "Riesa",
                "title": title,
                "summary": f"{title}: wie es in Riesa gelang",
                "topics": topics,
                "author_subject": "anna.schmidt",
                "actor": "anna.schmidt",
            },
            source="austausch",
        )

    async with subscribed(gateway.url, PRACTICES, {"topics": ["engagement"]}, token=token("reader")) as subscription:
        await listening(gateway)
        await bus.publish(published("Rufbus im Landkreis", ["mobilitaet"]))
        await bus.publish(published("Nachbarschaftsbörse", ["engagement", "begegnung"]))
        message = await subscription.receive(timeout=2.0)
    assert message["payload"]["data"]["practicePublished"] == {
        "id": "3d4b1c3e-6c1a-4f9e-9d7a-0b1e2c3d4e5f",
        "title": "Nachbarschaftsbörse",
        "summary": "Nachbarschaftsbörse: wie es in Riesa gelang",
    }


async def test_a_subscription_without_a_valid_token_is_refused(gateway: Gateway) -> None:
    with pytest.raises(ConnectionClosed) as refused:
        async with subscribed(gateway.url, PROCESS_EVENTS, token="not-a-token") as subscription:
            await subscription.receive(timeout=2.0)
    assert refused.value.rcvd is not None and refused.value.rcvd.code == 4403
    assert hub(gateway).listener_count == 0
