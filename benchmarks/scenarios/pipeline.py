"""Scenario 4: stage transitions posted through the gateway at a steady rate, each into its adviser's inbox.

The transitions start the Kick-Off of one municipality after another; one in ten (or as many as
there are more transitions than municipalities) completes a Kick-Off started about a second earlier
(its required checklist items were ticked beforehand, untimed). The office posts them; the Kreis's
adviser is told of each (the office, as the actor, is not).

Commit-to-inbox is the time from the commit of the transition in prozess to the commit of the
notification in benachrichtigung, both read from PostgreSQL's commit timestamps
(`track_commit_timestamp`); where the server does not keep them, from the rows' own times.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date
from typing import Any

from benchmarks.client import call, graphql, paced, run_all
from benchmarks.context import Bench, Participant, progress_printer
from benchmarks.results import Latency, Result, Target
from benchmarks.scenarios.limits import JETSTREAM
from benchmarks.settle import Watcher

START = """
mutation Start($id: ID!) { startStage(municipalityId: $id, stage: KICK_OFF) { stage status } }
"""
COMPLETE = """
mutation Complete($id: ID!) { completeStage(municipalityId: $id, stage: KICK_OFF) { stage status } }
"""
KICK_OFF_REQUIRED = {
    "kick-off-date": date(2025, 3, 12).isoformat(),
    "invited-by-head": "Einladung durch die Bürgermeisterin",
    "participants-by-actor-type": "Verwaltung 8, Politik 5, Zivilgesellschaft 12, Wirtschaft 3",
    "agreed-goals": "Ortskern beleben, Nachbarschaftshilfe aufbauen",
    "agreed-next-steps": "Kommunalprofil bis Herbst erstellen",
}
# Starts run this many transitions ahead of the completes of the same municipalities (~1 s).
LAG_SECONDS = 1.0
MIN_TREND_SAMPLES = 10

COMMIT_TIMES = """
SELECT m.municipality_id::text AS municipality_id, t.to_status,
       {transition_time} AS committed
FROM prozess.stage_transitions t JOIN prozess.processes m ON m.id = t.process_id
WHERE t.stage = 'KICK_OFF' AND m.programme = 'DAKS' AND m.municipality_id = ANY($1::uuid[])
"""
INBOX_TIMES = """
SELECT n.municipality_id::text AS municipality_id, n.event_type, n.recipient_id,
       {inbox_time} AS committed
FROM benachrichtigung.notifications n
WHERE n.event_type IN ('zwk.prozess.stage.started', 'zwk.prozess.stage.completed')
  AND n.municipality_id = ANY($1::uuid[])
"""
# When the relay's mark of each stage event committed: after JetStream acknowledged it.
PUBLISH_TIMES = """
SELECT o.envelope -> 'data' ->> 'municipality_id' AS municipality_id, o.type AS event_type,
       pg_xact_commit_timestamp(o.xmin) AS committed
FROM prozess.outbox o
WHERE o.type IN ('zwk.prozess.stage.started', 'zwk.prozess.stage.completed') AND o.published_at IS NOT NULL
  AND o.envelope -> 'data' ->> 'municipality_id' = ANY($1::text[])
