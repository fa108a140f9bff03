"""The kommunen app and how `zwk` runs it."""

from pathlib import Path

from fastapi import FastAPI

from kommunen.config import Settings
from kommunen.contacts.endpoints import router as contacts
from kommunen.models import REFERENCE_TABLES, metadata, outbox
from kommunen.municipalities.endpoints import router as municipalities
from kommunen.register.endpoints import router as register
from kommunen.topics.endpoints import router as topics
from zwk_common.registry import ServiceSpec
from zwk_common.service import ServiceDefinition, create_service_app

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        ServiceDefinition(
            name="kommunen",
            settings=settings or Settings(),
            routers=[municipalities, contacts, topics, register],
            metadata=metadata,
            outbox=outbox,
            description="Municipality records on the official register of German municipalities.",
        )
    )


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
