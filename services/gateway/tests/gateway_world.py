"""The world the gateway's tests read: made directly in the real services, as their own users would make it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from gateway.testing import Stack, auth
from zwk_common.testing import eventually

PROCESS = "/processes/{municipality}/{programme}"
KICK_OFF_EVIDENCE = {
    "kick-off-date": "2021-10-14",
    "invited-by-head": "Einladung durch den Oberbürgermeister",
    "participants-by-actor-type": "Verwaltung 12, Politik 6, Zivilgesellschaft 18, Wirtschaft 4",
    "agreed-goals": "Gutes Leben im Alter im Quartier",
    "agreed-next-steps": "Kommunalprofil bis Ende März",
}
# Several requests at once, as many as the services' connection pools comfortably take.
PARALLEL = 10


def office() -> dict[str, str]:
    return auth("office", subject="geschaeftsstelle", name="Geschäftsstelle")


def staff(municipality_id: str, person: str = "staff", name: str | None = None) -> dict[str, str]:
    """A member of staff of one municipality, always the same person for the same words."""
    return auth(
        "municipality",
        municipality_id=municipality_id,
        subject=f"{person}@{municipality_id}",
        name=name or person.replace(".", " ").title(),
    )


async def in_parallel(calls: Iterable[Any]) -> list[Any]:
    """Await coroutines, at most PARALLEL at a time, and give their results in order."""
    gate = asyncio.Semaphore(PARALLEL)

    async def one(call: Any) -> Any:
        async with gate:
            return await call

    return list(await asyncio.gather(*(one(call) for call in calls)))


@dataclass
class World:
    """The running services, called directly with the tokens of their users."""

    stack: Stack
    client: httpx.AsyncClient

    async def call(
        self, service: str, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> Any:
        response = await self.client.request(
            method, self.stack.urls[service] + path, headers=headers or office(), **kwargs
        )
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    # --- kommunen ---

    async def register(self, **fields: Any) -> str:
        """A participant registered by the office; its id."""
        created = await self.call("kommunen", "POST", "/municipalities", json={"programmes": ["ZWK"], **fields})
        return str(created["id"])

    async def add_contact(self, municipality_id: str, **fields: Any) -> dict[str, Any]:
        found: dict[str, Any] = await self.call(
            "kommunen", "POST", f"/municipalities/{municipality_id}/contacts", json=fields
        )
        return found

    async def known_everywhere(self, ids: list[str]) -> None:
        """Wait until prozess has opened the processes of these participants and the forum knows them."""

        async def opened() -> bool:
            found = await self.call("prozess", "GET", "/processes", params={"municipality_id": ids})
            return {p["municipality_id"] for p in found} >= set(ids)

        waiting = set(ids)

        async def known(municipality_id: str) -> None:
            response = await self.client.get(
                self.stack.urls["austausch"] + f"/municipalities/{municipality_id}/comparable",
                params={"first": 1},
                headers=office(),
            )
            if response.status_code == 200:
                waiting.discard(municipality_id)

        async def known_to_the_forum() -> bool:
            await in_parallel(known(municipality_id) for municipality_id in list(waiting))
            return not waiting

        await eventually(opened, timeout=30, message="prozess never opened the processes")
        await eventually(known_to_the_forum, timeout=30, message="the forum never learnt of the municipalities")

    # --- prozess ---

    def process_path(self, municipality_id: str, programme: str = "ZWK") -> str:
        return PROCESS.format(municipality=municipality_id, programme=programme)

    async def plan(self, municipality_id: str, stage: str, planned_start: str, due_date: str) -> None:
        await self.call(
            "prozess",
            "PATCH",
            f"{self.process_path(municipality_id)}/stages/{stage}",
            json={"planned_start": planned_start, "due_date": due_date},
        )

    async def start(self, municipality_id: str, stage: str) -> None:
        await self.call("prozess", "POST", f"{self.process_path(municipality_id)}/stages/{stage}/start")

    async def finish_kick_off(self, municipality_id: str) -> None:
        """Kick-Off started, every required item ticked with evidence, and completed."""
        path = f"{self.process_path(municipality_id)}/stages/KICK_OFF"
        await self.start(municipality_id, "KICK_OFF")
        for key, evidence in KICK_OFF_EVIDENCE.items():
            await self.call("prozess", "PUT", f"{path}/checklist/{key}", json={"done": True, "evidence": evidence})
        await self.call("prozess", "POST", f"{path}/complete")

    async def record(self, municipality_id: str, resource: str, body: dict[str, Any]) -> dict[str, Any]:
        """Something recorded in a process: a measure, a SWOT item, a participation event."""
        found: dict[str, Any] = await self.call(
            "prozess", "POST", f"{self.process_path(municipality_id)}/{resource}", json=body
        )
        return found

    # --- austausch ---

    async def practice(
        self,
        municipality_id: str,
        title: str,
        topics: list[str],
        *,
        summary: str | None = None,
        body: str | None = None,
        author: str = "staff",
    ) -> dict[str, Any]:
        """A practice drafted and published by a member of the municipality's staff."""
        headers = staff(municipality_id, author)
        draft = await self.call(
            "austausch",
            "POST",
            "/practices",
            headers=headers,
            json={
                "municipality_id": municipality_id,
                "title": title,
                "summary": summary or f"{title}: wie es gelang.",
                "body": body or f"## {title}\n\nSo haben wir es gemacht.",
                "topics": topics,
            },
        )
        published: dict[str, Any] = await self.call(
            "austausch", "POST", f"/practices/{draft['id']}/publish", headers=headers
        )
        return published

    async def comment(self, practice_id: str, municipality_id: str, body: str, author: str = "staff") -> None:
        await self.call(
            "austausch",
            "POST",
            f"/practices/{practice_id}/comments",
            headers=staff(municipality_id, author),
            json={"body": body},
        )

    async def question(self, municipality_id: str, title: str, topics: list[str]) -> dict[str, Any]:
        found: dict[str, Any] = await self.call(
            "austausch",
            "POST",
            "/questions",
            headers=staff(municipality_id),
            json={"municipality_id": municipality_id, "title": title, "body": "Wie fängt man an?", "topics": topics},
        )
        return found

    async def answer(self, question_id: str, municipality_id: str, body: str) -> dict[str, Any]:
        found: dict[str, Any] = await self.call(
            "austausch",
            "POST",
            f"/questions/{question_id}/answers",
            headers=staff(municipality_id),
            json={"body": body},
        )
        return found

    async def report(self, target_kind: str, target_id: str, reason: str, reporter: dict[str, str]) -> None:
        await self.call(
            "austausch",
            "POST",
            "/reports",
            headers=reporter,
            json={"target_kind": target_kind, "target_id": target_id, "reason": reason},
        )


def new_id() -> str:
    return str(uuid.uuid4())
