"""The kommunen app and how `zwk` runs it."""

from pathlib import Path

from fastapi import FastAPI

from kommunen.config import Settings
from kommunen.endpoints import router
from kommunen.models import metadata, outbox
from zwk_common.registry import ServiceSpec
from zwk_common.service import ServiceDefinition, create_service_app

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        ServiceDefinition(
            name="kommunen",
            settings=settings or Settings(),
            routers=[router],
            metadata=metadata,
            outbox=outbox,
            description="Municipality records on the official register of German municipalities.",
        )
    )


spec = ServiceSpec(name="kommunen", app="kommunen.main:create_app", port=8101, order=10, migrations=MIGRATIONS)
