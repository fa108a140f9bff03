"""Whether the system has caught up: every outbox published, every durable consumer without pending events."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import asyncpg
import nats

from benchmarks.system import System


@dataclass
class Backlog:
    outboxes: dict[str, int]
    consumers: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.outboxes.values()) + sum(self.consumers.values())


class Watcher:
    """One database connection and one NATS connection to ask how much is still to do."""

    def __init__(self, system: System) -> None:
        self.system = system
        self.db: asyncpg.Connection | None = None
        self.nc: nats.NATS | None = None
        self.schemas: list[str] = []
        # One connection serves a sampler and `settle` at once: their questions take turns.
        self.asking = asyncio.Lock()

    async def __aenter__(self) -> Watcher:
        self.db = await self.system.connect()
        self.nc = await nats.connect(self.system.nats_url)
        rows = await self.db.fetch("SELECT schemaname FROM pg_tables WHERE tablename = 'outbox' ORDER BY 1")
        self.schemas = [r["schemaname"] for r in rows]
        return self

    async def __aexit__(self, *_: object) -> None:
        if self.db is not None:
            await self.db.close()
        if self.nc is not None:
            await self.nc.close()

    async def backlog(self) -> Backlog:
        async with self.asking:
            return await self._backlog()

    async def _backlog(self) -> Backlog:
        assert self.db is not None and self.nc is not None
        outboxes = {
            schema: int(await self.db.fetchval(f'SELECT count(*) FROM "{schema}".outbox WHERE published_at IS NULL'))
            for schema in self.schemas
        }
        consumers: dict[str, int] = {}
        try:
            for info in await self.nc.jetstream().consumers_info(self.system.stream):
                name = info.name or info.config.durable_name or "?"
                consumers[name] = int(info.num_pending or 0) + int(info.num_ack_pending or 0)
        except nats.js.errors.NotFoundError:
            pass
        return Backlog(outboxes, consumers)

    async def settle(self, timeout: float, quiet_for: float = 0.5) -> float:
        """Wait until nothing is pending for `quiet_for` seconds; the seconds it took."""
        started = time.perf_counter()
        quiet_since: float | None = None
        while True:
            now = time.perf_counter()
            if (await self.backlog()).total == 0:
                quiet_since = quiet_since or now
                if now - quiet_since >= quiet_for:
                    return quiet_since - started
            else:
                quiet_since = None
            if now - started > timeout:
                raise TimeoutError(f"not settled within {timeout:.0f}s: {await self.backlog()}")
            await asyncio.sleep(0.1)
