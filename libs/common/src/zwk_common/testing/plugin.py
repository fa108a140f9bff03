"""pytest fixtures: a real PostgreSQL and NATS per test session, a clean state per test.

`ZWK_TEST_DATABASE_URL` / `ZWK_TEST_NATS_URL` name running servers to use;
otherwise embedded ones are started once per test session. Either way each
session works in a database of its own, and each test in a stream and subject
root of its own, so runs never see each other's state.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import nats
import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from zwk_common.auth import Role, mint_token
from zwk_common.db import asyncpg_dsn
from zwk_common.embedded import EmbeddedNats, EmbeddedPostgres
from zwk_common.migrations import upgrade
from zwk_common.registry import discover
from zwk_common.settings import ServiceSettings
from zwk_common.telemetry import add_span_processor


@pytest.fixture(scope="session")
def zwk_tmp() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="zwk-test-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def zwk_postgres(zwk_tmp: Path) -> Iterator[str]:
    """The URL of a PostgreSQL server (its maintenance database)."""
    given = os.environ.get("ZWK_TEST_DATABASE_URL")
    if given:
        yield given
        return
    server = EmbeddedPostgres(zwk_tmp / "pg", durable=False)
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def zwk_nats_server(zwk_tmp: Path) -> Iterator[str]:
    given = os.environ.get("ZWK_TEST_NATS_URL")
    if given:
        yield given
        return
    server = EmbeddedNats(zwk_tmp / "nats")
    try:
        yield server.start()
    finally:
        server.stop()


async def _create_database(server_url: str, name: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        await connection.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    finally:
        await connection.close()


async def _drop_database(server_url: str, name: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def _database_url(server_url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def create_migrated_database(server_url: str, name: str | None = None) -> str:
    """Create a database on `server_url`, migrate every installed service and load its reference data.

    Blocking (migrations run event loops of their own): from async code, call it
    with `asyncio.to_thread`. Returns the database's URL.
    """
    name = name or f"zwk_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_create_database(server_url, name))
    url = _database_url(server_url, name)
    for spec in discover():
        if spec.migrations is not None:
            upgrade(spec.migrations, url)
        load = spec.load_reference_data()
        if load is not None:
            asyncio.run(load(url))
    return url


@pytest.fixture(scope="session")
def zwk_database_url(zwk_postgres: str) -> Iterator[str]:
    """A fresh database for this test session with every installed service migrated."""
    name = f"zwk_test_{uuid.uuid4().hex[:12]}"
    try:
        yield create_migrated_database(zwk_postgres, name)
    finally:
        asyncio.run(_drop_database(zwk_postgres, name))


@pytest.fixture
def zwk_empty_database(zwk_postgres: str) -> Iterator[str]:
    """A database of this test's own with nothing migrated, dropped after it (for migration tests)."""
    name = f"zwk_empty_{uuid.uuid4().hex[:12]}"
    asyncio.run(_create_database(zwk_postgres, name))
    try:
        yield _database_url(zwk_postgres, name)
    finally:
        asyncio.run(_drop_database(zwk_postgres, name))


def _kept_tables() -> dict[str, set[str]]:
    kept: dict[str, set[str]] = {}
    for spec in discover():
        kept.setdefault(spec.name, set()).update(spec.reference_tables)
    return kept


async def truncate_all(database_url: str) -> None:
    """Empty every service table but reference data and migration versions."""
    kept = _kept_tables()
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        rows = await connection.fetch(
            "SELECT schemaname, tablename FROM pg_tables WHERE schemaname = ANY($1::text[])", list(kept)
        )
        tables = [
            f'"{r["schemaname"]}"."{r["tablename"]}"'
            for r in rows
            if r["tablename"] != "alembic_version" and r["tablename"] not in kept[r["schemaname"]]
        ]
        if tables:
            await connection.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()


@pytest.fixture
def zwk_env(zwk_database_url: str, zwk_nats_server: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment of this test's services: its database, NATS, and a stream of its own."""
    tag = uuid.uuid4().hex[:10]
    env = {
        "ZWK_ENVIRONMENT": "test",
        "ZWK_DATABASE_URL": zwk_database_url,
        "ZWK_NATS_URL": zwk_nats_server,
        "ZWK_EVENT_STREAM": f"ZWKT_{tag}",
        "ZWK_EVENT_SUBJECT_ROOT": f"zwkt{tag}",
        "ZWK_EVENT_RETRY_BACKOFF_SECONDS": "0.05",
        "ZWK_DATABASE_POOL_SIZE": "5",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
async def zwk_clean(zwk_env: dict[str, str]) -> AsyncIterator[dict[str, str]]:
    """A test that starts from empty tables and an empty stream, and leaves no stream behind."""
    await truncate_all(zwk_env["ZWK_DATABASE_URL"])
    yield zwk_env
    try:
        connection = await nats.connect(zwk_env["ZWK_NATS_URL"], connect_timeout=2, max_reconnect_attempts=1)
    except Exception:  # noqa: BLE001 - a test that stopped NATS cleans up nothing
        return
    try:
        await connection.jetstream().delete_stream(zwk_env["ZWK_EVENT_STREAM"])
    except Exception:  # noqa: BLE001 - the test may never have created it
        pass
    finally:
        await connection.close()


@pytest.fixture
def zwk_settings(zwk_env: dict[str, str]) -> ServiceSettings:
    return ServiceSettings()


@pytest.fixture
def zwk_token(zwk_settings: ServiceSettings):  # type: ignore[no-untyped-def]
    """Mint a token: zwk_token("office"), zwk_token("municipality", municipality_id=...)."""

    def mint(role: str | Role = Role.OFFICE, **claims: object) -> str:
        return mint_token(zwk_settings, role=role, **claims)  # type: ignore[arg-type]

    return mint


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def zwk_spans() -> Iterator[InMemorySpanExporter]:
    """Every span this process ends while the test runs, in memory."""
    exporter = InMemorySpanExporter()
    detach = add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    detach()
