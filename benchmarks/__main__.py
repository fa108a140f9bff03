"""`python -m benchmarks [--size full|small|tiny]`: start the system, load it, run every scenario, report.

The size comes from `--size`, else `BENCH_SIZE`, else `full`. With `--database-url` and
`--nats-url` the run uses those servers (a database already migrated and empty, as the test
suite gives) instead of starting embedded ones.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from benchmarks.context import Bench, ScenarioFn
from benchmarks.monitor import Monitor
from benchmarks.results import Result, Target, json_path, table, write_json
from benchmarks.scenarios import fanout, footprint, limits, load, pipeline, queries
from benchmarks.sizes import SIZES
from benchmarks.system import System

RESULTS = Path(__file__).resolve().parent / "results"

SCENARIOS: list[tuple[str, ScenarioFn]] = [
    ("limits", limits.measure),
    ("load", load.scenario),
    ("dashboard", queries.dashboard),
    ("search", queries.search),
    ("pipeline", pipeline.scenario),
    ("fan-out", fanout.scenario),
]
# What a run must report, whatever fails: the test suite checks that each is there.
EXPECTED = (
    "0a limit: JetStream publish",
    "0b limit: PostgreSQL insert",
    "0c limit: FastAPI endpoint",
    "1a load: municipalities",
    "1b load: practices",
    "1c load: practices via REST",
    "1 load: total",
    "2a dashboard: municipalities",
    "2b dashboard: programmeOverview",
    "3a search: topic filter",
    "3b search: misspelled",
    "4 pipeline: stage transitions",
    "5 fan-out: one practice",
    "6a footprint: idle after start",
    "6a footprint: idle after load",
    "6b footprint: zwk up",
)


def say(message: str) -> None:
    print(f"bench {time.strftime('%H:%M:%S')} {message}", flush=True)


def _failed(name: str, exc: BaseException) -> Result:
    result = Result(name, "failed before it measured anything")
    result.failed(f"{type(exc).__name__}: {exc}")
    result.targets = [Target("the scenario ran", False)]
    return result


async def run(args: argparse.Namespace, system: System, results: list[Result], extra: dict[str, Any]) -> None:
    size = SIZES[args.size]

    def save() -> None:
        # After every scenario: a run that is stopped early still leaves what it measured.
        write_json(results, args.size, args.results, extra, path=args.json_path)

    if not args.skip_zwk_up:
        say("6b: zwk up in a fresh home")
        try:
            results.append(await footprint.zwk_up())
        except Exception as exc:  # noqa: BLE001 - a failed probe is a result, the run goes on
            traceback.print_exc()
            results.append(_failed("6b footprint: zwk up", exc))
        save()
    monitor: Monitor | None = None
    try:
        say(f"starting the system in {system.home}")
        await system.start(given_database=args.database_url, given_nats=args.nats_url)
        extra["startup_seconds"] = {k: round(v, 2) for k, v in system.startup_seconds.items()}
        extra["commit_timestamps"] = system.commit_timestamps
        say("started: " + ", ".join(f"{k} {v:.1f}s" for k, v in system.startup_seconds.items()))
        monitor = Monitor(system.processes()).start()
        bench = Bench(system=system, monitor=monitor, size=size, log=say)
        results.append(await footprint.idle(bench, "after start"))
        for name, scenario in SCENARIOS:
            say(f"scenario {name}")
            try:
                results.extend(await scenario(bench))
            except Exception as exc:  # noqa: BLE001 - one failed scenario is reported, the next still runs
                traceback.print_exc()
                results.append(_failed(name, exc))
            extra["limits_per_second"] = {k: round(v, 1) for k, v in bench.limits.items()}
            extra["participants"] = len(bench.participants)
            extra["practices"] = len(bench.practice_ids)
            save()
        results.append(await footprint.idle(bench, "after load"))
        await bench.http.close()
    finally:
        if monitor is not None:
            monitor.close()
    if args.skip_zwk_up:
        skipped = Result("6b footprint: zwk up", "not run (--skip-zwk-up)")
        skipped.targets = [Target("zwk up under 15 s", None)]
        results.append(skipped)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default=os.environ.get("BENCH_SIZE") or "full")
    parser.add_argument("--database-url", help="use this migrated, empty database instead of an embedded server")
    parser.add_argument("--nats-url", help="use this NATS server instead of an embedded one")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument("--keep", action="store_true", help="keep the system's data directory")
    parser.add_argument("--skip-zwk-up", action="store_true", help="do not time `zwk up` in a fresh home")
    args = parser.parse_args(argv)
    args.json_path = json_path(args.results, args.size)
    started = time.perf_counter()
    system = System(Path(tempfile.mkdtemp(prefix="zwk-bench-")))
    results: list[Result] = []
    extra: dict[str, Any] = {}
    try:
        asyncio.run(run(args, system, results, extra))
    except KeyboardInterrupt:
        say("interrupted; reporting what was measured")
    finally:
        # Here, not in the event loop: the system stops however the run ended.
        say("stopping the system")
        system.stop()
        if args.keep:
            say(f"kept {system.home}")
        else:
            shutil.rmtree(system.home, ignore_errors=True)
    extra["run_seconds"] = round(time.perf_counter() - started, 1)
    order = {name: i for i, name in enumerate(EXPECTED)}
    results.sort(key=lambda r: order.get(r.scenario, len(order)))
    print()
    print(table(results, args.size))
    path = write_json(results, args.size, args.results, extra, path=args.json_path)
    print(f"\nwritten to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
