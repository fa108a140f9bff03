"""The NATS server stopped for ten seconds while registrations go on."""

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest

from zwk_common.embedded import EmbeddedNats
from zwk_common.testing import eventually

pytestmark = pytest.mark.faults

OUTAGE_SECONDS = 10


async def test_registrations_succeed_while_nats_is_down_and_arrive_once_it_is_back(
    start_services: Any, chain: Any, zwk_tmp: Path
) -> None:
    server = EmbeddedNats(zwk_tmp / f"nats-{uuid.uuid4().hex[:8]}")
    server.start()
    try:
        services = await start_services("kommunen", "prozess", ZWK_NATS_URL=server.url)
        kommunen, prozess = services["kommunen"], services["prozess"]
        pids = {name: process.process.pid for name, process in services.items()}  # type: ignore[union-attr]
        database_url = kommunen.env["ZWK_DATABASE_URL"]
        registrar = chain.registrar(lambda: kommunen.url, chain.gemeinden()[:400], workers=2, pause=0.05)

        await registrar.until_created(20)
        server.stop()
        outage_began = asyncio.get_running_loop().time()
        answered_before_outage = len(registrar.created)

        async def held_back() -> bool:
            pending = await chain.fetch_value(
                database_url, "SELECT count(*) FROM kommunen.outbox WHERE published_at IS NULL"
            )
            return pending >= 10

        await eventually(held_back, timeout=OUTAGE_SECONDS, interval=0.2, message="the outbox held nothing back")
        # The outage lasts its ten seconds while the registrations go on.
        await asyncio.sleep(max(0.0, outage_began + OUTAGE_SECONDS - asyncio.get_running_loop().time()))
        answered_during_outage = len(registrar.created) - answered_before_outage
        server.start()
        await registrar.until_created(len(registrar.created) + 20)
        await registrar.finish()

        assert answered_during_outage >= 20
        assert all(answer.status == 201 for answer in registrar.answers), [
            a for a in registrar.answers if a.status != 201
        ]
        await chain.assert_each_registration_arrived_once(
            database_url=database_url,
            nats_url=server.url,
            env=kommunen.env,
            registrar=registrar,
            prozess_url=prozess.url,
        )
        # Nobody restarted a consumer: the same processes run on.
        assert {name: p.process.pid for name, p in services.items()} == pids  # type: ignore[union-attr]
        assert all(p.process.poll() is None for p in services.values())  # type: ignore[union-attr]
    finally:
        server.stop()
