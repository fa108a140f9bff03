"""A three-node JetStream cluster (stream replicas 3) loses the node leading the stream while events flow."""

import asyncio
import uuid
from pathlib import Path
from typing import Any

import nats
import nats.errors
import pytest

from zwk_common.embedded import EmbeddedNats, free_port
from zwk_common.events import Envelope
from zwk_common.testing import eventually

pytestmark = pytest.mark.faults


def three_nodes(home: Path) -> list[EmbeddedNats]:
    routes = [free_port() for _ in range(3)]
    return [
        EmbeddedNats(
            home / f"node-{index}",
            name=f"node-{index}",
            cluster_port=routes[index],
            routes=[port for other, port in enumerate(routes) if other != index],
        )
        for index in range(3)
    ]


class Publisher:
    """Publishes registrations straight to JetStream, each sent again under its id until acknowledged."""

    def __init__(self, servers: list[str], stream: str, subject: str, events: list[Envelope]) -> None:
        self.servers, self.stream, self.subject = servers, stream, subject
        self.events = events
        self.acknowledged: list[str] = []  # municipality ids
        self.failed_tries = 0
        self.stop = asyncio.Event()

    async def run(self, time_limit: float = 60) -> None:
        """Publish until stopped or out of events; `time_limit` bounds the tries of one publish."""
        connection = await nats.connect(self.servers, max_reconnect_attempts=-1, reconnect_time_wait=0.2)
        js = connection.jetstream(timeout=2)
        loop = asyncio.get_running_loop()
        try:
            for envelope in self.events:
                if self.stop.is_set():
                    return
                deadline = loop.time() + time_limit
                while True:
                    if loop.time() > deadline:
                        raise TimeoutError("a publish was never acknowledged")
                    try:
                        await js.publish(self.subject, envelope.to_bytes(), headers={"Nats-Msg-Id": envelope.id})
                        break
                    except (nats.errors.Error, OSError):
                        self.failed_tries += 1
                        await asyncio.sleep(0.1)
                self.acknowledged.append(envelope.subject)
                await asyncio.sleep(0.01)
        finally:
            await connection.close()


async def test_nothing_acknowledged_is_lost_when_the_stream_leader_is_killed(
    start_services: Any, chain: Any, zwk_tmp: Path, zwk_clean: dict[str, str]
) -> None:
    nodes = three_nodes(zwk_tmp / f"cluster-{uuid.uuid4().hex[:8]}")
    for node in nodes:
        node.start()
    servers = [node.url for node in nodes]
    try:
        services = await start_services(
            "kommunen", "prozess", ZWK_NATS_URL=",".join(servers), ZWK_EVENT_STREAM_REPLICAS="3"
        )
        kommunen = services["kommunen"]
        gemeinden = chain.gemeinden()
        registrar = chain.registrar(lambda: kommunen.url, gemeinden[:300], workers=2, pause=0.02)
        subject = f"{zwk_clean['ZWK_EVENT_SUBJECT_ROOT']}.kommunen.municipality.registered"
        publisher = Publisher(
            servers,
            zwk_clean["ZWK_EVENT_STREAM"],
            subject,
            # More than it can publish before the kill, however slow the machine: it is stopped once
            # enough came after the kill (300 once ran out before the leader was killed).
            [chain.registered_event(g, "SN") for g in gemeinden[300:2300]],
        )
        publishing = asyncio.create_task(publisher.run())
        try:
            await registrar.until_created(30)
            await eventually(lambda: _at_least(publisher.acknowledged, 50), timeout=30)

            connection = await nats.connect(servers)
            info = await connection.jetstream().stream_info(zwk_clean["ZWK_EVENT_STREAM"])
            await connection.close()
            assert info.config.num_replicas == 3
            assert info.cluster is not None
            leader = next(node for node in nodes if node.name == info.cluster.leader)
            leader.kill()
            survivors = [node.url for node in nodes if node is not leader]
            created_at_kill, acknowledged_at_kill = len(registrar.created), len(publisher.acknowledged)

            tries_at_kill = publisher.failed_tries
            await registrar.until_created(created_at_kill + 30, timeout=60)
            try:
                await eventually(lambda: _at_least(publisher.acknowledged, acknowledged_at_kill + 50), timeout=60)
            except AssertionError as exc:
                # Say what the publisher saw: a stalled cluster, or a publisher out of events.
                raise AssertionError(
                    f"after {leader.name} was killed: {len(publisher.acknowledged) - acknowledged_at_kill} "
                    f"acknowledged, {publisher.failed_tries - tries_at_kill} tries failed, "
                    f"publisher {'running' if not publishing.done() else 'ended'}"
                ) from exc
        finally:
            publisher.stop.set()
            await asyncio.wait_for(publishing, timeout=30)
        await registrar.finish()

        assert {a.status for a in registrar.answers} == {201}
        await chain.assert_each_registration_arrived_once(
            database_url=kommunen.env["ZWK_DATABASE_URL"],
            nats_url=",".join(survivors),
            env=kommunen.env,
            registrar=registrar,
            prozess_url=services["prozess"].url,
            also_published=publisher.acknowledged,
            timeout=90,
        )
    finally:
        for node in nodes:
            node.stop()


async def _at_least(items: list[str], count: int) -> bool:
    return len(items) >= count
