"""Cross-service scenarios: every service a real process on loopback."""

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from zwk_common.testing import ServiceProcess


@pytest.fixture
async def start_services(
    zwk_clean: dict[str, str], tmp_path: Path
) -> AsyncIterator[Callable[..., "dict[str, ServiceProcess]"]]:
    """Start named services as processes wired to each other; all are stopped after the test."""
    started: list[ServiceProcess] = []

    async def start(*names: str, **env: str) -> dict[str, ServiceProcess]:
        processes = {name: ServiceProcess(name, {}, log_dir=tmp_path) for name in names}
        wiring = {f"ZWK_URL_{name.upper()}": p.url for name, p in processes.items()}
        for process in processes.values():
            process.env.update({**zwk_clean, **wiring, **env})
            started.append(process.start())
        for process in processes.values():
            await process.wait_ready()
        return processes

    yield start  # type: ignore[misc]
    for process in started:
        process.stop()
