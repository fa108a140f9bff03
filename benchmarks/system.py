"""The system under test as `zwk up` runs it: embedded PostgreSQL and NATS, every service a process of its own."""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import psutil
from sqlalchemy.engine import make_url

from zwk_common.auth import Role, mint_token
from zwk_common.cli import migrate_all
from zwk_common.db import asyncpg_dsn
from zwk_common.embedded import EmbeddedNats, EmbeddedPostgres, free_port
from zwk_common.registry import discover
from zwk_common.settings import ServiceSettings
from zwk_common.testing import ServiceProcess

DATABASE = "zwk"


async def _ensure_database(server_url: str, name: str) -> str:
    connection = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await connection.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    finally:
        await connection.close()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def _commit_timestamps(server_url: str) -> bool:
    connection = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        if await connection.fetchval("SHOW track_commit_timestamp") == "on":
            return True
        await connection.execute("ALTER SYSTEM SET track_commit_timestamp = on")
        return False
    finally:
        await connection.close()


@dataclass
class System:
    """Everything `zwk up` starts, started the same way, plus what the benchmarks need to watch it."""

    home: Path
    database_url: str = ""
    nats_url: str = ""
    env: dict[str, str] = field(default_factory=dict)
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    postgres: EmbeddedPostgres | None = None
    nats: EmbeddedNats | None = None
    # Whether PostgreSQL records commit times: the pipeline's commit-to-inbox is measured with them.
    commit_timestamps: bool = False
    settings: ServiceSettings = field(default_factory=ServiceSettings)
    startup_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def stream(self) -> str:
        return self.env.get("ZWK_EVENT_STREAM", "ZWK")

    def url(self, service: str) -> str:
        return self.services[service].url

    async def start(self, *, given_database: str | None = None, given_nats: str | None = None) -> None:
        """Start what is not given; a given database is used as it is (the test suite's own)."""
        (self.home / "logs").mkdir(parents=True, exist_ok=True)
        loop = asyncio.get_running_loop()
        started = loop.time()
        if given_database:
            self.database_url = given_database
            connection = await asyncpg.connect(asyncpg_dsn(given_database))
            try:
                self.commit_timestamps = await connection.fetchval("SHOW track_commit_timestamp") == "on"
            finally:
                await connection.close()
        else:
            self.postgres = EmbeddedPostgres(self.home / "pgdata", port=free_port())
            server_url = await asyncio.to_thread(self.postgres.start)
            # The one setting beyond `zwk up`'s: commit times, to measure commit-to-inbox exactly.
            if not await _commit_timestamps(server_url):
                await asyncio.to_thread(self.postgres.restart)
            self.commit_timestamps = True
            self.database_url = await _ensure_database(server_url, DATABASE)
        if given_nats:
            self.nats_url = given_nats
        else:
            self.nats = EmbeddedNats(self.home / "jetstream", port=free_port())
            self.nats_url = await asyncio.to_thread(self.nats.start)
        self.startup_seconds["servers"] = loop.time() - started

        specs = discover()
        ports = {spec.name: free_port() for spec in specs}
        inherited = {k: v for k, v in os.environ.items() if k.startswith("ZWK_EVENT_")}
        self.env = {
            "ZWK_DATABASE_URL": self.database_url,
            "ZWK_NATS_URL": self.nats_url,
            **inherited,
            **{f"ZWK_URL_{name.upper()}": f"http://127.0.0.1:{port}" for name, port in ports.items()},
        }
        os.environ.update(self.env)
        self.settings = ServiceSettings()

        mark = loop.time()
        await asyncio.to_thread(migrate_all, self.database_url, specs)
        for spec in specs:
            load = spec.load_reference_data()
            if load is not None:
                await load(self.database_url)
        self.startup_seconds["migrate_and_reference_data"] = loop.time() - mark

        mark = loop.time()
        for spec in specs:
            self.services[spec.name] = ServiceProcess(
                spec.name, self.env, port=ports[spec.name], log_dir=self.home / "logs"
            ).start()
        for process in self.services.values():
            await process.wait_ready(timeout=120)
        self.startup_seconds["services_ready"] = loop.time() - mark

    def stop(self) -> None:
        # All at once: each drains its consumers and relay, which takes a moment of its own.
        for service in self.services.values():
            if service.process is not None and service.process.poll() is None:
                service.process.send_signal(signal.SIGTERM)
        for service in self.services.values():
            service.stop()
        if self.nats is not None:
            self.nats.stop()
        if self.postgres is not None:
            self.postgres.stop()

    def processes(self) -> dict[str, psutil.Process]:
        """The operating-system processes of the system, by name; PostgreSQL's backends are found under it."""
        found: dict[str, psutil.Process] = {}
        for name, service in self.services.items():
            if service.process is not None:
                found[name] = psutil.Process(service.process.pid)
        if self.postgres is not None and self.postgres.process is not None:
            found["postgresql"] = psutil.Process(self.postgres.process.pid)
        if self.nats is not None and self.nats.process is not None:
            found["nats"] = psutil.Process(self.nats.process.pid)
        return found

    def token(self, role: Role | str = Role.OFFICE, **claims: object) -> str:
        claims.setdefault("subject", f"bench-{uuid.uuid4().hex[:8]}")
        return mint_token(self.settings, role=role, ttl_seconds=6 * 3600, **claims)  # type: ignore[arg-type]

    async def connect(self) -> asyncpg.Connection:
        return await asyncpg.connect(asyncpg_dsn(self.database_url))
