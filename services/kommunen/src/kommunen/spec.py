"""How `zwk` and the test plugin run kommunen: found through the `zwk.services` entry point
without importing the service itself (that takes seconds)."""

from pathlib import Path

from zwk_common.registry import ServiceSpec

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
# Loaded once per test session and kept between tests.
REFERENCE_TABLES = ("register_units", "register_imports", "topics")

spec = ServiceSpec(
    name="kommunen",
    app="kommunen.main:create_app",
    port=8101,
    order=10,
    migrations=MIGRATIONS,
    reference_tables=REFERENCE_TABLES,
    reference_data="kommunen.register:import_register",
    prepare="kommunen.seed:seed_participants",
    commands={"import-register": "kommunen.register:main"},
)
