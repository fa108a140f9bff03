"""Fixtures of the gateway's tests: every service a real process, started once per test module."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

# The tests import their shared world (`gateway_world`) from this folder.
sys.path.insert(0, str(Path(__file__).parent))

from gateway_world import World  # noqa: E402

from gateway.clients import SERVICES  # noqa: E402
from gateway.testing import Gateway, Stack, delete_stream, running_gateway, stack_env  # noqa: E402
from zwk_common.testing import ServiceProcess  # noqa: E402
from zwk_common.testing.plugin import truncate_all  # noqa: E402

WIND_DOWN_SECONDS = 2.0


@pytest.fixture(scope="module")
def services() -> tuple[str, ...]:
    """The services a module runs; a module that needs fewer starts fewer."""
    return SERVICES


@pytest.fixture(scope="module")
def service_env() -> dict[str, str]:
    """Settings of the services beyond the test's database and NATS; a module may set its own."""
    return {}


@pytest.fixture(scope="module")
def stack(
    zwk_database_url: str,
    zwk_nats_server: str,
    services: tuple[str, ...],
    service_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Stack]:
    """The services (all four unless a module says otherwise) on loopback, shared by the tests of one module.

    Each module starts from empty tables and a stream of its own.
    """
    env = {**stack_env(zwk_database_url, zwk_nats_server), **service_env}
    asyncio.run(truncate_all(zwk_database_url))
    log_dir = tmp_path_factory.mktemp("services")
    processes = [ServiceProcess(name, env, log_dir=log_dir) for name in services]
    try:
        for process in processes:
            process.start()

        async def ready() -> None:
            await asyncio.gather(*(process.wait_ready() for process in processes))

        asyncio.run(ready())
        yield Stack(env, {process.name: process.url for process in processes})
    finally:
        # All are told at once, so that they wind down side by side. One still draining its NATS connection
        # after a few seconds is killed: what it has in hand belongs to a stream and tables thrown away next.
        for process in processes:
            if process.process is not None and process.process.poll() is None:
                process.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + WIND_DOWN_SECONDS
        for process in processes:
            process.stop(timeout=max(deadline - time.monotonic(), 0.1))
        asyncio.run(delete_stream(env))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def gateway(stack: Stack) -> AsyncIterator[Gateway]:
    async with running_gateway(stack.settings()) as running:
        yield running


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(stack: Stack) -> AsyncIterator[World]:
    async with httpx.AsyncClient(timeout=15) as client:
        yield World(stack, client)
