"""Scenario 1: every Gemeinde of the register a DAKS participant with its process, and the practices.

Municipalities are registered through kommunen's REST API as the office does it; prozess opens
their processes from kommunen's events. Practices come in through austausch's import (the office
bringing in what was published before, 500 per request), and a sample is drafted and published one
by one through austausch's REST API by its municipalities, as the gateway's `publishPractice` does;
its rate says how long all of them would take that way. "Settled" means every outbox is published
and every consumer has handled every event: all of it is visible everywhere.
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from benchmarks.client import Outcome, call, run_all
from benchmarks.context import Bench, Participant, progress_printer
from benchmarks.results import Latency, Result, Target
from benchmarks.scenarios.limits import HTTP, POSTGRES
from benchmarks.settle import Watcher
from benchmarks.texts import TOPICS, practice_text

KREISFREI = {61, 62}
STADT = {63, 67}
GEMEINDEFREI = {65, 66}
LOAD_TARGET_SECONDS = 300.0
IMPORT_BATCH = 500
IMPORT_CONCURRENCY = 2
T = TypeVar("T")


async def gemeinden(bench: Bench) -> list[dict[str, Any]]:
    """The Gemeinden of the official register (no gemeindefreie Gebiete), spread evenly if fewer are wanted."""
    connection = await bench.system.connect()
    try:
        rows = await connection.fetch(
            "SELECT key, type_code, name, kreis_key, population_2022 FROM kommunen.register_units "
            "WHERE level = 'GEMEINDE' AND (type_code IS NULL OR type_code <> ALL($1::int[])) ORDER BY key",
            list(GEMEINDEFREI),
        )
    finally:
        await connection.close()
    units = [dict(r) for r in rows]
    wanted = bench.size.municipalities
    if wanted is not None and wanted < len(units):
        step = len(units) / wanted
        units = [units[int(i * step)] for i in range(wanted)]
    return units


def _kind(type_code: int | None) -> str:
    if type_code in KREISFREI:
        return "KREISFREIE_STADT"
    if type_code in STADT:
        return "STADT"
    return "GEMEINDE"


async def _post_and_settle(
    bench: Bench,
    result: Result,
    watcher: Watcher,
    items: Sequence[T],
    work: Callable[[T], Awaitable[tuple[Any, float]]],
    concurrency: int,
    progress: Callable[[int], None],
    settle_timeout: float,
) -> tuple[Outcome, float, float]:
    """Post every item, then wait until every service has caught up; measured into `result`, whose
    errors it records. The outcome, the seconds of posting, and the seconds it took to settle after."""
    async with bench.measured(result):
        outcome = await run_all(items, work, concurrency, keep_results=True, progress=progress)
        posted = outcome.seconds
        settled = await watcher.settle(timeout=settle_timeout)
    for error in outcome.errors:
        result.failed(error)
    return outcome, posted, settled


async def register_municipalities(bench: Bench, watcher: Watcher) -> Result:
    result = Result("1a load: municipalities", "register every Gemeinde as a DAKS participant", unit="registrations")
    units = await gemeinden(bench)
    rng = random.Random(10)
    office = bench.office
    url = bench.url("kommunen", "/municipalities")

    async def register(unit: dict[str, Any]) -> tuple[Any, float]:
        body = {
            "kind": _kind(unit["type_code"]),
            "ags": unit["key"],
            "programmes": ["DAKS"],
            "topics": rng.sample(TOPICS, rng.randint(1, 3)),
            "adviser_subjects": [f"beratung-{unit['kreis_key'] or unit['key'][:5]}"],
        }
        return await call(bench.http, "POST", url, office, json=body)

    bench.log(f"1a: registering {len(units):,} Gemeinden")
    outcome, posted, settled = await _post_and_settle(
        bench,
        result,
        watcher,
        units,
        register,
        bench.size.load_concurrency,
        progress_printer(bench, "registered", len(units)),
        settle_timeout=1800,
    )
    for record in outcome.results:
        bench.participants.append(
            Participant(record["id"], record["ags"], record["name"], record["kreis_key"], record["population"])
        )
    result.count = outcome.done
    result.latency = Latency.of(outcome.latencies)
    result.throughput = outcome.done / posted if posted else None
    result.details = {
        "gemeinden_in_register": len(units),
        "posted_seconds": round(posted, 1),
        "settled_after_posting_seconds": round(settled, 1),
        "concurrency": bench.size.load_concurrency,
    }
    return bench.bound(result, HTTP)


async def count_processes(bench: Bench) -> int:
    connection = await bench.system.connect()
    try:
        return int(await connection.fetchval("SELECT count(*) FROM prozess.processes WHERE programme = 'DAKS'"))
    finally:
        await connection.close()


def _authors(bench: Bench, count: int, seed: int) -> list[Participant]:
    rng = random.Random(seed)
    participants = bench.participants
    # Larger places write more: weight by the square root of the population.
    weights = [max(p.population or 1000, 100) ** 0.5 for p in participants]
    return rng.choices(participants, weights=weights, k=count)


def _practice_body(author: Participant, rng: random.Random) -> dict[str, Any]:
    text = practice_text(rng)
    return {
        "municipality_id": author.municipality_id,
        "title": text.title,
        "summary": text.summary,
        "body": text.body,
        "topics": text.topics,
        "target_groups": text.target_groups,
    }


async def import_practices(bench: Bench, watcher: Watcher, count: int) -> Result:
    result = Result(
        "1b load: practices",
        f"practices brought in through austausch's import ({IMPORT_BATCH} per request)",
        unit="practices",
    )
    rng = random.Random(11)
    authors = _authors(bench, count, 11)
    # Spread over the last three years, as a toolbox grows.
    now = datetime.now(UTC)
    batches = [authors[i : i + IMPORT_BATCH] for i in range(0, len(authors), IMPORT_BATCH)]
    office = bench.office
    url = bench.url("austausch", "/practices/import")
    imported = [0]

    async def send(batch: list[Participant]) -> tuple[Any, float]:
        practices = []
        for author in batch:
            body = _practice_body(author, rng)
            body["author_subject"] = f"kommune-{author.ags}"
            body["published_at"] = (now - timedelta(minutes=rng.randint(1, 3 * 365 * 24 * 60))).isoformat()
            practices.append(body)
        answer, seconds = await call(bench.http, "POST", url, office, json={"practices": practices}, ok=(201,))
        imported[0] += answer["imported"]
        return answer["ids"], seconds

    bench.log(f"1b: importing {count:,} practices in {len(batches):,} requests")
    report = progress_printer(bench, "imported", count)
    outcome, posted, settled = await _post_and_settle(
        bench, result, watcher, batches, send, IMPORT_CONCURRENCY, lambda _: report(imported[0]), settle_timeout=1800
    )
    bench.practice_ids += [i for ids in outcome.results for i in ids]
    result.count = imported[0]
    result.latency = Latency.of(outcome.latencies)
    result.throughput = imported[0] / posted if posted else None
    result.details = {
        "requests": len(batches),
        "per_request": IMPORT_BATCH,
        "concurrency": IMPORT_CONCURRENCY,
        "posted_seconds": round(posted, 1),
        "settled_after_posting_seconds": round(settled, 1),
        "latency_is_per": f"request of {IMPORT_BATCH}",
    }
    # Each practice is a handful of rows: the share of single-row inserts is of the practices alone.
    return bench.bound(result, POSTGRES)


async def publish_practices(bench: Bench, watcher: Watcher, count: int) -> Result:
    result = Result(
        "1c load: practices via REST",
        "practices drafted and published one by one through austausch's REST API (the gateway's path)",
        unit="practices",
    )
    rng = random.Random(12)
    authors = _authors(bench, count, 12)
    tokens: dict[str, str] = {}
    base = bench.url("austausch", "/practices")

    async def publish(author: Participant) -> tuple[Any, float]:
        token = tokens.get(author.municipality_id) or tokens.setdefault(
            author.municipality_id, bench.municipality_token(author)
        )
        draft, first = await call(bench.http, "POST", base, token, json=_practice_body(author, rng))
        published, second = await call(bench.http, "POST", f"{base}/{draft['id']}/publish", token)
        return published["id"], first + second

    bench.log(f"1c: publishing {count:,} practices one by one")
    outcome, posted, settled = await _post_and_settle(
        bench,
        result,
        watcher,
        authors,
        publish,
        bench.size.load_concurrency,
        progress_printer(bench, "published", len(authors)),
        settle_timeout=3600,
    )
    bench.practice_ids += list(outcome.results)
    result.count = outcome.done
    result.latency = Latency.of(outcome.latencies)
    result.throughput = outcome.done / posted if posted else None
    result.details = {
        "posted_seconds": round(posted, 1),
        "settled_after_posting_seconds": round(settled, 1),
        "requests_per_practice": 2,
        "concurrency": bench.size.load_concurrency,
        "seconds_for_all_practices_this_way": round(bench.size.practices / result.throughput)
        if result.throughput
        else None,
    }
    # Two requests per practice: the share of the HTTP ceiling is that of the requests.
    return bench.bound(result, HTTP, per_operation=2)


async def steady_state(bench: Bench) -> float:
    """VACUUM and ANALYZE after the bulk load, untimed, as after any bulk load; the seconds it took.

    Autovacuum would get there too, but at a moment of its own: a query scenario would otherwise
    run against tables half of whose rows are not yet marked visible to all and whose statistics
    describe a tenth of their rows, and measure that moment rather than the system.
    """
    started = time.perf_counter()
    connection = await bench.system.connect()
    try:
        await connection.execute("VACUUM (ANALYZE)")
    finally:
        await connection.close()
    seconds = time.perf_counter() - started
    bench.log(f"  vacuumed and analysed after the load in {seconds:.1f} s (untimed)")
    return round(seconds, 1)


async def scenario(bench: Bench) -> list[Result]:
    async with Watcher(bench.system) as watcher:
        municipalities = await register_municipalities(bench, watcher)
        processes = await count_processes(bench)
        municipalities.details["daks_processes"] = processes
        one_by_one = min(bench.size.rest_practices, bench.size.practices)
        practices = await import_practices(bench, watcher, bench.size.practices - one_by_one)
        rest = await publish_practices(bench, watcher, one_by_one)
    total = municipalities.seconds + practices.seconds + rest.seconds
    summary = Result(
        "1 load: total",
        "municipalities with processes and practices, until every service has caught up",
        count=municipalities.count + practices.count + rest.count,
        seconds=total,
        unit="records",
    )
    summary.throughput = summary.count / total if total else None
    summary.targets = [
        Target(f"loading takes under 5 minutes (took {total:.0f} s)", total < LOAD_TARGET_SECONDS),
        Target(
            f"every registered Gemeinde has a DAKS process ({processes:,} of {municipalities.count:,})",
            processes == municipalities.count and municipalities.errors == 0,
        ),
        Target(
            f"every practice published ({practices.count + rest.count:,} of {bench.size.practices:,})",
            practices.count + rest.count == bench.size.practices,
        ),
    ]
    summary.details = {"vacuum_analyze_seconds": await steady_state(bench)}
    parts = (municipalities, practices, rest)
    names = {name for part in parts for name in part.cpu_seconds}
    summary.cpu_seconds = {name: round(sum(p.cpu_seconds.get(name, 0) for p in parts), 2) for name in names}
    summary.peak_rss_mb = {name: max(p.peak_rss_mb.get(name, 0) for p in parts) for name in names}
    summary.foreign_cpu_seconds = round(sum(p.foreign_cpu_seconds for p in parts), 2)
    summary.machine_cpu_seconds = round(sum(p.machine_cpu_seconds for p in parts), 2)
    return [municipalities, practices, rest, summary]
