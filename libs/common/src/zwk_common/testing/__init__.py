"""Helpers for tests against a real PostgreSQL and NATS (fixtures live in `plugin`)."""

from __future__ import annotations

import asyncio
import inspect
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
from fastapi import FastAPI
from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from zwk_common.db import async_url, asyncpg_dsn

T = TypeVar("T")


@asynccontextmanager
async def scratch_schema(database_url: str, metadata: MetaData) -> AsyncIterator[AsyncEngine]:
    """The tables of `metadata` in their schema, made anew for a test and dropped after it."""
    engine = create_async_engine(async_url(database_url))
    drop = text(f'DROP SCHEMA IF EXISTS "{metadata.schema}" CASCADE')
    try:
        async with engine.begin() as connection:
            await connection.execute(drop)
            await connection.execute(text(f'CREATE SCHEMA "{metadata.schema}"'))
            await connection.run_sync(metadata.create_all)
        yield engine
        async with engine.begin() as connection:
            await connection.execute(drop)
    finally:
        await engine.dispose()


async def fetch(database_url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    """The rows of one query, on a connection of its own: what a test checks in the database."""
    connection = await asyncpg.connect(asyncpg_dsn(database_url), timeout=5)
    try:
        return list(await connection.fetch(sql, *args))
    finally:
        await connection.close()


async def fetch_value(database_url: str, sql: str, *args: Any) -> Any:
    rows = await fetch(database_url, sql, *args)
    return rows[0][0] if rows else None


async def execute(database_url: str, sql: str, *args: Any) -> None:
    """Run SQL (several statements allowed without arguments), on a connection of its own."""
    connection = await asyncpg.connect(asyncpg_dsn(database_url), timeout=5)
    try:
        await connection.execute(sql, *args)
    finally:
        await connection.close()


@asynccontextmanager
async def running_app(app: FastAPI, *, headers: Mapping[str, str] | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """Run an app's lifespan (relay, consumers) and talk to it over ASGI."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers) as client:
            yield client


async def eventually(
    probe: Callable[[], Awaitable[T] | T], *, timeout: float = 10.0, interval: float = 0.05, message: str = ""
) -> T:
    """Poll `probe` until it returns something truthy; fail after `timeout` seconds.

    The probe may be a coroutine function or a plain one (what a fake server or an event holds)."""
    deadline = asyncio.get_running_loop().time() + timeout
    last: T | None = None
    while True:
        answer = probe()
        last = await answer if inspect.isawaitable(answer) else answer  # type: ignore[assignment]
        if last:
            return last
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(message or f"condition not met within {timeout}s (last: {last!r})")
        await asyncio.sleep(interval)


class ServiceProcess:
    """One service as a real uvicorn process on a loopback port, for cross-service tests.

    The port is bound here and its listening socket handed to the process: a port
    only picked here and bound by the service a second later was at times taken in
    between by a service of a parallel test run, whose answers then passed for ours.
    """

    def __init__(
        self, name: str, env: Mapping[str, str], *, port: int | None = None, log_dir: Path | None = None
    ) -> None:
        self.name = name
        self._listening: socket.socket | None = None
        if port is None:
            self._listening = _listen(0)
            port = int(self._listening.getsockname()[1])
        self.port = port
        self.env = {**os.environ, **env}
        self.log_dir = log_dir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServiceProcess:
        """Start the service; again after a stop or kill, on the same port."""
        listening = self._listening or _listen(self.port)
        self._listening = None
        log = (
            open(self.log_dir / f"{self.name}-{self.port}.log", "ab")  # noqa: SIM115
            if self.log_dir
            else subprocess.DEVNULL
        )
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "zwk_common.serve", self.name, "--fd", str(listening.fileno())],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                pass_fds=(listening.fileno(),),
            )
        finally:
            # The process holds its own copy: once it is gone the port is closed, as a crashed service's is.
            listening.close()
        return self

    async def wait_ready(self, timeout: float = 90.0) -> None:
        # Ready is answered as soon as it is; the timeout only ends a hang (a process that exits fails
        # at once), below the suite's 120 s per test. Four services starting side by side beside
        # another test worker took more than 30 s on a 2-core machine running slow.
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.process.returncode}")
                try:
                    if (await client.get(self.url + "/readyz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
        raise TimeoutError(f"{self.name} not ready within {timeout}s")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        self.stop(signal.SIGKILL)


def _listen(port: int) -> socket.socket:
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # A restart binds the port its killed predecessor left with connections in TIME_WAIT.
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind(("127.0.0.1", port))
        # Listening at once keeps the port ours: nobody can bind a port someone listens on.
        listening.listen(2048)
    except OSError:
        listening.close()
        raise
    return listening


def env_for(settings_env: Mapping[str, str], **extra: Any) -> dict[str, str]:
    return {**settings_env, **{k: str(v) for k, v in extra.items()}}
