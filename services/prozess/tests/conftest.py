"""A running prozess, fed the way production feeds it: kommunen's events over NATS."""

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import httpx
import nats
import pytest
from nats.js.api import ConsumerConfig, DeliverPolicy

from prozess.config import Settings
from prozess.main import create_app
from prozess.models import outbox
from prozess.process.jobs import check_overdue_stages
from zwk_common.events import Envelope
from zwk_common.messaging import EventBus
from zwk_common.settings import ServiceSettings
from zwk_common.testing import eventually, running_app
from zwk_common.testing.plugin import bearer

DORTMUND = uuid.UUID("5a1b0c4e-0591-4300-8000-000000000001")
RIESA = uuid.UUID("5a1b0c4e-1462-4723-8000-000000000002")
GRABOW = uuid.UUID("5a1b0c4e-1307-4600-8000-000000000003")


def participant(
    municipality_id: uuid.UUID,
    name: str,
    *,
    ags: str | None = None,
    programmes: tuple[str, ...] = ("ZWK",),
    population: int | None = None,
    kind: str = "STADT",
    bundesland: str = "NW",
    updated: bool = False,
    time: datetime | None = None,
) -> Envelope:
    """kommunen's announcement of a participant, with the full state the contract names."""
    return Envelope(
        source="/zwk/kommunen",
        type=f"zwk.kommunen.municipality.{'updated' if updated else 'registered'}",
        subject=str(municipality_id),
        time=time or datetime.now(UTC),
        data={
            "municipality_id": str(municipality_id),
            "ags": ags,
            "member_keys": [],
            "name": name,
            "kind": kind,
            "bundesland": bundesland,
            "population": population,
            "urbanisation": 1,
            "kreis_key": ags[:5] if ags else None,
            "latitude": None,
            "longitude": None,
            "programmes": list(programmes),
            "zwk_cluster": None,
            "topics": [],
            "adviser_subjects": [],
        },
    )


