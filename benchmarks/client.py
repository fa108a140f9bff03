"""Talking to the system: timed HTTP and GraphQL calls, many at once or at a steady rate."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

T = TypeVar("T")


class CallFailed(Exception):
    pass


def http_client(concurrency: int = 64) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    return httpx.AsyncClient(timeout=httpx.Timeout(60.0), limits=limits)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def call(
    client: httpx.AsyncClient, method: str, url: str, token: str, *, ok: tuple[int, ...] = (200, 201), **kwargs: Any
) -> tuple[Any, float]:
    """One request: its JSON answer and how long it took; a status outside `ok` fails."""
    started = time.perf_counter()
    response = await client.request(method, url, headers=bearer(token), **kwargs)
    elapsed = time.perf_counter() - started
    if response.status_code not in ok:
        raise CallFailed(f"{method} {url.split('?')[0]} → {response.status_code}: {response.text[:300]}")
    return (response.json() if response.content else None), elapsed


async def graphql(
    client: httpx.AsyncClient, url: str, token: str, query: str, variables: dict[str, Any] | None = None
) -> tuple[dict[str, Any], float]:
    """A GraphQL operation: its data and how long it took; any error in the answer fails."""
    started = time.perf_counter()
    response = await client.post(url, json={"query": query, "variables": variables or {}}, headers=bearer(token))
    elapsed = time.perf_counter() - started
    body = response.json() if response.content else {}
    if response.status_code != 200 or body.get("errors"):
        raise CallFailed(f"GraphQL → {response.status_code}: {str(body.get('errors') or response.text)[:400]}")
    return body["data"], elapsed


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    results: list[Any] = field(default_factory=list)
    seconds: float = 0.0

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
            except (CallFailed, httpx.HTTPError) as exc:
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

    async def one(item: T) -> None:
        try:
            result, elapsed = await work(item)
        except (CallFailed, httpx.HTTPError) as exc:
            outcome.errors.append(f"{type(exc).__name__}: {exc}")
            return
        outcome.latencies.append(elapsed)
        outcome.results.append(result)

    for n in range(total):
        try:
            item = next(iterator)
        except StopIteration:
            break
        due = started + n / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(item)))
    await asyncio.gather(*tasks)
    outcome.seconds = loop.time() - started
    return outcome


@asynccontextmanager
async def clients(concurrency: int = 64) -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(concurrency) as client:
        yield client
