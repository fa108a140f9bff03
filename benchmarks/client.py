"""Talking to the system: timed HTTP and GraphQL calls, many at once or at a steady rate."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aiohttp
import orjson

T = TypeVar("T")


class CallFailed(Exception):
    pass


# aiohttp rather than httpx: the client shares the machine with the system it measures, and costs it
# a fraction of httpx's CPU per request.
Session = aiohttp.ClientSession
HTTP_ERRORS = (aiohttp.ClientError, TimeoutError)


def http_client(concurrency: int = 64) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=concurrency),
        timeout=aiohttp.ClientTimeout(total=60),
        json_serialize=lambda value: orjson.dumps(value).decode(),
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def call(
    client: Session, method: str, url: str, token: str, *, ok: tuple[int, ...] = (200, 201), **kwargs: Any
) -> tuple[Any, float]:
    """One request: its JSON answer and how long it took (until the whole answer is read); a status outside `ok`
    fails."""
    started = time.perf_counter()
    async with client.request(method, url, headers=bearer(token), **kwargs) as response:
        content = await response.read()
    elapsed = time.perf_counter() - started
    if response.status not in ok:
        raise CallFailed(f"{method} {url.split('?')[0]} → {response.status}: {content[:300].decode(errors='replace')}")
    return (orjson.loads(content) if content else None), elapsed


async def graphql(
    client: Session, url: str, token: str, query: str, variables: dict[str, Any] | None = None
) -> tuple[dict[str, Any], float]:
    """A GraphQL operation: its data and how long it took; any error in the answer fails."""
    started = time.perf_counter()
    payload = {"query": query, "variables": variables or {}}
    async with client.post(url, json=payload, headers=bearer(token)) as response:
        content = await response.read()
    elapsed = time.perf_counter() - started
    body = orjson.loads(content) if content else {}
    if response.status != 200 or body.get("errors"):
        raise CallFailed(f"GraphQL → {response.status}: {str(body.get('errors') or content[:400])[:400]}")
    return body["data"], elapsed


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    results: list[Any] = field(default_factory=list)
    seconds: float = 0.0
    # Under `paced`: each item's place in the schedule (seconds after the first) and its answer's
    # seconds, None where it failed; in the order the answers came.
    timeline: list[tuple[float, float | None]] = field(default_factory=list)

    @property
    def done(self) -> int:
        return len(self.latencies)


async def run_all(
    items: Iterable[T],
    work: Callable[[T], Awaitable[tuple[Any, float]]],
    concurrency: int,
    *,
    keep_results: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Work through `items` with `concurrency` workers; each work item answers (result, seconds)."""
    outcome = Outcome()
    iterator = iter(items)
    started = time.perf_counter()

    async def worker() -> None:
        for item in iterator:
            try:
                result, seconds = await work(item)
            except (CallFailed, *HTTP_ERRORS) as exc:
                outcome.errors.append(f"{type(exc).__name__}: {exc}")
                continue
            outcome.latencies.append(seconds)
            if keep_results:
                outcome.results.append(result)
            if progress is not None:
                progress(outcome.done)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    outcome.seconds = time.perf_counter() - started
    return outcome


async def paced(
    items: Iterable[T], work: Callable[[T], Awaitable[tuple[Any, float]]], rate: float, seconds: float
) -> Outcome:
    """Start one work item every 1/rate seconds for `seconds`, however long each takes (an open model)."""
    outcome = Outcome()
    iterator = iter(items)
    tasks: list[asyncio.Task[None]] = []
    loop = asyncio.get_running_loop()
    started = loop.time()
    total = int(rate * seconds)

    async def one(item: T, due: float) -> None:
        try:
            result, elapsed = await work(item)
        except (CallFailed, *HTTP_ERRORS) as exc:
            outcome.errors.append(f"{type(exc).__name__}: {exc}")
            outcome.timeline.append((due, None))
            return
        outcome.latencies.append(elapsed)
        outcome.results.append(result)
        outcome.timeline.append((due, elapsed))

    for n in range(total):
        try:
            item = next(iterator)
        except StopIteration:
            break
        due = started + n / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(item, n / rate)))
    await asyncio.gather(*tasks)
    outcome.seconds = loop.time() - started
    return outcome