@dataclass
class Prozess:
    """The running service and what a test does with it."""

    client: httpx.AsyncClient
    settings: ServiceSettings
    mint: Callable[..., str]
    DORTMUND = DORTMUND
    RIESA = RIESA
    GRABOW = GRABOW
    office_subject: str = field(default_factory=lambda: f"office-{uuid.uuid4().hex[:6]}")

    # --- who is calling ---

    def office(self) -> dict[str, str]:
        return bearer(self.mint("office", subject=self.office_subject))

    def municipality(self, municipality_id: uuid.UUID, subject: str = "stadt-dortmund-1") -> dict[str, str]:
        return bearer(self.mint("municipality", municipality_id=str(municipality_id), subject=subject))

    def adviser(self, *municipality_ids: uuid.UUID, subject: str = "beratung-1") -> dict[str, str]:
        return bearer(self.mint("adviser", municipality_ids=[str(i) for i in municipality_ids], subject=subject))

    def reader(self) -> dict[str, str]:
        return bearer(self.mint("reader", subject="dashboard"))

    # --- kommunen's events ---

    async def publish(self, *envelopes: Envelope) -> None:
        bus = EventBus(self.settings, client_name="test-kommunen")
        await bus.connect()
        try:
            for envelope in envelopes:
                await bus.publish(envelope)
        finally:
            await bus.close()

    async def register(
        self,
        municipality_id: uuid.UUID = DORTMUND,
        name: str = "Dortmund",
        *,
        programmes: tuple[str, ...] = ("ZWK",),
        population: int | None = 586852,
        ags: str | None = "05913000",
    ) -> None:
        """Announce a participant and wait until prozess has opened its processes."""
        await self.publish(participant(municipality_id, name, ags=ags, programmes=programmes, population=population))

        async def opened() -> bool:
            found = await self.processes(municipality_id)
            return {p["programme"] for p in found} >= set(programmes)

        await eventually(opened)

    # --- reading prozess ---

    async def processes(self, *municipality_ids: uuid.UUID) -> list[dict[str, Any]]:
        response = await self.client.get(
            "/processes", params={"municipality_id": [str(i) for i in municipality_ids]}, headers=self.office()
        )
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def process(self, municipality_id: uuid.UUID = DORTMUND, programme: str = "ZWK") -> dict[str, Any]:
        response = await self.client.get(f"/processes/{municipality_id}/{programme}", headers=self.office())
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def stage(self, stage: str, municipality_id: uuid.UUID = DORTMUND, programme: str = "ZWK") -> dict[str, Any]:
        process = await self.process(municipality_id, programme)
        return next(s for s in process["stages"] if s["stage"] == stage)

    # --- changing it, as the office unless told otherwise ---

    async def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
        return await self.client.post(path, json=body, headers=headers or self.office())

    async def put(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
        return await self.client.put(path, json=body, headers=headers or self.office())

    async def patch(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
        return await self.client.patch(path, json=body, headers=headers or self.office())

    async def delete(self, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
        return await self.client.delete(path, headers=headers or self.office())

    async def get(self, path: str, headers: dict[str, str] | None = None, **params: Any) -> httpx.Response:
        return await self.client.get(path, params=params or None, headers=headers or self.office())

    async def tick(
        self, stage: str, key: str, evidence: Any = None, municipality_id: uuid.UUID = DORTMUND, done: bool = True
    ) -> httpx.Response:
        return await self.put(
            f"/processes/{municipality_id}/ZWK/stages/{stage}/checklist/{key}",
            {"done": done, "evidence": evidence},
        )

    async def start(self, stage: str, municipality_id: uuid.UUID = DORTMUND, **body: Any) -> httpx.Response:
        return await self.post(f"/processes/{municipality_id}/ZWK/stages/{stage}/start", body or None)

    async def complete(self, stage: str, municipality_id: uuid.UUID = DORTMUND) -> httpx.Response:
        return await self.post(f"/processes/{municipality_id}/ZWK/stages/{stage}/complete")

    async def finish_kick_off_items(self, municipality_id: uuid.UUID = DORTMUND) -> None:
        """Tick every required item of Kick-Off, with evidence."""
        for key, evidence in KICK_OFF_EVIDENCE.items():
            response = await self.tick("KICK_OFF", key, evidence, municipality_id)
            assert response.status_code == 200, response.text

    async def finish_kick_off(self, municipality_id: uuid.UUID = DORTMUND) -> None:
        """Run Kick-Off from start to completion with every required item done."""
        assert (await self.start("KICK_OFF", municipality_id)).status_code == 200
        await self.finish_kick_off_items(municipality_id)
        response = await self.complete("KICK_OFF", municipality_id)
        assert response.status_code == 200, response.text

    async def check_overdue(self, on: date) -> None:
        """Run the periodic overdue check once, as if it were `on`."""
        await check_overdue_stages(self.runtime.sessions, on)

    @property
    def runtime(self) -> Any:
        return self.client._transport.app.state.runtime  # type: ignore[attr-defined]

    # --- what prozess published ---

    async def settled(self) -> None:
        """Wait until every recorded event has been published."""

        async def drained() -> bool:
            async with self.runtime.sessions() as session:
                return await outbox.backlog(session) == 0

        await eventually(drained)

    async def events(self, event_type: str) -> list[dict[str, Any]]:
        """The payloads of every published event of one type, in order."""
        await self.settled()
        connection = await nats.connect(self.settings.nats_url)
        try:
            js = connection.jetstream()
            subscription = await js.pull_subscribe(
                self.settings.subject_for(event_type),
                stream=self.settings.event_stream,
                config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, inactive_threshold=5),
            )
            pending = (await subscription.consumer_info()).num_pending or 0
            found: list[dict[str, Any]] = []
            while len(found) < pending:
                for message in await subscription.fetch(pending - len(found), timeout=2):
                    envelope = Envelope.from_bytes(message.data)
                    found.append({**envelope.data, "_subject": envelope.subject})
            await subscription.unsubscribe()
            return found
        finally:
            await connection.close()


KICK_OFF_EVIDENCE = {
    "kick-off-date": "2021-10-14",
    "invited-by-head": "Oberbürgermeister Thomas Westphal",
    "participants-by-actor-type": "Verwaltung 12, Politik 4, Wohlfahrtsverbände 6, Seniorenbeirat 2",
    "agreed-goals": "Altersgerechte Quartiere in vier Referenzquartieren",
    "agreed-next-steps": "Kommunalprofil bis Ende März, Lenkungsgruppe monatlich",
}


@pytest.fixture
def kommunen_event() -> Callable[..., Envelope]:
    """Make kommunen's announcement of a participant: kommunen_event(RIESA, "Riesa", updated=True)."""
    return participant


@pytest.fixture
def start_prozess(
    zwk_clean: dict[str, str], zwk_settings: ServiceSettings, zwk_token: Callable[..., str]
) -> Callable[..., AbstractAsyncContextManager[Prozess]]:
    """Run a prozess with settings of its own: `async with start_prozess(overdue_check_seconds=0.05) as p`."""

    @asynccontextmanager
    async def start(**settings: Any) -> AsyncIterator[Prozess]:
        async with running_app(create_app(Settings(**settings))) as client:
            yield Prozess(client=client, settings=zwk_settings, mint=zwk_token)

    return start


@pytest.fixture
async def prozess(start_prozess: Callable[..., AbstractAsyncContextManager[Prozess]]) -> AsyncIterator[Prozess]:
    async with start_prozess() as running:
        yield running
