"""Two consumer processes of one service share its durable consumer: each event is handled once in all.

This is what lets the `<service>-consumer` Deployments of deploy/k8s scale out.
"""

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from zwk_common.db import asyncpg_dsn
from zwk_common.events import Envelope
from zwk_common.messaging import EventBus
from zwk_common.settings import ServiceSettings
from zwk_common.testing import ServiceProcess, eventually

CONSUMER = "prozess-kommunen"
REGISTERED = "zwk.kommunen.municipality.registered"
ROUND = 25
ROUNDS = 8
# Small towns of Saxony with made-up keys: each event a municipality of its own.
NAMES = ("Riesa", "Großenhain", "Nünchritz", "Strehla", "Zeithain", "Glaubitz", "Stauchitz", "Hirschstein")


def registrations(count: int, first: int) -> Iterator[Envelope]:
    for number in range(first, first + count):
        municipality_id = str(uuid.uuid4())
        yield Envelope(
            source="/zwk/kommunen",
            type=REGISTERED,
            subject=municipality_id,
            data={
                "municipality_id": municipality_id,
                "ags": f"14627{number:03d}",
                "member_keys": [],
                "name": f"{NAMES[number % len(NAMES)]} {number}",
                "kind": "GEMEINDE",
                "bundesland": "SN",
                "population": 2000 + number,
                "urbanisation": 3,
                "kreis_key": "14627",
                "latitude": 51.3,
                "longitude": 13.3,
                "programmes": ["ZWK"],
                "zwk_cluster": None,
                "topics": [],
                "adviser_subjects": [],
            },
        )


async def publish(envelopes: list[Envelope]) -> None:
    bus = EventBus(ServiceSettings(), client_name="test-kommunen")
    await bus.connect()
    try:
        for envelope in envelopes:
            await bus.publish(envelope)
    finally:
        await bus.close()


async def handled_by(client: httpx.AsyncClient, url: str) -> int:
    """How many registrations one process handled, from its own /metrics."""
    text = (await client.get(url + "/metrics")).text
    return int(
        sum(
            sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == "zwk_events_consumed_total"
            and sample.labels == {"consumer": CONSUMER, "type": REGISTERED, "outcome": "handled"}
        )
    )


async def count(database_url: str, query: str) -> int:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        return int(await connection.fetchval(query))
    finally:
        await connection.close()


@pytest.fixture
async def two_prozess_processes(zwk_clean: dict[str, str], tmp_path: Path) -> AsyncIterator[list[str]]:
    """Two full prozess processes on one database and stream: two replicas of one Deployment."""
    replicas = [ServiceProcess("prozess", zwk_clean, log_dir=tmp_path).start() for _ in range(2)]
    try:
        for replica in replicas:
            await replica.wait_ready()
        yield [replica.url for replica in replicas]
    finally:
        for replica in replicas:
            replica.stop()


async def test_two_consumer_processes_share_the_events_and_each_is_handled_once(  # type: ignore[no-untyped-def]
    two_prozess_processes, zwk_clean
) -> None:
    replicas = two_prozess_processes
    published: list[Envelope] = []
    async with httpx.AsyncClient(timeout=5) as client:

        async def per_replica() -> list[int]:
            return [await handled_by(client, url) for url in replicas]

        async def all_handled() -> bool:
            return sum(await per_replica()) >= len(published)

        # Rounds until both replicas took part; normally the first round suffices.
        for _ in range(ROUNDS):
            batch = list(registrations(ROUND, len(published)))
            await publish(batch)
            published.extend(batch)
            await eventually(all_handled, timeout=15)
            if all(await per_replica()):
                break
        shares = await per_replica()

    assert all(shares), f"one replica handled nothing: {shares}"
    # Not one event handled twice: the deliveries add up to exactly what was published ...
    assert sum(shares) == len(published)
    database = zwk_clean["ZWK_DATABASE_URL"]
    # ... each claimed once in the shared inbox, and each opened exactly one process.
    inbox = f"SELECT count(*) FROM prozess.inbox WHERE consumer = '{CONSUMER}' AND event_type = '{REGISTERED}'"
    assert await count(database, inbox) == len(published)
    assert await count(database, "SELECT count(*) FROM prozess.processes WHERE programme = 'ZWK'") == len(published)
    assert await count(database, "SELECT count(DISTINCT municipality_id) FROM prozess.processes") == len(published)
