"""How big a run is: `full` is the issue's national scale, `small` and `tiny` keep the harness working."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    name: str
    # Gemeinden of the register taken part (None: every one of them).
    municipalities: int | None
    practices: int
    followers: int
    # Stage transitions through the gateway: per second, for how long.
    transition_rate: float
    transition_seconds: float
    # Timed requests per query scenario (after a warm-up of `warmup`).
    samples: int
    warmup: int
    # How long each reference limit is measured.
    limit_seconds: float
    # Concurrent writers while loading.
    load_concurrency: int
    # Of the practices, how many are published one by one through the REST API (the rest imported).
    rest_practices: int = 1000
    # How long the system idles before its memory is read.
    idle_seconds: float = 3.0


SIZES: dict[str, Size] = {
    size.name: size
    for size in (
        Size("full", None, 100_000, 11_000, 200.0, 60.0, 400, 40, 5.0, 12),
        Size("small", 1_000, 5_000, 1_000, 50.0, 10.0, 100, 10, 2.0, 8, rest_practices=200),
        # The smallest run of everything, for the test suite.
        Size("tiny", 25, 50, 20, 10.0, 1.5, 8, 2, 0.3, 4, rest_practices=10, idle_seconds=0.5),
    )
}
