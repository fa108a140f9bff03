"""What a scenario measured, and how it is printed and written."""

from __future__ import annotations

import json
import math
import platform
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from benchmarks.monitor import HARNESS, Window


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0–100) by linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Latency:
    count: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None

    @classmethod
    def of(cls, seconds: list[float]) -> Latency:
        ms = [s * 1000 for s in seconds]
        return cls(
            count=len(ms),
            p50_ms=percentile(ms, 50),
            p95_ms=percentile(ms, 95),
            p99_ms=percentile(ms, 99),
            max_ms=max(ms) if ms else None,
        )


@dataclass
class Target:
    """What the issue asks for, and whether this run met it."""

    description: str
    met: bool | None  # None where the run could not tell

    @property
    def verdict(self) -> str:
        return "met" if self.met else "MISSED" if self.met is False else "n/a"


@dataclass
class Result:
    scenario: str
    title: str
    # What was done per second, in `unit`s.
    throughput: float | None = None
    unit: str = "requests"
    count: int = 0
    errors: int = 0
    seconds: float = 0.0
    latency: Latency | None = None
    targets: list[Target] = field(default_factory=list)
    # The reference limit that bounds this scenario: its name, and throughput / limit.
    bound_by: str | None = None
    ratio: float | None = None
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    machine_cpu_seconds: float = 0.0
    foreign_cpu_seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)

    def record(self, window: Window) -> Result:
        self.seconds = self.seconds or window.seconds
        self.cpu_seconds = {n: round(u.cpu_seconds, 2) for n, u in window.usage.items()}
        self.peak_rss_mb = {n: round(u.peak_rss_mb, 1) for n, u in window.usage.items()}
        self.machine_cpu_seconds = round(window.machine_cpu_seconds, 2)
        self.foreign_cpu_seconds = round(window.foreign_cpu_seconds, 2)
        return self

    def failed(self, message: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(message[:500])


def _num(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


PROCESS_ORDER = (
    "gateway",
    "kommunen",
    "prozess",
    "austausch",
    "benachrichtigung",
    "postgresql",
    "nats",
    *HARNESS,
)


def table(results: list[Result], size: str) -> str:
    """The results as text: one block of figures per scenario, then CPU and memory per process."""
    lines = [f"ZWK benchmarks, size {size}, {psutil.cpu_count()} cores, {platform.python_version()}", ""]
    header = (
        f"{'scenario':<34} {'throughput':>16} {'ratio':>7} {'n':>7} {'err':>5} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
    )
    lines += [header, "-" * len(header)]
    for r in results:
        rate = f"{_num(r.throughput)}/s {r.unit[:6]}" if r.throughput is not None else "-"
        ratio = f"{r.ratio:.0%}" if r.ratio is not None else "-"
        lat = r.latency
        lines.append(
            f"{r.scenario:<34} {rate:>16} {ratio:>7} {r.count:>7} {r.errors:>5} "
            f"{_num(lat.p50_ms if lat else None):>8} {_num(lat.p95_ms if lat else None):>8} "
            f"{_num(lat.p99_ms if lat else None):>8}"
        )
    lines += ["", "targets:"]
    for r in results:
        for target in r.targets:
            lines.append(f"  [{target.verdict:>6}] {r.scenario}: {target.description}")
    lines += ["", "reference limits bound: " + ", ".join(f"{r.scenario} → {r.bound_by}" for r in results if r.bound_by)]
    names = [n for n in PROCESS_ORDER if any(n in r.cpu_seconds for r in results)]
    lines += ["", "CPU seconds / peak memory MB per process (PostgreSQL: all backends, PSS):"]
    head = f"{'scenario':<34} {'secs':>6} {'other':>6} " + " ".join(f"{n[:11]:>15}" for n in names)
    lines += [head, "-" * len(head)]
    for r in results:
        cells = " ".join(f"{_num(r.cpu_seconds.get(n), 1):>6}/{_num(r.peak_rss_mb.get(n), 0):>8}" for n in names)
        lines.append(f"{r.scenario:<34} {_num(r.seconds):>6} {_num(r.foreign_cpu_seconds):>6} {cells}")
    lines.append("('other': CPU seconds of processes on the machine that are not part of the run)")
    return "\n".join(lines)


def json_path(directory: Path, size: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return directory / f"bench-{size}-{stamp}.json"


def write_json(results: list[Result], size: str, directory: Path, extra: dict[str, Any], *, path: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    document = {
        "size": size,
        "at": datetime.now(UTC).isoformat(),
        "machine": {
            "cores": psutil.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        **extra,
        "scenarios": [
            {**asdict(r), "targets": [{**asdict(t), "verdict": t.verdict} for t in r.targets]} for r in results
        ],
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False, default=str), "utf-8")
    return path
