"""PostgreSQL restarted while registrations go on."""

import asyncio
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from zwk_common.cli import main as zwk
from zwk_common.embedded import EmbeddedPostgres
from zwk_common.testing import eventually
from zwk_common.testing.plugin import create_migrated_database

pytestmark = pytest.mark.faults


async def test_requests_answer_503_while_postgresql_restarts_and_the_services_recover_by_themselves(
    start_services: Any,
    chain: Any,
    zwk_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = EmbeddedPostgres(zwk_tmp / f"pg-{uuid.uuid4().hex[:8]}", durable=False)
    server_url = await asyncio.to_thread(server.start)
    try:
        database_url = await asyncio.to_thread(create_migrated_database, server_url, "zwk")
        services = await start_services("kommunen", "prozess", ZWK_DATABASE_URL=database_url)
        kommunen, prozess = services["kommunen"], services["prozess"]
        registrar = chain.registrar(lambda: kommunen.url, chain.gemeinden()[:400], workers=2, pause=0.05)
        await registrar.until_created(20)

        await asyncio.to_thread(server.stop)
        await registrar.until_answered(lambda answer: answer.status == 503, 10, timeout=20)
        async with httpx.AsyncClient(timeout=5) as client:
            for service in (kommunen, prozess):
                ready = await client.get(service.url + "/readyz")
                assert ready.status_code == 503
                assert ready.json()["checks"]["database"].startswith("unavailable")
        monkeypatch.setenv("ZWK_URL_KOMMUNEN", kommunen.url)
        monkeypatch.setenv("ZWK_URL_PROZESS", prozess.url)
        assert await asyncio.to_thread(zwk, ["status", "--service", "kommunen", "--service", "prozess"]) == 1
        status = capsys.readouterr().out
        assert status.count("not ready") == 2 and status.count("database: unavailable") == 2, status
        answered_while_down = len(registrar.created)

        await asyncio.to_thread(server.start)
        await registrar.until_created(answered_while_down + 20, timeout=30)
        await registrar.finish()

        refused = [answer for answer in registrar.answers if answer.status != 201]
        assert refused, "some registrations met the stopped database"
        for answer in refused:
            assert answer.status == 503, answer
            body = chain.problem(answer)
            assert body["code"] == "SERVICE_UNAVAILABLE"
            assert body["title"] == "Service unavailable"
            assert body["detail"] == "The database cannot be reached; try again shortly."
        await chain.assert_each_registration_arrived_once(
            database_url=database_url,
            nats_url=kommunen.env["ZWK_NATS_URL"],
            env=kommunen.env,
            registrar=registrar,
            prozess_url=prozess.url,
        )

        async def ready_again() -> bool:
            async with httpx.AsyncClient(timeout=5) as client:
                answers = [await client.get(s.url + "/readyz") for s in (kommunen, prozess)]
            return all(answer.status_code == 200 for answer in answers)

        await eventually(ready_again, timeout=10)
    finally:
        await asyncio.to_thread(server.stop)
