"""The images: one Dockerfile pattern for every service, installed from the lock the tests ran with.

No container engine runs here, so the build stage of each Dockerfile is replayed on the host:
its COPY steps (through .dockerignore) and its `uv sync` steps run in a folder standing for
/app, with the uv of the Makefile; then the image's CMD and HEALTHCHECK run from there.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from zwk_common.db import asyncpg_dsn
from zwk_common.embedded import free_port
from zwk_common.testing import eventually

REPO = Path(__file__).resolve().parents[2]
UV = REPO / ".tools" / "bin" / "uv"
MIGRATE_DOCKERFILE = REPO / "deploy" / "migrate" / "Dockerfile"
SERVE = ["python", "-m", "zwk_common.serve"]
# Flags that choose which locked packages go into the image; anything else could change
# what gets installed compared with `make install`.
SELECTING_FLAGS = {"--no-dev", "--package", "--no-install-workspace", "--all-packages"}


def makefile_uv_version() -> str:
    match = re.search(r"^UV_VERSION\s*:=\s*(\S+)", (REPO / "Makefile").read_text(), re.MULTILINE)
    assert match, "the Makefile pins no UV_VERSION"
    return match.group(1)


def makefile_install_words() -> list[str]:
    """The `uv sync` command of `make install`."""
    lines = (REPO / "Makefile").read_text().splitlines()
    recipe = lines[lines.index("install: $(UV)") + 1]
    return shlex.split(recipe.strip())


def uv_sync_runs(dockerfile: Any) -> list[list[str]]:
    """The words of every `uv sync` RUN of the build stage, without BuildKit's --mount options."""
    runs = []
    for run in dockerfile.all("RUN", "build"):
        words = [w for w in shlex.split(run.args) if not w.startswith("--mount=")]
        if words[:2] == ["uv", "sync"]:
            runs.append(words)
    return runs


