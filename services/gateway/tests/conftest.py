"""Fixtures of the gateway's tests: services as real processes, each module with a stream of its own."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from gateway.testing import Stack, delete_stream, stack_env
from zwk_common.testing import ServiceProcess
from zwk_common.testing.plugin import truncate_all


@pytest.fixture(scope="module")
def stack(zwk_database_url: str, zwk_nats_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """kommunen and prozess as real processes on loopback, shared by the tests of one module."""
    env = stack_env(zwk_database_url, zwk_nats_server)
    asyncio.run(truncate_all(zwk_database_url))
    log_dir = tmp_path_factory.mktemp("services")
    processes = [ServiceProcess(name, env, log_dir=log_dir) for name in ("kommunen", "prozess")]
    try:
        for process in processes:
            process.start()

        async def ready() -> None:
            await asyncio.gather(*(process.wait_ready() for process in processes))

        asyncio.run(ready())
        yield Stack(env, {process.name: process.url for process in processes})
    finally:
        for process in processes:
            process.stop()
        asyncio.run(delete_stream(env))


@pytest.fixture(scope="module")
def quiet_stack(zwk_nats_server: str) -> Iterator[Stack]:
    """No services at all: for what the gateway refuses before it calls anyone."""
    env = stack_env("postgresql://unused@127.0.0.1:9/unused", zwk_nats_server)
    yield Stack(env, {})
    asyncio.run(delete_stream(env))
