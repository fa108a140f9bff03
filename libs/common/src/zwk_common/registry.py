"""The services of this installation, found through the `zwk.services` entry point group."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ServiceSpec:
    """How to run one service: its app factory, port, migrations and set-up steps."""

    name: str
    app: str  # "package.main:create_app", an app factory
    port: int
    order: int = 50
    migrations: Path | None = None
    # Tables of reference data that a test run keeps between tests (loaded once).
    reference_tables: tuple[str, ...] = ()
    # "package.module:function", an async function(database_url) that loads the
    # reference data (e.g. an official register) after migrating; run by `zwk up`
    # and once per test session; it must be idempotent.
    reference_data: str | None = None
    # "package.module:function", an async function(database_url) that `zwk up`
    # runs after the reference data (seeds for a demo system); idempotent.
    prepare: str | None = None
    # Extra `zwk` sub-commands: name -> "package.module:main" taking argv.
    commands: dict[str, str] = field(default_factory=dict)

    def load_prepare(self) -> Callable[[str], Coroutine[Any, Any, None]] | None:
        return _load(self.prepare) if self.prepare else None

    def load_reference_data(self) -> Callable[[str], Coroutine[Any, Any, None]] | None:
        return _load(self.reference_data) if self.reference_data else None


def _load(path: str) -> Any:
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


def discover() -> list[ServiceSpec]:
    """Every installed service, in start order."""
    specs = [entry.load() for entry in entry_points(group="zwk.services")]
    return sorted((s for s in specs if isinstance(s, ServiceSpec)), key=lambda s: (s.order, s.name))


def find(name: str) -> ServiceSpec | None:
    """One installed service by name, importing only that service."""
    for entry in entry_points(group="zwk.services"):
        if entry.name == name:
            spec = entry.load()
            if isinstance(spec, ServiceSpec) and spec.name == name:
                return spec
    return next((spec for spec in discover() if spec.name == name), None)


def load_command(path: str) -> Callable[[list[str]], int | None]:
    return _load(path)  # type: ignore[no-any-return]
