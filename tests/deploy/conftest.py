"""What the deploy tests share: the repository, its services, and readers for Dockerfiles,
the compose file and the Kubernetes manifests. All offline: no container engine, no cluster."""

from __future__ import annotations

import importlib
import json
import shlex
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import AliasChoices

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str
    stage: str

    def exec_form(self) -> list[str]:
        """The JSON array of CMD/HEALTHCHECK CMD/ENTRYPOINT, or the shell words of the rest."""
        text = self.args
        if self.keyword == "HEALTHCHECK":
            text = text[text.index("CMD") + len("CMD") :].strip()
        if text.startswith("["):
            return [str(word) for word in json.loads(text)]
        return shlex.split(text)

    def variables(self) -> dict[str, str]:
        """The variables an ENV instruction sets (key=value form)."""
        return dict(word.split("=", 1) for word in shlex.split(self.args))


@dataclass
class Dockerfile:
    path: Path
    instructions: list[Instruction]
    # ARG defaults declared before the first FROM (usable in FROM lines).
    global_args: dict[str, str] = field(default_factory=dict)

    @property
    def stages(self) -> list[str]:
        return list(dict.fromkeys(i.stage for i in self.instructions if i.stage))

    def stage(self, name: str) -> list[Instruction]:
        return [i for i in self.instructions if i.stage == name]

    def all(self, keyword: str, stage: str | None = None) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword and (stage is None or i.stage == stage)]

    def one(self, keyword: str, stage: str) -> Instruction:
        found = self.all(keyword, stage)
        assert len(found) == 1, f"{self.path}: expected one {keyword} in stage {stage}, found {len(found)}"
        return found[0]

    def base_image(self, stage: str) -> str:
        image = next(i for i in self.instructions if i.keyword == "FROM" and i.stage == stage).args.split()[0]
        for name, value in self.global_args.items():
            image = image.replace("${" + name + "}", value)
        return image


def read_dockerfile(path: Path) -> Dockerfile:
    """The instructions of a Dockerfile, continuation lines joined, comments dropped."""
    logical: list[str] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and not pending):
            continue
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        logical.append((pending + line).strip())
        pending = ""
    assert not pending, f"{path}: a continuation line at the end"
    instructions: list[Instruction] = []
    global_args: dict[str, str] = {}
    stage = ""
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            words = args.split()
            named = len(words) >= 3 and words[1].upper() == "AS"
            stage = words[2] if named else str(len({i.stage for i in instructions}))
        elif keyword == "ARG" and not stage:
            name, _, default = args.partition("=")
            global_args[name] = default
        instructions.append(Instruction(keyword, args.strip(), stage))
    return Dockerfile(path, instructions, global_args)


def workspace_services() -> dict[str, str]:
    """Every service of the uv workspace: directory name -> package name."""
    found = {}
    for pyproject in sorted(REPO.glob("services/*/pyproject.toml")):
        found[pyproject.parent.name] = tomllib.loads(pyproject.read_text())["project"]["name"]
    return found


def load_yaml_documents(path: Path) -> Iterator[dict[str, Any]]:
    for document in yaml.safe_load_all(path.read_text()):
        if document:
            yield document


@dataclass(frozen=True)
class Manifest:
    path: Path
    document: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.document["kind"])

    @property
    def name(self) -> str:
        return str(self.document["metadata"]["name"])

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(K8S)}:{self.kind}/{self.name}"


def kubernetes_manifests() -> list[Manifest]:
    """Every Kubernetes object under deploy/k8s (not the kustomizations, not Helm values)."""
    manifests: list[Manifest] = []
    for path in sorted(K8S.rglob("*.yaml")):
        if path.name == "kustomization.yaml" or path.name.endswith("-values.yaml"):
            continue
        manifests.extend(Manifest(path, document) for document in load_yaml_documents(path))
    return manifests


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`service` runs a test once per workspace service, `manifest` once per Kubernetes object."""
    if "service" in metafunc.fixturenames:
        metafunc.parametrize("service", list(workspace_services()))
    if "manifest" in metafunc.fixturenames:
        found = kubernetes_manifests()
        metafunc.parametrize("manifest", found, ids=[m.id for m in found])


def settings_names(settings: type[Any]) -> set[str]:
    """The environment variables a pydantic-settings class reads (upper case)."""
    prefix = str(settings.model_config.get("env_prefix", ""))
    names = set()
    for field_name, info in settings.model_fields.items():
        alias = info.validation_alias
        if isinstance(alias, AliasChoices):
            names |= {choice.upper() for choice in alias.choices if isinstance(choice, str)}
        elif isinstance(alias, str):
            names.add(alias.upper())
        else:
            names.add((prefix + field_name).upper())
    return names


@pytest.fixture(scope="session")
def settings_read_by() -> dict[str, set[str]]:
    """Per service, the variables its Settings read; OpenTelemetry's own (OTEL_*) are checked apart."""
    return {name: settings_names(importlib.import_module(f"{name}.config").Settings) for name in workspace_services()}


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def services() -> dict[str, str]:
    found = workspace_services()
    assert found, "no service found in the workspace"
    return found


@pytest.fixture(scope="session")
def dockerfile() -> Callable[[Path], Dockerfile]:
    return read_dockerfile


@pytest.fixture(scope="session")
def compose() -> dict[str, Any]:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def manifests() -> list[Manifest]:
    return kubernetes_manifests()
