"""The reference limits of this machine, measured on the system's own servers before anything is loaded.

- JetStream: publishing from Python to a stream of its own, each publish acknowledged; one at a
  time, and 256 in flight.
- PostgreSQL: single-row INSERTs through asyncpg, each its own transaction (so each waits for
  its commit to be flushed); one connection, and eight side by side.
- HTTP: a trivial FastAPI endpoint under uvicorn as the services run, driven by this client.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import nats
import psutil
from nats.js.api import StorageType, StreamConfig

from benchmarks.client import call, run_all
from benchmarks.context import Bench
from benchmarks.monitor import TRIVIAL_APP
from benchmarks.results import Latency, Result
from zwk_common.embedded import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
JETSTREAM, POSTGRES, HTTP = "JetStream publish", "PostgreSQL single-row insert", "FastAPI trivial endpoint"


async def _for(seconds: float, step: object) -> tuple[int, list[float]]:
    """Run `step` (an async callable) for `seconds`; how often, and each duration."""
    durations: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        await step()  # type: ignore[operator]
        durations.append(time.perf_counter() - started)
    return len(durations), durations


async def jetstream(bench: Bench) -> Result:
    result = Result("0a limit: JetStream publish", "raw JetStream publish rate from Python", unit="messages")
    payload = b"x" * 600  # about the size of one event envelope
    async with bench.measured(result):
        nc = await nats.connect(bench.system.nats_url)
        js = nc.jetstream(timeout=10)
        stream = "BENCHREF"
        await js.add_stream(StreamConfig(name=stream, subjects=["benchref.>"], storage=StorageType.FILE))
        try:
            count, durations = await _for(bench.size.limit_seconds, lambda: js.publish("benchref.one", payload))
            sequential = count / sum(durations)
            in_flight = 256
            started = time.perf_counter()
            sent = 0
            while time.perf_counter() - started < bench.size.limit_seconds:
                await asyncio.gather(*(js.publish("benchref.many", payload) for _ in range(in_flight)))
                sent += in_flight
            pipelined = sent / (time.perf_counter() - started)
        finally:
            await js.delete_stream(stream)
            await nc.close()
    result.throughput = pipelined
    result.count = count + sent
    result.latency = Latency.of(durations)
    result.details = {"sequential_per_second": round(sequential), "pipelined_per_second": round(pipelined)}
    bench.limits[JETSTREAM] = pipelined
    return result


async def postgres(bench: Bench) -> Result:
    result = Result("0b limit: PostgreSQL insert", "raw asyncpg single-row insert rate", unit="rows")
    async with bench.measured(result):
        setup = await bench.system.connect()
        await setup.execute(
            "DROP SCHEMA IF EXISTS bench_reference CASCADE; CREATE SCHEMA bench_reference; "
            "CREATE TABLE bench_reference.rows (id bigserial PRIMARY KEY, body text NOT NULL, "
            "at timestamptz NOT NULL DEFAULT now())"
        )
        try:
            one = await bench.system.connect()
            statement = "INSERT INTO bench_reference.rows (body) VALUES ($1)"
            count, durations = await _for(bench.size.limit_seconds, lambda: one.execute(statement, "Dorfladen"))
            await one.close()
            single = count / sum(durations)
            connections = [await bench.system.connect() for _ in range(8)]
            stop_at = time.perf_counter() + bench.size.limit_seconds
            counts = [0] * len(connections)

            async def insert(i: int) -> None:
                while time.perf_counter() < stop_at:
                    await connections[i].execute(statement, "Bürgerbus")
                    counts[i] += 1

            started = time.perf_counter()
            await asyncio.gather(*(insert(i) for i in range(len(connections))))
            parallel = sum(counts) / (time.perf_counter() - started)
            for connection in connections:
                await connection.close()
        finally:
            await setup.execute("DROP SCHEMA bench_reference CASCADE")
            await setup.close()
    result.throughput = single
    result.count = count + sum(counts)
    result.latency = Latency.of(durations)
    result.details = {"one_connection_per_second": round(single), "eight_connections_per_second": round(parallel)}
    bench.limits[POSTGRES] = single
    return result


async def http(bench: Bench) -> Result:
    result = Result("0c limit: FastAPI endpoint", "a trivial FastAPI endpoint's request rate", unit="requests")
    port = free_port()
    server = subprocess.Popen(  # noqa: ASYNC220 - starting it does not wait for it
        [
            sys.executable,
            "-m",
            "uvicorn",
            "benchmarks.trivial_app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        await asyncio.to_thread(wait_for_port, port, 30)
        url = f"http://127.0.0.1:{port}/ping"
        bench.monitor.processes[TRIVIAL_APP] = psutil.Process(server.pid)
        async with bench.measured(result):
            stop_at = time.perf_counter() + bench.size.limit_seconds

            def forever() -> object:
                while time.perf_counter() < stop_at:
                    yield None

            outcome = await run_all(forever(), lambda _: call(bench.http, "GET", url, "none"), 16)
    finally:
        bench.monitor.processes.pop(TRIVIAL_APP, None)
        server.terminate()
        server.wait(10)
    result.count = outcome.done
    result.errors = len(outcome.errors)
    result.throughput = outcome.done / outcome.seconds
    result.latency = Latency.of(outcome.latencies)
    result.details = {"concurrency": 16}
    bench.limits[HTTP] = result.throughput
    return result


async def measure(bench: Bench) -> list[Result]:
    return [await jetstream(bench), await postgres(bench), await http(bench)]
