"""What every scenario shares: the running system, its monitor, the size, an HTTP client and the loaded data."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from benchmarks.client import Session, http_client
from benchmarks.monitor import Monitor
from benchmarks.results import Result
from benchmarks.sizes import Size
from benchmarks.system import System

OFFICE_SUBJECT = "bench-geschaeftsstelle"


@dataclass
class Participant:
    municipality_id: str
    ags: str
    name: str
    kreis_key: str | None
    population: int | None

    @property
    def adviser(self) -> str:
        """One adviser per Kreis accompanies its municipalities (the recipient of their stage events)."""
        return f"beratung-{self.kreis_key or self.ags[:5]}"


@dataclass
class Bench:
    system: System
    monitor: Monitor
    size: Size
    http: Session = field(default_factory=http_client)
    participants: list[Participant] = field(default_factory=list)
    practice_ids: list[str] = field(default_factory=list)
    # Reference limits of this machine: name -> operations per second.
    limits: dict[str, float] = field(default_factory=dict)
    log: Callable[[str], None] = print

    @property
    def office(self) -> str:
        return self.system.token("office", subject=OFFICE_SUBJECT, name="Geschäftsstelle (Benchmark)")

    def municipality_token(self, participant: Participant) -> str:
        return self.system.token(
            "municipality", subject=f"kommune-{participant.ags}", municipality_id=participant.municipality_id
        )

    def url(self, service: str, path: str = "") -> str:
        return self.system.url(service) + path

    @property
    def graphql_url(self) -> str:
        return self.url("gateway", "/graphql")

    def bound(self, result: Result, limit: str, per_operation: float = 1.0) -> Result:
        """Name the limit that bounds `result` and its throughput as a share of it."""
        rate = self.limits.get(limit)
        result.bound_by = limit
        if rate and result.throughput is not None:
            result.ratio = result.throughput * per_operation / rate
        return result

    @asynccontextmanager
    async def measured(self, result: Result) -> AsyncIterator[Result]:
        """CPU and memory of every process while the block runs, recorded into `result`."""
        window = self.monitor.window()
        started = time.perf_counter()
        try:
            yield result
        finally:
            window.close()
            result.seconds = result.seconds or (time.perf_counter() - started)
            result.record(window)


ScenarioFn = Callable[[Bench], Awaitable[list[Result]]]


def progress_printer(bench: Bench, label: str, total: int, every: float = 10.0) -> Callable[[int], None]:
    """A progress callback that says how far `label` is at most every `every` seconds."""
    state: dict[str, Any] = {"last": time.perf_counter(), "start": time.perf_counter()}

    def report(done: int) -> None:
        now = time.perf_counter()
        if now - state["last"] >= every:
            state["last"] = now
            rate = done / (now - state["start"])
            bench.log(f"  {label}: {done:,}/{total:,} ({rate:,.0f}/s)")

    return report
