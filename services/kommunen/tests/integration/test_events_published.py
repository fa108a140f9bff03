"""kommunen's events leave through the outbox relay onto NATS, in the order of the changes."""

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import nats

Headers = dict[str, str]


async def test_registering_and_changing_publish_events_in_order_on_nats(
    kommunen: httpx.AsyncClient, office: Headers, as_role: Callable[..., Headers], zwk_env: dict[str, str]
) -> None:
    connection = await nats.connect(zwk_env["ZWK_NATS_URL"])
    received: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()

    async def keep(message: Any) -> None:
        await received.put((message.subject, json.loads(message.data)))

    root = zwk_env["ZWK_EVENT_SUBJECT_ROOT"]
    await connection.subscribe(f"{root}.kommunen.>", cb=keep)

    async def next_event() -> tuple[str, dict[str, Any]]:
        return await asyncio.wait_for(received.get(), timeout=10)

    try:
        dortmund = (
            await kommunen.post(
                "/municipalities",
                json={"ags": "05913000", "kind": "KREISFREIE_STADT", "programmes": ["ZWK"]},
                headers=office,
            )
        ).json()
        seen = [await next_event()]
        itself = as_role("municipality", municipality_id=dortmund["id"])
        await kommunen.patch(f"/municipalities/{dortmund['id']}", json={"topics": ["wohnen"]}, headers=itself)
        seen.append(await next_event())
        contact = (
            await kommunen.post(
                f"/municipalities/{dortmund['id']}/contacts", json={"name": "Maria Schulte"}, headers=itself
            )
        ).json()
        # Published before the removal: a contact removed while its event is
        # still pending is erased from the outbox and never leaves.
        seen.append(await next_event())
        await kommunen.delete(f"/municipalities/{dortmund['id']}/contacts/{contact['id']}", headers=itself)
        seen.append(await next_event())
    finally:
        await connection.close()
    assert [subject for subject, _ in seen] == [
        f"{root}.kommunen.municipality.registered",
        f"{root}.kommunen.municipality.updated",
        f"{root}.kommunen.contact.added",
        f"{root}.kommunen.contact.removed",
    ]
    registered = seen[0][1]
    assert registered["type"] == "zwk.kommunen.municipality.registered"
    assert registered["subject"] == dortmund["id"]
    assert registered["data"]["ags"] == "05913000"
    assert seen[1][1]["data"]["topics"] == ["wohnen"]
    assert seen[3][1]["data"] == {"municipality_id": dortmund["id"], "contact_id": contact["id"]}
