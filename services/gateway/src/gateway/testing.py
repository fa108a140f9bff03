"""Running the gateway in tests: served on loopback in the test's process, over services on loopback."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import nats
import uvicorn
from fastapi import FastAPI
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from gateway.config import Settings
from gateway.main import create_app
from zwk_common.auth import mint_token
from zwk_common.embedded import free_port
from zwk_common.testing import eventually

CLOSED_PORT_URL = "http://127.0.0.1:9"  # the discard port: nothing answers there


@dataclass
class Stack:
    """Services running for one test module, with a stream and subject root of their own."""

    env: dict[str, str]
    urls: dict[str, str]

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "environment": "test",
            "nats_url": self.env["ZWK_NATS_URL"],
            "event_stream": self.env["ZWK_EVENT_STREAM"],
            "event_subject_root": self.env["ZWK_EVENT_SUBJECT_ROOT"],
            "kommunen_url": self.urls.get("kommunen", CLOSED_PORT_URL),
            "prozess_url": self.urls.get("prozess", CLOSED_PORT_URL),
            "austausch_url": self.urls.get("austausch", CLOSED_PORT_URL),
            "benachrichtigung_url": self.urls.get("benachrichtigung", CLOSED_PORT_URL),
        }
        return Settings(**{**values, **overrides})


def stack_env(database_url: str, nats_url: str) -> dict[str, str]:
    tag = uuid.uuid4().hex[:10]
    return {
        "ZWK_ENVIRONMENT": "test",
        "ZWK_DATABASE_URL": database_url,
        "ZWK_NATS_URL": nats_url,
        "ZWK_EVENT_STREAM": f"ZWKG_{tag}",
        "ZWK_EVENT_SUBJECT_ROOT": f"zwkg{tag}",
        "ZWK_EVENT_RETRY_BACKOFF_SECONDS": "0.05",
        "ZWK_DATABASE_POOL_SIZE": "5",
    }


async def delete_stream(env: dict[str, str]) -> None:
    try:
        connection = await nats.connect(env["ZWK_NATS_URL"], connect_timeout=2, max_reconnect_attempts=1)
    except Exception:  # noqa: BLE001 - nothing to clean where NATS is gone
        return
    try:
        await connection.jetstream().delete_stream(env["ZWK_EVENT_STREAM"])
    except Exception:  # noqa: BLE001 - never created
        pass
    finally:
        await connection.close()


def token(role: str, **claims: Any) -> str:
    return mint_token(Settings(), role=role, **claims)


def auth(role: str, **claims: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(role, **claims)}"}


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[str]:
    """An app served by uvicorn on a loopback port (real HTTP and WebSockets), stopped on leaving."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", ws="websockets-sansio")
    )
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        if task.done():
            task.result()
        return server.started

    try:
        await eventually(started, timeout=15, interval=0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@dataclass
class Gateway:
    """A running gateway: its URL, an HTTP client, and the app (for its call counts and event hub)."""

    url: str
    client: httpx.AsyncClient
    app: FastAPI

    @property
    def calls(self) -> dict[str, int]:
        return self.app.state.runtime.extras["clients"].calls  # type: ignore[no-any-return]

    @property
    def paths(self) -> Counter[tuple[str, str]]:
        """Requests per (service, path) since the last reset (counted from the first reset on)."""
        return self.app.state.runtime.extras["clients"].paths or Counter()  # type: ignore[no-any-return]

    def reset_calls(self) -> None:
        clients = self.app.state.runtime.extras["clients"]
        for service in clients.calls:
            clients.calls[service] = 0
        clients.paths = Counter()

    async def query(
        self, query: str, variables: dict[str, Any] | None = None, *, role: str | None = "office", **claims: Any
    ) -> dict[str, Any]:
        headers = auth(role, **claims) if role is not None else {}
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]


@asynccontextmanager
async def running_gateway(settings: Settings) -> AsyncIterator[Gateway]:
    app = create_app(settings)
    async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=10) as client:
        await eventually(lambda: _nats_ready(app), timeout=10)
        yield Gateway(url, client, app)


async def _nats_ready(app: FastAPI) -> bool:
    return bool(app.state.runtime.bus.connected.is_set())


def codes(answer: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in answer.get("errors") or []]


class LiveSubscription:
    """One GraphQL subscription over graphql-transport-ws."""

    def __init__(self, websocket: Any, operation_id: str) -> None:
        self.websocket = websocket
        self.operation_id = operation_id

    async def receive(self, timeout: float = 1.0) -> dict[str, Any]:
        """The next message of this operation (`next`, `error` or `complete`), within `timeout` seconds."""
        async with asyncio.timeout(timeout):
            while True:
                message = json.loads(await self.websocket.recv())
                if message.get("type") == "ping":
                    await self.websocket.send(json.dumps({"type": "pong"}))
                    continue
                if message.get("id") == self.operation_id:
                    return message  # type: ignore[no-any-return]


@asynccontextmanager
async def subscribed(
    gateway_url: str, query: str, variables: dict[str, Any] | None = None, *, token: str | None
) -> AsyncIterator[LiveSubscription]:
    """Connect, authenticate in `connection_init` as browsers do, and subscribe."""
    url = gateway_url.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")], open_timeout=5) as websocket:
        await websocket.send(json.dumps({"type": "connection_init", "payload": {"token": token} if token else {}}))
        acknowledged = json.loads(await asyncio.wait_for(websocket.recv(), timeout=5))
        assert acknowledged["type"] == "connection_ack", acknowledged
        await websocket.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables or {}}})
        )
        yield LiveSubscription(websocket, "1")


@asynccontextmanager
async def slow_service() -> AsyncIterator[str]:
    """A real HTTP server on loopback that answers nothing until the block is left."""
    released = asyncio.Event()
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    async def hold(path: str) -> dict[str, Any]:
        await released.wait()
        return {}

    async with serving(app) as url:
        try:
            yield url
        finally:
            released.set()
