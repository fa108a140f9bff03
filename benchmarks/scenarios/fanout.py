"""Scenario 5: one practice published on a topic that many people follow; every follower's inbox has it.

The followers follow the topic through austausch's REST API beforehand (untimed); benachrichtigung
keeps them from austausch's `follow.started` events. Then a municipality publishes one practice on
the topic, and the time runs from the commit of the publication to the commit of the last inbox
entry (commit timestamps; the wall clock from the answer to the last entry seen is kept beside).
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

from benchmarks.client import call, run_all
from benchmarks.context import Bench, progress_printer
from benchmarks.results import Latency, Result, Target
from benchmarks.scenarios.limits import POSTGRES
from benchmarks.settle import Watcher
from benchmarks.texts import practice_text

TOPIC = "demografiestrategie"
TARGET_SECONDS = 5.0


async def follow_topic(bench: Bench) -> tuple[int, list[str], float]:
    participants = bench.participants

    async def follow(n: int) -> tuple[Any, float]:
        participant = participants[n % len(participants)]
        token = bench.system.token(
            "municipality",
            subject=f"person-{n:05d}",
            municipality_id=participant.municipality_id,
            email=f"person-{n:05d}@{participant.ags}.example.org",
        )
        return await call(bench.http, "PUT", bench.url("austausch", f"/follows/topic/{TOPIC}"), token)

    count = bench.size.followers
    outcome = await run_all(
        range(count), follow, bench.size.load_concurrency, progress=progress_printer(bench, "followers", count)
    )
    return outcome.done, outcome.errors, outcome.seconds


async def scenario(bench: Bench) -> list[Result]:
    result = Result(
        "5 fan-out: one practice",
        f"one practice on a topic followed by {bench.size.followers:,} people",
        unit="inbox entries",
    )
    bench.log(f"5: {bench.size.followers:,} people follow {TOPIC} (untimed)")
    followed, errors, follow_seconds = await follow_topic(bench)
    for error in errors:
        result.failed(f"follow: {error}")
    author = bench.participants[0]
    token = bench.municipality_token(author)
    text = practice_text(random.Random(5), topic=TOPIC)
    body = {
        "municipality_id": author.municipality_id,
        "title": "Demografie-Check für alle Ortsteile",
        "summary": text.summary,
        "body": text.body,
        "topics": [TOPIC],
    }
    connection = await bench.system.connect()
    try:
        async with Watcher(bench.system) as watcher:
            await watcher.settle(timeout=600)
            subscribers = int(
                await connection.fetchval(
                    "SELECT count(*) FROM benachrichtigung.subscriptions "
                    "WHERE target_kind = 'topic' AND target_id = $1",
                    TOPIC,
                )
            )
        base = bench.url("austausch", "/practices")
        async with bench.measured(result):
            draft, _ = await call(bench.http, "POST", base, token, json=body)
            published, publish_seconds = await call(bench.http, "POST", f"{base}/{draft['id']}/publish", token)
            answered = time.perf_counter()
            event_id = await connection.fetchval(
                "SELECT event_id FROM austausch.outbox WHERE type = 'zwk.austausch.practice.published' "
                "AND envelope->'data'->>'practice_id' = $1",
                published["id"],
            )
            told = 0
            deadline = answered + 120
            while time.perf_counter() < deadline:
                told = int(
                    await connection.fetchval(
                        "SELECT count(*) FROM benachrichtigung.notifications WHERE event_id = $1", event_id
                    )
                )
                if told >= subscribers:
                    break
                await asyncio.sleep(0.01)
            seen = time.perf_counter() - answered
        exact = bench.system.commit_timestamps
        published_at = await connection.fetchval(
            "SELECT pg_xact_commit_timestamp(xmin) FROM austausch.practices WHERE id = $1::uuid"
            if exact
            else "SELECT published_at FROM austausch.practices WHERE id = $1::uuid",
            published["id"],
        )
        last_entry = await connection.fetchval(
            "SELECT max(pg_xact_commit_timestamp(xmin)) FROM benachrichtigung.notifications WHERE event_id = $1"
            if exact
            else "SELECT max(created_at) FROM benachrichtigung.notifications WHERE event_id = $1",
            event_id,
        )
    finally:
        await connection.close()
    commit_to_last = (last_entry - published_at).total_seconds() if last_entry and published_at else None
    result.count = told
    result.seconds = commit_to_last or seen
    result.throughput = told / result.seconds if result.seconds else None
    result.latency = Latency.of([commit_to_last] if commit_to_last is not None else [])
    result.details = {
        "followers_posted": followed,
        "follow_seconds": round(follow_seconds, 1),
        "subscriptions_in_benachrichtigung": subscribers,
        "inbox_entries": told,
        "commit_to_last_entry_seconds": round(commit_to_last, 3) if commit_to_last is not None else None,
        "answer_to_last_entry_seen_seconds": round(seen, 3),
        "publish_request_ms": round(publish_seconds * 1000, 1),
    }
    result.targets = [
        Target(
            f"all {bench.size.followers:,} inbox entries within {TARGET_SECONDS:.0f} s "
            f"({told:,} in {result.seconds:.2f} s)",
            told >= bench.size.followers and result.seconds < TARGET_SECONDS,
        )
    ]
    return [bench.bound(result, POSTGRES)]