"""
STATUS_OF_EVENT = {"zwk.prozess.stage.started": "IN_PROGRESS", "zwk.prozess.stage.completed": "COMPLETED"}


def transitions(
    participants: list[Participant], total: int, lag: int
) -> tuple[list[tuple[str, Participant]], list[Participant]]:
    """Kick-Off starts of as many municipalities as there are (one in ten transitions at least a completion),
    each completion `lag` places after its start; and the municipalities that complete."""
    completes = max(total - len(participants), total // 10)
    starts = total - completes
    chosen = participants[:starts]
    step = max(1, starts // completes) if completes else 0
    completing = list(range(0, starts, step))[:completes] if completes else []
    due: dict[int, list[int]] = {}
    for j in completing:
        due.setdefault(min(j + lag, starts - 1), []).append(j)
    order: list[tuple[str, Participant]] = []
    for i, participant in enumerate(chosen):
        order.append(("start", participant))
        order += [("complete", chosen[j]) for j in due.get(i, [])]
    return order, [chosen[j] for j in completing]


async def tick_checklists(bench: Bench, chosen: list[Participant]) -> tuple[int, list[str], float]:
    office = bench.office
    items = [(p, key, value) for p in chosen for key, value in KICK_OFF_REQUIRED.items()]

    async def tick(item: tuple[Participant, str, str]) -> tuple[Any, float]:
        participant, key, evidence = item
        path = f"/processes/{participant.municipality_id}/DAKS/stages/KICK_OFF/checklist/{key}"
        return await call(
            bench.http, "PUT", bench.url("prozess", path), office, json={"done": True, "evidence": evidence}
        )

    outcome = await run_all(
        items, tick, bench.size.load_concurrency, progress=progress_printer(bench, "checklist items", len(items))
    )
    return outcome.done, outcome.errors, outcome.seconds


def answers_by_second(timeline: list[tuple[float, float | None]]) -> list[dict[str, Any]]:
    """The answers to the posts of each second of the schedule: how many, their p50, p99 and
    slowest, and how many failed. A slow stretch and the refusals it causes show where they fell."""
    seconds: dict[int, list[float | None]] = {}
    for due, elapsed in timeline:
        seconds.setdefault(int(due), []).append(elapsed)
    rows = []
    for second in sorted(seconds):
        answered = [e for e in seconds[second] if e is not None]
        latency = Latency.of(answered)
        rows.append(
            {
                "second": second,
                "answered": latency.count,
                "failed": len(seconds[second]) - latency.count,
                "p50_ms": round(latency.p50_ms, 1) if latency.p50_ms is not None else None,
                "p99_ms": round(latency.p99_ms, 1) if latency.p99_ms is not None else None,
                "max_ms": round(latency.max_ms, 1) if latency.max_ms is not None else None,
            }
        )
    return rows


def _slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (t, y)."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    return sum((t - mean_t) * (y - mean_y) for t, y in points) / var if var else 0.0


async def scenario(bench: Bench) -> list[Result]:
    size = bench.size
    result = Result(
        "4 pipeline: stage transitions",
        f"{size.transition_rate:.0f}/s stage transitions through the gateway for {size.transition_seconds:.0f} s",
        unit="transitions",
    )
    total = int(size.transition_rate * size.transition_seconds)
    lag = max(1, int(size.transition_rate * LAG_SECONDS))
    plan, completing = transitions(bench.participants, total, lag)
    if len(plan) < total:
        result.failed(f"only {len(plan)} transitions for {len(bench.participants)} municipalities")
    bench.log(
        f"4: ticking the Kick-Off checklists of the {len(completing):,} municipalities that complete it (untimed)"
    )
    ticked, tick_errors, tick_seconds = await tick_checklists(bench, completing)
    for error in tick_errors:
        result.failed(f"checklist: {error}")
    office = bench.office
    ids = list(dict.fromkeys(p.municipality_id for _, p in plan))

    async def post(item: tuple[str, Participant]) -> tuple[Any, float]:
        action, participant = item
        query = START if action == "start" else COMPLETE
        return await graphql(bench.http, bench.graphql_url, office, query, {"id": participant.municipality_id})

    samples: list[tuple[float, int, dict[str, int]]] = []
    async with Watcher(bench.system) as watcher:
        await watcher.settle(timeout=600)
        stop = asyncio.Event()

        async def sample_backlog() -> None:
            started = time.perf_counter()
            while not stop.is_set():
                backlog = await watcher.backlog()
                samples.append((time.perf_counter() - started, backlog.total, {**backlog.consumers}))
                await asyncio.sleep(1.0)

        bench.log(f"4: posting {len(plan):,} transitions at {size.transition_rate:.0f}/s")
        async with bench.measured(result):
            sampler = asyncio.create_task(sample_backlog())
            outcome = await paced(plan, post, size.transition_rate, size.transition_seconds)
            posted = outcome.seconds
            drain_started = time.perf_counter()
            drained = await watcher.settle(timeout=600, quiet_for=0.2)
            drain_seconds = time.perf_counter() - drain_started
            stop.set()
            await sampler
    for error in outcome.errors:
        result.failed(error)
    result.count = outcome.done
    result.seconds = posted
    result.throughput = outcome.done / posted if posted else None
    result.latency = Latency.of(outcome.latencies)

    delays, missing, per_status, committed, relayed = await commit_to_inbox(bench, ids, plan)
    inbox = Latency.of(delays)
    in_window = [(t, float(b)) for t, b, _ in samples if t <= posted]
    # A trend needs some seconds to show; a short run is judged by how fast it drains alone.
    slope = _slope(in_window) if len(in_window) >= MIN_TREND_SAMPLES else 0.0
    result.details = {
        "checklist_items_ticked": ticked,
        "checklist_seconds": round(tick_seconds, 1),
        "commit_to_inbox": inbox.__dict__,
        "commit_to_inbox_method": "commit timestamps" if bench.system.commit_timestamps else "row times",
        # The two halves of it: prozess's relay (commit to its mark, after JetStream's ack) and
        # benachrichtigung's consumer (from that mark to the notification's commit).
        "commit_to_published": Latency.of(relayed["published"]).__dict__ if relayed else None,
        "published_to_inbox": Latency.of(relayed["consumed"]).__dict__ if relayed else None,
        "transitions_posted": outcome.done,
        # What the system did, whether or not the client waited for the answer: an overloaded run
        # still commits transitions after their requests timed out.
        "transitions_committed": committed["count"],
        "committed_per_second": committed["per_second"],
        "notifications_missing": missing,
        "notified_by_status": per_status,
        "backlog_samples": [(round(t, 1), b) for t, b, _ in samples],
        "backlog_max": max((b for _, b, _ in samples), default=0),
        "backlog_slope_per_second": round(slope, 2),
        "drained_seconds_after_last_post": round(drained, 2),
        "drain_wall_seconds": round(drain_seconds, 2),
        "response_latency_ms": result.latency.__dict__ if result.latency else None,
        "answers_by_second": answers_by_second(outcome.timeline),
    }
    p99 = inbox.p99_ms
    result.targets = [
        Target(
            f"steady {size.transition_rate:.0f}/s posted ({result.throughput or 0:.1f}/s answered, "
            f"{result.errors} failed; {committed['per_second'] or 0:.1f}/s committed)",
            result.errors == 0 and (result.throughput or 0) >= 0.97 * size.transition_rate,
        ),
        Target(f"every transition reaches the adviser's inbox ({missing} missing)", missing == 0 and outcome.done > 0),
        Target(
            f"commit-to-inbox p99 under 100 ms (p99 {p99:.1f} ms)" if p99 is not None else "commit-to-inbox p99",
            p99 is not None and p99 < 100,
        ),
        Target(
            f"no backlog growth (slope {slope:+.2f} events/s, max {result.details['backlog_max']}, "
            f"drained {drained:.1f} s after the last post)",
            slope <= max(1.0, 0.005 * size.transition_rate) and drained < 2.0,
        ),
    ]
    # The inbox latencies are the scenario's percentiles; the gateway's answer times are in the details.
    result.latency = inbox
    return [bench.bound(result, JETSTREAM)]


async def commit_to_inbox(
    bench: Bench, ids: list[str], posted: list[tuple[str, Participant]]
) -> tuple[list[float], int, dict[str, int], dict[str, Any], dict[str, list[float]] | None]:
    """Per transition, seconds from its commit to the commit of its notification; how many have none;
    how many transitions were committed, and how many per second from the first to the last; with
    commit timestamps, the same seconds split at the relay's mark."""
    exact = bench.system.commit_timestamps
    transition_time = "pg_xact_commit_timestamp(t.xmin)" if exact else "t.at"
    inbox_time = "pg_xact_commit_timestamp(n.xmin)" if exact else "n.created_at"
    connection = await bench.system.connect()
    try:
        committed = {
            (r["municipality_id"], r["to_status"]): r["committed"]
            for r in await connection.fetch(COMMIT_TIMES.format(transition_time=transition_time), ids)
        }
        told: dict[tuple[str, str], Any] = {}
        per_status: dict[str, int] = {}
        for r in await connection.fetch(INBOX_TIMES.format(inbox_time=inbox_time), ids):
            status = STATUS_OF_EVENT[r["event_type"]]
            per_status[status] = per_status.get(status, 0) + 1
            key = (r["municipality_id"], status)
            # The adviser's entry: the first inbox a transition reaches.
            told[key] = min(told.get(key, r["committed"]), r["committed"])
        published = (
            {
                (r["municipality_id"], STATUS_OF_EVENT[r["event_type"]]): r["committed"]
                for r in await connection.fetch(PUBLISH_TIMES, ids)
            }
            if exact
            else None
        )
    finally:
        await connection.close()
    times = sorted(committed.values())
    span = (times[-1] - times[0]).total_seconds() if len(times) > 1 else 0.0
    done = {"count": len(times), "per_second": round(len(times) / span, 1) if span else None}
    delays: list[float] = []
    to_published: list[float] = []
    to_inbox: list[float] = []
    missing = 0
    for action, participant in posted:
        key = (participant.municipality_id, "IN_PROGRESS" if action == "start" else "COMPLETED")
        if key not in committed:
            continue  # the transition itself failed; counted as an error of the run
        if key not in told:
            missing += 1
            continue
        delays.append((told[key] - committed[key]).total_seconds())
        if published is not None and key in published:
            to_published.append((published[key] - committed[key]).total_seconds())
            to_inbox.append((told[key] - published[key]).total_seconds())
    relayed = {"published": to_published, "consumed": to_inbox} if published is not None else None
    return delays, missing, per_status, done, relayed
