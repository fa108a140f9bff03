"""Scenario 6: the resident memory of the idle system, and `zwk up` from installed to the first answer.

Idle memory is sampled once everything has caught up and a few seconds passed, as the sum of every
process's PSS: a page shared by several processes counts once, whether it is PostgreSQL's shared
buffers or the code of the libraries every Python service maps from the same files. The sum of the
services' RSS (PostgreSQL still by PSS), which counts that code once per service, is reported beside it.

`zwk up` runs as a user runs it, in a fresh home (no database, no stream yet), with its own
embedded PostgreSQL and NATS; the time runs from starting the command to the first GraphQL
query answered with data.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.context import Bench
from benchmarks.monitor import HARNESS
from benchmarks.results import Result, Target
from benchmarks.settle import Watcher

IDLE_TARGET_MB = 1024.0
UP_TARGET_SECONDS = 15.0
GRAPHIQL = re.compile(r"GraphiQL:\s+(http://\S+/graphql)")
FIRST_QUERY = '{ programmeOverview(programme: "ZWK") { municipalities } }'


async def idle(bench: Bench, label: str) -> Result:
    result = Result(f"6a footprint: idle {label}", f"resident memory of the whole system, idle {label}", unit="MB")
    async with Watcher(bench.system) as watcher:
        await watcher.settle(timeout=600)
    async with bench.measured(result):
        await asyncio.sleep(bench.size.idle_seconds)
        resident = bench.monitor.sample()
        proportional = bench.monitor.proportional()
    system = {name: round(mb, 1) for name, mb in proportional.items() if name not in HARNESS}
    rss = {name: round(mb, 1) for name, mb in resident.items() if name not in HARNESS}
    total, rss_total = sum(system.values()), sum(rss.values())
    result.count = len(system)
    result.details = {
        "resident_mb": system,
        "total_mb": round(total, 1),
        "rss_mb": rss,
        "rss_total_mb": round(rss_total, 1),
    }
    result.targets = [
        Target(
            f"whole system idle {label} under 1 GB ({total:,.0f} MB; services' RSS summed: {rss_total:,.0f} MB)",
            total < IDLE_TARGET_MB,
        )
    ]
    return result


def _zwk() -> str:
    local = Path(sys.executable).parent / "zwk"
    return str(local) if local.exists() else "zwk"


async def zwk_up(log: object = print) -> Result:
    """Run `zwk up` in a fresh home and time it to the first answered query; stop it again."""
    result = Result("6b footprint: zwk up", "`zwk up` from installed to the first answered query", unit="starts")
    home = Path(tempfile.mkdtemp(prefix="zwk-bench-up-"))
    env = {
        k: v
        for k, v in os.environ.items()
        if not (k.startswith("ZWK_URL_") or k in ("ZWK_DATABASE_URL", "ZWK_NATS_URL") or k.startswith("ZWK_EVENT_"))
    }
    env["ZWK_HOME"] = str(home)
    ready_file = home / "ready"
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: ASYNC220 - starting it does not wait for it
        [_zwk(), "up", "--ready-file", str(ready_file)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=home,
        text=True,
    )
    lines: list[str] = []
    gateway: str | None = None
    first_answer: float | None = None
    said_ready: float | None = None
    try:
        assert process.stdout is not None
        loop = asyncio.get_running_loop()
        while gateway is None:
            line = await loop.run_in_executor(None, process.stdout.readline)
            if not line:
                break
            lines.append(f"{time.perf_counter() - started:6.2f}s {line.rstrip()}")
            if (found := GRAPHIQL.search(line)) is not None:
                gateway = found.group(1)
        said_ready = time.perf_counter() - started
        if gateway is None:
            result.failed("zwk up ended before it was ready: " + " | ".join(lines[-5:]))
        else:
            # The token is written once everything answered /readyz, just after the address is printed.
            while not ready_file.exists() and process.poll() is None:  # noqa: ASYNC110 - a file, not an event
                await asyncio.sleep(0.02)
            token = ready_file.read_text().strip()
            async with httpx.AsyncClient(timeout=5) as client:
                while time.perf_counter() - started < 180:
                    try:
                        answer = await client.post(
                            gateway, json={"query": FIRST_QUERY}, headers={"Authorization": f"Bearer {token}"}
                        )
                        if answer.status_code == 200 and answer.json().get("data"):
                            first_answer = time.perf_counter() - started
                            break
                    except httpx.HTTPError:
                        pass
                    await asyncio.sleep(0.05)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(process.wait, 60)
            except subprocess.TimeoutExpired:
                process.kill()
        if process.stdout is not None:
            lines += [line.rstrip() for line in process.stdout.readlines()]
        shutil.rmtree(home, ignore_errors=True)
    phases = [line for line in lines if "zwk:" in line and "token" not in line]
    result.count = 1 if first_answer is not None else 0
    result.seconds = first_answer or 0.0
    result.details = {
        "seconds_to_first_answer": round(first_answer, 2) if first_answer is not None else None,
        "seconds_to_ready_message": round(said_ready, 2) if said_ready is not None else None,
        "output": phases,
    }
    result.targets = [
        Target(
            f"zwk up to the first answered query under {UP_TARGET_SECONDS:.0f} s "
            + (f"({first_answer:.1f} s)" if first_answer is not None else "(no answer)"),
            first_answer is not None and first_answer < UP_TARGET_SECONDS,
        )
    ]
    return result
