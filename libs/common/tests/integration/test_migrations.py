"""Every service's migrations go up, all the way down and up again, and leave nothing behind.

A downgrade is what an operator runs when a release goes back; one never run is one that
fails on the day it is needed.
"""

import asyncio

import pytest
from alembic.script import ScriptDirectory

from zwk_common.cli import main as zwk
from zwk_common.migrations import alembic_config, downgrade, upgrade
from zwk_common.registry import ServiceSpec, discover
from zwk_common.testing import fetch

MIGRATED = [spec for spec in discover() if spec.migrations is not None]


def _relations(database_url: str, schema: str) -> set[str]:
    """Tables, views, sequences, indexes, types and functions of `schema`, but alembic's version table."""
    rows = asyncio.run(
        fetch(
            database_url,
            """
            SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = $1 AND c.relname NOT IN ('alembic_version', 'alembic_version_pkc')
            UNION ALL
            SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE n.nspname = $1 AND t.typtype IN ('e', 'd')
            UNION ALL
            SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1
            """,
            schema,
        )
    )
    return {row["name"] for row in rows}


def test_every_service_has_migrations() -> None:
    assert {spec.name for spec in MIGRATED} >= {"kommunen", "prozess", "austausch", "benachrichtigung"}


@pytest.mark.parametrize("spec", MIGRATED, ids=lambda spec: spec.name)
def test_migrations_go_down_to_nothing_and_up_again_to_the_same_schema(
    spec: ServiceSpec, zwk_empty_database: str
) -> None:
    assert spec.migrations is not None
    upgrade(spec.migrations, zwk_empty_database)
    migrated = _relations(zwk_empty_database, spec.name)
    assert migrated, f"{spec.name}'s migrations made nothing in schema {spec.name}"

    downgrade(spec.migrations, zwk_empty_database)
    assert _relations(zwk_empty_database, spec.name) == set()

    upgrade(spec.migrations, zwk_empty_database)
    assert _relations(zwk_empty_database, spec.name) == migrated


def _version(database_url: str, schema: str) -> str | None:
    rows = asyncio.run(fetch(database_url, f'SELECT version_num FROM "{schema}".alembic_version'))
    return rows[0]["version_num"] if rows else None


def test_the_operator_takes_one_service_back_and_forward_with_zwk_migrate(
    zwk_empty_database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (austausch,) = (spec for spec in MIGRATED if spec.name == "austausch")
    assert austausch.migrations is not None
    head = ScriptDirectory.from_config(alembic_config(austausch.migrations, zwk_empty_database)).get_current_head()
    monkeypatch.setenv("ZWK_DATABASE_URL", zwk_empty_database)
    assert zwk(["migrate", "--service", "austausch"]) == 0
    assert _version(zwk_empty_database, "austausch") == head
    assert not _relations(zwk_empty_database, "kommunen")  # only the service named

    assert zwk(["migrate", "--service", "austausch", "--down-to", "0001"]) == 0
    assert _version(zwk_empty_database, "austausch") == "0001"
    assert "austausch's schema is back at revision 0001" in capsys.readouterr().out

    # Refused, and nothing changes: going back names its one service, and only a known one.
    assert zwk(["migrate", "--down-to", "base"]) == 2
    assert "name it with --service" in capsys.readouterr().err
    assert zwk(["migrate", "--service", "nirgendwo", "--down-to", "base"]) == 2
    assert "no migrations of 'nirgendwo'" in capsys.readouterr().err
    assert _version(zwk_empty_database, "austausch") == "0001"

    assert zwk(["migrate", "--service", "austausch"]) == 0
    assert _version(zwk_empty_database, "austausch") == head
