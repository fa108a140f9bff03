"""The gateway keeps the core contract the office and external dashboards rely on."""

from importlib.resources import files

import pytest
from graphql import (
    BreakingChangeType,
    DangerousChangeType,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
)

from gateway.config import Settings
from gateway.schema import build_schema as build_gateway_schema

CONTRACT = files("gateway.contract").joinpath("schema-core.graphql").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def gateway_sdl() -> str:
    return build_gateway_schema(Settings(introspection=True)).as_str()


def test_the_gateway_schema_has_no_breaking_change_against_the_core_contract(gateway_sdl: str) -> None:
    changes = find_breaking_changes(build_schema(CONTRACT), build_schema(gateway_sdl))
    assert [f"{c.type.name}: {c.description}" for c in changes] == []


def test_the_gateway_keeps_the_contract_default_values(gateway_sdl: str) -> None:
    dangerous = find_dangerous_changes(build_schema(CONTRACT), build_schema(gateway_sdl))
    # Added optional arguments and input fields are fine; changed defaults or enum values would change a meaning.
    additions = {DangerousChangeType.OPTIONAL_ARG_ADDED, DangerousChangeType.OPTIONAL_INPUT_FIELD_ADDED}
    meaningful = [c for c in dangerous if c.type not in additions]
    assert [f"{c.type.name}: {c.description}" for c in meaningful] == []


def test_the_contract_check_would_catch_a_removed_field(gateway_sdl: str) -> None:
    narrowed = gateway_sdl.replace("  currentStage: Stage\n", "")
    changes = find_breaking_changes(build_schema(CONTRACT), build_schema(narrowed))
    assert [(c.type, c.description) for c in changes] == [
        (BreakingChangeType.FIELD_REMOVED, "Field Municipality.currentStage was removed.")
    ]


def test_the_schema_keeps_its_shape_without_introspection() -> None:
    quiet = build_gateway_schema(Settings(introspection=False)).as_str()
    assert find_breaking_changes(build_schema(CONTRACT), build_schema(quiet)) == []


def test_introspection_is_switched_off_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_INTROSPECTION", "false")
    assert Settings().introspection is False
    assert Settings().serves_graphiql is False
