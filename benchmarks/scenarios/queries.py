"""Scenarios 2 and 3: what the office and the municipalities ask the gateway, one request at a time.

Each query is asked `warmup` times untimed, then `samples` times timed, one after another, so the
percentiles are those of a single user on an otherwise idle system.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

from benchmarks.client import CallFailed, graphql
from benchmarks.context import Bench
from benchmarks.results import Latency, Result, Target
from benchmarks.scenarios.limits import HTTP
from benchmarks.texts import MISSPELLED, SEARCHES

DASHBOARD = """
query Dashboard($after: String) {
  municipalities(first: 100, after: $after, filter: {programme: "DAKS"}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id name bundesland population
      currentStage
      stages { stage status startedAt dueDate overdue }
      practices(first: 1) { totalCount }
    } }
  }
}
"""

PAGES = """
query Pages($after: String) {
  municipalities(first: 100, after: $after, filter: {programme: "DAKS"}) { pageInfo { hasNextPage endCursor } }
}
"""

OVERVIEW = """
query Overview {
  programmeOverview(programme: "DAKS") {
    programme municipalities
    stages { stage inProgress completed }
    overdue { id name }
  }
}
"""

SEARCH = """
query Search($search: String, $topics: [String!]) {
  practices(search: $search, topics: $topics, first: 20) {
    totalCount
    edges { node { id title summary publishedAt municipality { name } } }
  }
}
"""

MAX_PAGES = 20


async def _timed(
    bench: Bench,
    result: Result,
    query: str,
    variables: Callable[[int], dict[str, Any]],
    check: Callable[[dict[str, Any]], str | None],
) -> None:
    token = bench.office
    latencies: list[float] = []
    async with bench.measured(result):
        for n in range(bench.size.warmup + bench.size.samples):
            try:
                data, seconds = await graphql(bench.http, bench.graphql_url, token, query, variables(n))
                problem = check(data)
                if problem:
                    raise CallFailed(problem)
            except CallFailed as exc:
                result.failed(str(exc))
                continue
            if n >= bench.size.warmup:
                latencies.append(seconds)
    result.count = len(latencies)
    result.latency = Latency.of(latencies)
    timed = sum(latencies)
    result.throughput = len(latencies) / timed if timed else None
    bench.bound(result, HTTP)


def _p95_under(result: Result, ms: float, what: str) -> Target:
    p95 = result.latency.p95_ms if result.latency else None
    return Target(
        f"{what} p95 under {ms:.0f} ms (p95 {p95:.1f} ms)" if p95 is not None else f"{what} p95 under {ms:.0f} ms",
        p95 < ms and result.errors == 0 if p95 is not None else False,
    )


async def _cursors(bench: Bench) -> list[str | None]:
    cursors: list[str | None] = [None]
    after: str | None = None
    for _ in range(MAX_PAGES - 1):
        data, _ = await graphql(bench.http, bench.graphql_url, bench.office, PAGES, {"after": after})
        info = data["municipalities"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
        cursors.append(after)
    return cursors


async def dashboard(bench: Bench) -> list[Result]:
    listing = Result(
        "2a dashboard: municipalities",
        'municipalities(first: 100, filter: {programme: "DAKS"}) with currentStage, stages, practice counts',
        unit="queries",
    )
    try:
        cursors = await _cursors(bench)
    except CallFailed as exc:
        listing.failed(f"paging: {exc}")
        cursors = [None]
    pages = itertools.cycle(cursors)
    expected = len(bench.participants)

    def full_page(data: dict[str, Any]) -> str | None:
        found = data["municipalities"]
        if found["totalCount"] < expected:
            return f"totalCount {found['totalCount']} < {expected}"
        if not found["edges"]:
            return "an empty page"
        return None

    bench.log(f"2a: dashboard over {len(cursors)} pages")
    await _timed(bench, listing, DASHBOARD, lambda n: {"after": next(pages)}, full_page)
    listing.details = {"pages_cycled": len(cursors), "participants": expected}
    listing.targets = [_p95_under(listing, 50, "a page of 100")]

    overview = Result("2b dashboard: programmeOverview", 'programmeOverview(programme: "DAKS")', unit="queries")

    def all_counted(data: dict[str, Any]) -> str | None:
        counted = data["programmeOverview"]["municipalities"]
        return None if counted >= expected else f"municipalities {counted} < {expected}"

    bench.log("2b: programme overview")
    await _timed(bench, overview, OVERVIEW, lambda n: {}, all_counted)
    overview.targets = [_p95_under(overview, 30, f"over {expected:,} municipalities")]
    return [listing, overview]


async def search(bench: Bench) -> list[Result]:
    found = Result("3a search: topic filter", "ranked German full-text search with a topic filter", unit="queries")
    totals: dict[str, int] = {}

    def hits(words: str) -> Callable[[dict[str, Any]], str | None]:
        def check(data: dict[str, Any]) -> str | None:
            total = data["practices"]["totalCount"]
            totals[words] = total
            return None

        return check

    searches = itertools.cycle(SEARCHES)
    current: list[tuple[str, str]] = []

    def next_search(n: int) -> dict[str, Any]:
        words, topic = next(searches)
        current[:] = [(words, topic)]
        return {"search": words, "topics": [topic]}

    bench.log("3a: search with a topic filter")
    await _timed(bench, found, SEARCH, next_search, lambda data: hits(current[0][0])(data))
    found.details = {"total_hits_by_search": totals, "practices": len(bench.practice_ids)}
    found.targets = [_p95_under(found, 30, f"at {len(bench.practice_ids):,} practices")]

    misspelt = Result("3b search: misspelled", "the same, misspelled: corrected and searched again", unit="queries")
    typos = itertools.cycle(MISSPELLED)
    misspelt_totals: dict[str, int] = {}

    def next_typo(n: int) -> dict[str, Any]:
        words, topic = next(typos)
        current[:] = [(words, topic)]
        return {"search": words, "topics": [topic]}

    def corrected(data: dict[str, Any]) -> str | None:
        misspelt_totals[current[0][0]] = data["practices"]["totalCount"]
        return None

    bench.log("3b: misspelled search")
    started = time.perf_counter()
    await _timed(bench, misspelt, SEARCH, next_typo, corrected)
    misspelt.details = {
        "total_hits_by_search": misspelt_totals,
        "found_something": sum(1 for n in misspelt_totals.values() if n > 0),
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    misspelt.targets = [_p95_under(misspelt, 60, "misspelled")]
    return [found, misspelt]
