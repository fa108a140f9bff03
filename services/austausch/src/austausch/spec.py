"""How `zwk` and the test plugin run austausch: found through the `zwk.services` entry point
without importing the service itself (that takes seconds)."""

from pathlib import Path

from zwk_common.registry import ServiceSpec

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"

spec = ServiceSpec(
    name="austausch",
    app="austausch.main:create_app",
    port=8103,
    order=30,
    migrations=MIGRATIONS,
    reference_tables=("topics",),
)
