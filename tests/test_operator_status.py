"""`zwk status`: the operator's view of the running services."""

import asyncio
import json
from typing import Any

import httpx
import pytest

from zwk_common.cli import main as zwk
from zwk_common.embedded import free_port
from zwk_common.testing import eventually
from zwk_common.testing.plugin import bearer


async def test_zwk_status_shows_health_backlog_lag_and_dead_letters_of_the_running_services(
    start_services: Any, zwk_token: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    services = await start_services("kommunen", "prozess", ZWK_METRICS_INTERVAL_SECONDS="0.5")
    kommunen, prozess = services["kommunen"], services["prozess"]
    nowhere = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("ZWK_URL_KOMMUNEN", kommunen.url)
    monkeypatch.setenv("ZWK_URL_PROZESS", prozess.url)
    for name in ("AUSTAUSCH", "BENACHRICHTIGUNG", "GATEWAY"):
        monkeypatch.setenv(f"ZWK_URL_{name}", nowhere)

    async def zwk_status(*args: str) -> tuple[int, str]:
        code = await asyncio.to_thread(zwk, ["status", *args])
        return code, capsys.readouterr().out

    office = bearer(zwk_token("office"))
    async with httpx.AsyncClient(timeout=10) as client:
        riesa = await client.post(
            kommunen.url + "/municipalities",
            json={"ags": "14627230", "name": "Riesa", "kind": "STADT", "programmes": ["ZWK", "DAKS"]},
            headers=office,
        )
        assert riesa.status_code == 201, riesa.text

        async def opened() -> bool:
            found = await client.get(
                prozess.url + "/processes", params={"municipality_id": riesa.json()["id"]}, headers=office
            )
            return len(found.json()) == 2

        await eventually(opened, timeout=15)

    async def settled() -> dict[str, Any] | None:
        code, output = await zwk_status("--service", "kommunen", "--service", "prozess", "--json")
        report = {service["name"]: service for service in json.loads(output)["services"]}
        return report if code == 0 and report["prozess"]["consumer_lag"] == {"prozess-kommunen": 0} else None

    report = await eventually(settled, timeout=20, interval=0.5)
    assert report["kommunen"]["health"] == "ready" and report["prozess"]["health"] == "ready"
    assert report["kommunen"]["outbox_backlog"] == 0
    assert report["kommunen"]["consumer_lag"] == {}
    assert report["prozess"]["dead_letters"] == {"prozess-kommunen": 0}

    code, text = await zwk_status()
    assert code == 1, text  # not every service runs
    lines = {line.split()[0]: line.split() for line in text.splitlines() if line and not line.startswith(" ")}
    assert lines["kommunen"][:3] == ["kommunen", "ready", "0"]
    assert lines["prozess"] == ["prozess", "ready", "0", "prozess-kommunen", "0", "0"]
    for name in ("austausch", "benachrichtigung", "gateway"):
        assert lines[name][:2] == [name, "unreachable"]
