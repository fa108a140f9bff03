"""How `zwk` and the test plugin run benachrichtigung: found through the `zwk.services` entry point
without importing the service itself (that takes seconds)."""

from pathlib import Path

from zwk_common.registry import ServiceSpec

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"

spec = ServiceSpec(
    name="benachrichtigung", app="benachrichtigung.main:create_app", port=8104, order=40, migrations=MIGRATIONS
)