def dockerignore() -> tuple[list[str], list[str]]:
    """(paths let into the build context, names left out anywhere below them)."""
    allowed, left_out = [], []
    for line in (REPO / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or line == "*":
            continue
        if line.startswith("!"):
            allowed.append(line[1:].rstrip("/"))
        elif line.startswith("**/"):
            left_out.append(line[3:].rstrip("/"))
        else:
            pytest.fail(f".dockerignore: the replay does not know the pattern {line!r}")
    return allowed, left_out


def on_host(root: Path, container_path: str, workdir: str) -> Path:
    absolute = container_path if container_path.startswith("/") else f"{workdir.rstrip('/')}/{container_path}"
    return root / absolute.lstrip("/")


def replay_build(dockerfile: Any, root: Path) -> dict[str, str]:
    """Run the build stage into `root` (standing for the image's /); return the runtime stage's env."""
    allowed, left_out = dockerignore()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV", "PYTHONPATH"))}
    args = dict(dockerfile.global_args)
    workdir = "/"
    for step in dockerfile.stage("build"):
        if step.keyword == "FROM":
            continue
        if step.keyword == "ARG":
            name, _, default = step.args.partition("=")
            args[name] = default
        elif step.keyword == "ENV":
            for name, value in step.variables().items():
                env[name] = str(on_host(root, value, workdir)) if value.startswith("/") else value
        elif step.keyword == "WORKDIR":
            workdir = step.args
            on_host(root, workdir, "/").mkdir(parents=True, exist_ok=True)
        elif step.keyword == "COPY":
            *sources, destination = step.exec_form()
            for source in sources:
                assert any(source == a or source.startswith(a + "/") for a in allowed), (
                    f"{dockerfile.path}: COPY {source} is outside the build context .dockerignore lets in"
                )
                origin, target = REPO / source, on_host(root, destination, workdir)
                if origin.is_dir():
                    shutil.copytree(origin, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns(*left_out))
                else:
                    if destination.endswith("/") or len(sources) > 1:
                        target = target / origin.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(origin, target)
        elif step.keyword == "RUN":
            words = [w for w in shlex.split(step.args) if not w.startswith("--mount=")]
            if words[:2] == ["pip", "install"]:
                wanted = words[-1].replace("${UV_VERSION}", args["UV_VERSION"])
                installed = subprocess.run([UV, "--version"], capture_output=True, text=True, check=True).stdout
                assert wanted == "uv==" + installed.split()[1], f"the image installs {wanted}, the Makefile {installed}"
            elif words[:2] == ["uv", "sync"]:
                # Same command, same lock; only how files land differs (links, no bytecode, no network).
                faster = {"UV_LINK_MODE": "hardlink", "UV_COMPILE_BYTECODE": "0", "UV_OFFLINE": "1"}
                # The image has one python3.11 on PATH; here it is the one under the test venv.
                python = {"UV_PYTHON": getattr(sys, "_base_executable", sys.executable)}
                subprocess.run(
                    [str(UV), *words[1:], "--quiet"],
                    cwd=on_host(root, workdir, "/"),
                    env={**env, **faster, **python},
                    check=True,
                )
            else:
                pytest.fail(f"{dockerfile.path}: the replay does not know RUN {step.args}")
        else:
            pytest.fail(f"{dockerfile.path}: the replay does not know {step.keyword} in the build stage")
    runtime_env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV", "PYTHONPATH"))}
    for step in dockerfile.all("ENV", "runtime"):
        for name, value in step.variables().items():
            value = value.replace("$PATH", runtime_env.get("PATH", ""))
            runtime_env[name] = ":".join(
                str(on_host(root, part, "/")) if part.startswith("/app") else part for part in value.split(":")
            )
    return runtime_env


# Run by the image's python: which services it registers, which distributions at which
# versions, and which top-level modules the code imports that the image cannot find.
PROBE = """
import ast, importlib.metadata as m, importlib.util, json, pathlib, sys
missing = {}
for root in sys.argv[1:]:
    for path in pathlib.Path(root).rglob("*.py"):
        if "testing" in path.parts:  # the pytest plugin of zwk_common, loaded only by pytest
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for top in {name.split(".")[0] for name in names} - set(sys.stdlib_module_names):
                if importlib.util.find_spec(top) is None:
                    missing.setdefault(top, []).append(str(path))
print(json.dumps({
    "services": sorted(e.name for e in m.entry_points(group="zwk.services")),
    "distributions": {d.metadata["Name"].lower(): d.version for d in m.distributions()},
    "missing": missing,
}))
"""


@dataclass(frozen=True)
class Replayed:
    dockerfile: Any
    env: dict[str, str]
    app: Path

    def probe(self, *source_roots: str) -> dict[str, Any]:
        roots = [str(self.app / root) for root in source_roots]
        out = subprocess.run(
            ["python", "-c", PROBE, *roots], env=self.env, cwd=self.app, capture_output=True, text=True, check=True
        )
        return json.loads(out.stdout)  # type: ignore[no-any-return]

    def command(self, port: int) -> list[str]:
        loopback = {"8000": str(port), "0.0.0.0": "127.0.0.1"}
        return [loopback.get(word, word) for word in self.dockerfile.one("CMD", "runtime").exec_form()]

    def health_check(self, port: int) -> list[str]:
        check = self.dockerfile.one("HEALTHCHECK", "runtime").exec_form()
        return [word.replace(":8000/", f":{port}/") for word in check]

    async def run(self, command: list[str], **env: str) -> int:
        """Run a command of the image as the container would; its exit code."""
        process = await asyncio.create_subprocess_exec(
            *command,
            env={**self.env, **env},
            cwd=self.app,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, errors = await asyncio.wait_for(process.communicate(), timeout=120)
        if process.returncode:
            print(errors.decode(errors="replace")[-2000:])
        return process.returncode or 0


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory, services: dict[str, str], dockerfile: Any) -> dict[str, Replayed]:
    """Every service's image and the migrations image, replayed once for this module (in parallel)."""
    assert UV.is_file(), "run `make install` first: the replay uses the Makefile's uv"
    files = {name: REPO / "services" / name / "Dockerfile" for name in services}
    files["migrate"] = MIGRATE_DOCKERFILE

    # Made here, not in the threads: pytest creates its temporary base folder on first use, and
    # three threads doing that at once collide.
    roots = {name: tmp_path_factory.mktemp(f"image-{name}") for name in files}

    def replay(name: str) -> Replayed:
        image = dockerfile(files[name])
        root = roots[name]
        env = replay_build(image, root)
        return Replayed(image, env, on_host(root, image.one("WORKDIR", "runtime").args, "/"))

    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(zip(files, pool.map(replay, files), strict=True))


def test_every_service_has_a_dockerfile_of_the_one_pattern(services, repo) -> None:  # type: ignore[no-untyped-def]
    texts = {}
    for name in services:
        path = repo / "services" / name / "Dockerfile"
        assert path.is_file(), f"services/{name} has no Dockerfile"
        texts[name] = path.read_text().replace(name, "<service>")
    first = next(iter(texts))
    differing = [name for name, text in texts.items() if text != texts[first]]
    assert not differing, f"these Dockerfiles depart from the pattern of services/{first}: {differing}"


def test_the_image_is_multi_stage_slim_non_root_with_a_health_check(service, services, repo, dockerfile) -> None:  # type: ignore[no-untyped-def]
    image = dockerfile(repo / "services" / service / "Dockerfile")
    assert image.stages == ["build", "runtime"]
    for stage in image.stages:
        assert re.fullmatch(r"python:3\.11(\.\d+)?-slim(-\w+)?", image.base_image(stage)), image.base_image(stage)
    # The runtime stage takes only what the build stage installed: no compilers, no uv, no lock.
    assert all(c.args.startswith("--from=build ") for c in image.all("COPY", "runtime"))
    user = image.one("USER", "runtime").args.split(":")[0]
    assert user.isdigit() and int(user) != 0, "the image must run as a numeric non-root user"
    check = image.one("HEALTHCHECK", "runtime").exec_form()
    assert check[:2] == ["python", "-c"] and "http://127.0.0.1:8000/healthz" in check[2]
    assert image.one("CMD", "runtime").exec_form() == [*SERVE, service, "--host", "0.0.0.0", "--port", "8000"]
    assert image.one("EXPOSE", "runtime").args == "8000"


def test_the_image_installs_only_its_service_and_libs_common(service, services, repo, dockerfile) -> None:  # type: ignore[no-untyped-def]
    image = dockerfile(repo / "services" / service / "Dockerfile")
    sources = [word for c in image.all("COPY", "build") for word in c.exec_form()[:-1]]
    own = (f"services/{service}/", "libs/common/")
    foreign = [s for s in sources if s not in ("pyproject.toml", "uv.lock") and not (s + "/").startswith(own)]
    assert not foreign, f"the image of {service} copies {foreign}"
    for words in uv_sync_runs(image):
        assert words[words.index("--package") + 1] == services[service]


@pytest.mark.parametrize("path", ["services/*/Dockerfile", "deploy/migrate/Dockerfile"])
def test_every_image_installs_with_the_uv_and_the_lock_of_make_install(path, repo, dockerfile) -> None:  # type: ignore[no-untyped-def]
    make_install = makefile_install_words()
    assert make_install[1:3] == ["sync", "--frozen"], "make install no longer syncs the frozen lock"
    for file in sorted(repo.glob(path)):
        image = dockerfile(file)
        uv_version = next(a.args for a in image.all("ARG", "build") if a.args.startswith("UV_VERSION="))
        assert uv_version == f"UV_VERSION={makefile_uv_version()}", f"{file}: another uv than the Makefile's"
        assert any(c.exec_form()[:-1] == ["pyproject.toml", "uv.lock"] for c in image.all("COPY", "build")), (
            f"{file}: the lock is not the repository's"
        )
        runs = uv_sync_runs(image)
        assert runs, f"{file}: no uv sync"
        for words in runs:
            assert "--frozen" in words, f"{file}: {shlex.join(words)} may re-resolve"
            flags = {w for w in words[2:] if w.startswith("--")} - {"--frozen"}
            assert flags <= SELECTING_FLAGS, f"{file}: {flags - SELECTING_FLAGS} differ from make install"
        assert "--no-install-workspace" not in runs[-1], f"{file}: the last sync must install the code too"


def test_the_image_holds_its_service_alone_at_the_tested_versions_with_every_import_found(  # type: ignore[no-untyped-def]
    service, images
) -> None:
    found = images[service].probe("libs/common/src", f"services/{service}/src")
    assert found["services"] == [service]
    tested = {d.metadata["Name"].lower(): d.version for d in importlib.metadata.distributions()}
    differing = {n: (v, tested.get(n)) for n, v in found["distributions"].items() if tested.get(n) != v}
    assert not differing, f"the image would run other versions than the tests: {differing}"
    assert not found["missing"], f"the code imports what the image of {service} lacks: {found['missing']}"


async def test_every_image_starts_its_service_and_its_health_check_tells_up_from_down(  # type: ignore[no-untyped-def]
    services, images, zwk_clean
) -> None:
    ports = {name: free_port() for name in services}
    processes = {
        name: await asyncio.create_subprocess_exec(
            *images[name].command(ports[name]),
            env={**images[name].env, **zwk_clean},
            cwd=images[name].app,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        for name in services
    }
    try:
        async with httpx.AsyncClient(timeout=2) as client:

            async def all_ready() -> bool:
                for name, process in processes.items():
                    assert process.returncode is None, f"{name} exited with {process.returncode}"
                    try:
                        if (await client.get(f"http://127.0.0.1:{ports[name]}/readyz")).status_code != 200:
                            return False
                    except httpx.TransportError:
                        return False
                return True

            await eventually(all_ready, timeout=60, interval=0.2)
        for name in services:
            assert await images[name].run(images[name].health_check(ports[name])) == 0, f"{name} reported unhealthy"
    finally:
        for process in processes.values():
            if process.returncode is None:
                process.terminate()
        for process in processes.values():
            await asyncio.wait_for(process.wait(), timeout=15)
    for name in services:
        down = await images[name].run(images[name].health_check(ports[name]))
        assert down != 0, f"the health check of {name} passed with the service stopped"


async def test_the_migrations_image_migrates_an_empty_database(services, images, zwk_postgres) -> None:  # type: ignore[no-untyped-def]
    migrate = images["migrate"]
    assert migrate.dockerfile.stages == ["build", "runtime"]
    found = migrate.probe("libs/common/src", *(f"services/{name}/src" for name in services))
    assert found["services"] == sorted(services)
    assert not found["missing"], f"the migrations image lacks: {found['missing']}"

    name = f"zwk_migrate_{uuid.uuid4().hex[:12]}"
    server = await asyncpg.connect(asyncpg_dsn(zwk_postgres))
    try:
        await server.execute(f'CREATE DATABASE "{name}"')
        url = make_url(zwk_postgres).set(database=name).render_as_string(hide_password=False)
        command = migrate.dockerfile.one("CMD", "runtime").exec_form()
        assert await migrate.run(command, ZWK_DATABASE_URL=url) == 0
        database = await asyncpg.connect(asyncpg_dsn(url))
        try:
            rows = await database.fetch(
                "SELECT table_schema FROM information_schema.tables WHERE table_name = 'alembic_version'"
            )
        finally:
            await database.close()
        with_migrations = {p.parent.name for p in REPO.glob("services/*/migrations")}
        assert {row["table_schema"] for row in rows} == with_migrations
    finally:
        await server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await server.close()
