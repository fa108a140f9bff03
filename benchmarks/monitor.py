"""CPU seconds and peak memory of every process of the system, per scenario.

PostgreSQL is one postmaster with a backend per connection: it is counted as a group (the
postmaster, its live children, and the children it has reaped). Its resident memory is the
sum of proportional set sizes (PSS), since every backend maps the same shared buffers and a
sum of RSS would count them once per backend; single processes report RSS in a scenario's peaks.
The idle footprint (scenario 6a) sums every process's PSS (`Monitor.proportional`).

The samples taken while a scenario runs come from a process of their own (`python -m
benchmarks.monitor`), reported as `benchmark monitor`. Reading the PSS of 35 backends takes
about 50 ms of CPU; taken in the client's own process every half second, it held the
interpreter while the client waited for answers, and its timings counted the wait. Taken
every half second in the sampler, it still took 10-15 % of a core from the system it measures
(mostly the kernel walking the backends' page tables): a group's PSS is read every
`group_interval` (2 s), a single process's RSS, which costs next to nothing, every `interval`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

import psutil

# The benchmark's own processes, measured beside the system's and never counted as part of it.
CLIENT, SAMPLER, TRIVIAL_APP = "benchmark client", "benchmark monitor", "trivial app"
HARNESS = (CLIENT, SAMPLER, TRIVIAL_APP)


@dataclass
class Usage:
    cpu_seconds: float = 0.0
    peak_rss_mb: float = 0.0


def _group(process: psutil.Process) -> list[psutil.Process]:
    try:
        return [process, *process.children(recursive=True)]
    except psutil.Error:
        return [process]


def _cpu(process: psutil.Process, with_children: bool) -> float:
    """CPU seconds of a process, and of its live and reaped children if `with_children`."""
    total = 0.0
    members = _group(process) if with_children else [process]
    for member in members:
        try:
            times = member.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
        if member is process and with_children:
            total += times.children_user + times.children_system
    return total


def proportional_mb(process: psutil.Process, with_children: bool) -> float:
    """PSS: the process's private pages and its share of each page it maps with others.

    Summed over the system, every page counts once: PostgreSQL's shared buffers, and the code of
    the libraries the five Python services load from the same files (about 25 MB in each).
    """
    total = 0
    for member in _group(process) if with_children else [process]:
        try:
            total += member.memory_full_info().pss
        except (psutil.Error, AttributeError):
            try:
                total += member.memory_info().rss
            except psutil.Error:
                pass
    return total / 2**20


def _memory_mb(process: psutil.Process, with_children: bool) -> float:
    """What the scenarios' peaks record: RSS of a single process, PSS of a group (PostgreSQL)."""
    if with_children:
        return proportional_mb(process, with_children=True)
    try:
        return float(process.memory_info().rss) / 2**20
    except psutil.Error:
        return 0.0


@dataclass
class Monitor:
    """Samples memory in a thread; CPU seconds are differences of snapshots."""

    processes: dict[str, psutil.Process]
    interval: float = 0.5
    groups: frozenset[str] = frozenset({"postgresql"})
    # A group's PSS moves slowly (shared buffers fill, backends come and go) and is dear to read.
    group_interval: float = 2.0
    peaks: dict[str, float] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.processes = {**self.processes, CLIENT: psutil.Process(os.getpid())}
        self._sampler: subprocess.Popen[str] | None = None

    def start(self) -> Monitor:
        self._sampler = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.monitor"],
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.processes[SAMPLER] = psutil.Process(self._sampler.pid)
        self._thread = threading.Thread(target=self._run, name="bench-monitor", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        if self._sampler is not None:
            assert self._sampler.stdin is not None
            self._sampler.stdin.close()
            self._sampler.wait(5)

    def _run(self) -> None:
        sampler = self._sampler
        assert sampler is not None and sampler.stdin is not None and sampler.stdout is not None
        groups_read = time.monotonic()
        while not self._stop.wait(self.interval):
            pids = {name: p.pid for name, p in dict(self.processes).items()}
            if time.monotonic() - groups_read >= self.group_interval:
                groups_read = time.monotonic()
            else:
                pids = {name: pid for name, pid in pids.items() if name not in self.groups}
            asked = {"pids": pids, "groups": sorted(self.groups)}
            try:
                sampler.stdin.write(json.dumps(asked) + "\n")
                sampler.stdin.flush()
                now: dict[str, float] = json.loads(sampler.stdout.readline())
            except (OSError, ValueError):
                return  # the sampler is gone: the run is ending
            self._record(now)

    def _record(self, now: dict[str, float]) -> None:
        with self._lock:
            for name, mb in now.items():
                self.peaks[name] = max(self.peaks.get(name, 0.0), mb)

    def sample(self) -> dict[str, float]:
        """Memory of every process now, taken here (between scenarios, and for the idle footprint)."""
        now = {name: _memory_mb(p, name in self.groups) for name, p in dict(self.processes).items()}
        self._record(now)
        return now

    def proportional(self) -> dict[str, float]:
        """PSS of every process now (PostgreSQL as its group): the footprint's measure."""
        return {name: proportional_mb(p, name in self.groups) for name, p in dict(self.processes).items()}

    def cpu(self) -> dict[str, float]:
        return {name: _cpu(p, name in self.groups) for name, p in self.processes.items()}

    def window(self) -> Window:
        """A measurement window: CPU from now until `close()`, memory peaks within it."""
        with self._lock:
            self.peaks = {}
        self.sample()
        return Window(self, self.cpu(), time.monotonic(), _machine_cpu())


def _machine_cpu() -> float:
    times = psutil.cpu_times()
    return float(times.user + times.system + times.nice + times.irq + times.softirq + getattr(times, "steal", 0.0))


@dataclass
class Window:
    monitor: Monitor
    cpu_at_start: dict[str, float]
    started: float
    machine_at_start: float
    usage: dict[str, Usage] = field(default_factory=dict)
    seconds: float = 0.0
    # CPU seconds of the whole machine, and of processes that are not ours (other work on the host).
    machine_cpu_seconds: float = 0.0
    foreign_cpu_seconds: float = 0.0

    def close(self) -> Window:
        self.monitor.sample()
        self.seconds = time.monotonic() - self.started
        cpu_now = self.monitor.cpu()
        with self.monitor._lock:
            peaks = dict(self.monitor.peaks)
        self.usage = {
            name: Usage(
                cpu_seconds=max(0.0, cpu_now.get(name, 0.0) - self.cpu_at_start.get(name, 0.0)),
                peak_rss_mb=peaks.get(name, 0.0),
            )
            for name in self.monitor.processes
        }
        self.machine_cpu_seconds = _machine_cpu() - self.machine_at_start
        ours = sum(u.cpu_seconds for u in self.usage.values())
        self.foreign_cpu_seconds = max(0.0, self.machine_cpu_seconds - ours)
        return self


def _serve() -> None:
    """The sampler: for each line naming processes, a line with their memory in MB."""
    for line in sys.stdin:
        asked = json.loads(line)
        groups = set(asked["groups"])
        now = {}
        for name, pid in asked["pids"].items():
            try:
                now[name] = _memory_mb(psutil.Process(pid), name in groups)
            except psutil.Error:
                now[name] = 0.0
        print(json.dumps(now), flush=True)


if __name__ == "__main__":
    _serve()
