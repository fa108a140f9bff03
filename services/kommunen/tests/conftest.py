"""Fixtures of kommunen's tests: the running app, callers, and what reached the outbox."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import httpx
import pytest

from kommunen.main import create_app
from zwk_common.db import asyncpg_dsn
from zwk_common.testing import running_app
from zwk_common.testing.plugin import bearer


@pytest.fixture
async def database(zwk_clean: dict[str, str]) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(asyncpg_dsn(zwk_clean["ZWK_DATABASE_URL"]))
    # Topics are reference data kept between tests: whatever a test adds or
    # re-parents is put back, so every test sees the seeded taxonomy.
    seeded = await connection.fetch("SELECT key, label, parent_key FROM kommunen.topics")
    yield connection
    await connection.execute("DELETE FROM kommunen.municipality_topics")
    await connection.executemany(
        "UPDATE kommunen.topics SET label = $2, parent_key = $3 WHERE key = $1",
        [(r["key"], r["label"], r["parent_key"]) for r in seeded],
    )
    await connection.execute(
        "DELETE FROM kommunen.topics WHERE NOT (key = ANY($1::text[]))", [r["key"] for r in seeded]
    )
    await connection.close()


@pytest.fixture
async def kommunen(database: asyncpg.Connection) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(create_app()) as client:
        yield client


class Events:
    """The events kommunen wrote to its outbox, oldest first."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection

    async def all(self) -> list[tuple[str, dict[str, Any]]]:
        rows = await self.connection.fetch("SELECT type, envelope FROM kommunen.outbox ORDER BY id")
        return [(r["type"], json.loads(r["envelope"])["data"]) for r in rows]

    async def types(self) -> list[str]:
        return [t for t, _ in await self.all()]

    async def of(self, event_type: str) -> list[dict[str, Any]]:
        return [data for t, data in await self.all() if t == event_type]


@pytest.fixture
def events(database: asyncpg.Connection) -> Events:
    return Events(database)


@pytest.fixture
def as_role(zwk_token: Callable[..., str]) -> Callable[..., dict[str, str]]:
    """Headers of a caller: as_role("office"), as_role("municipality", municipality_id=...)."""

    def headers(role: str, **claims: object) -> dict[str, str]:
        return bearer(zwk_token(role, **claims))

    return headers


@pytest.fixture
def office(as_role: Callable[..., dict[str, str]]) -> dict[str, str]:
    return as_role("office")


@pytest.fixture
def register(kommunen: httpx.AsyncClient, office: dict[str, str]) -> Callable[..., Any]:
    """Register a participant as the office and return its record."""

    async def register(body: dict[str, Any], **overrides: Any) -> dict[str, Any]:
        response = await kommunen.post("/municipalities", json={**body, **overrides}, headers=office)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    return register
