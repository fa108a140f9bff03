"""The austausch app and how `zwk` runs it."""

from pathlib import Path

from fastapi import FastAPI

from austausch.config import Settings
from austausch.models import inbox, metadata, outbox
from zwk_common.registry import ServiceSpec
from zwk_common.service import ServiceDefinition, create_service_app

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        ServiceDefinition(
            name="austausch",
            settings=settings or Settings(),
            metadata=metadata,
            outbox=outbox,
            inbox=inbox,
            description="The exchange forum: practices, questions, German search, comparable municipalities.",
        )
    )


spec = ServiceSpec(name="austausch", app="austausch.main:create_app", port=8103, order=30, migrations=MIGRATIONS)
