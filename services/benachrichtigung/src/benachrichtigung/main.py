"""The benachrichtigung app and how `zwk` runs it."""

from pathlib import Path

from fastapi import FastAPI

from benachrichtigung.config import Settings
from benachrichtigung.models import inbox, metadata, outbox
from zwk_common.registry import ServiceSpec
from zwk_common.service import ServiceDefinition, create_service_app

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        ServiceDefinition(
            name="benachrichtigung",
            settings=settings or Settings(),
            metadata=metadata,
            outbox=outbox,
            inbox=inbox,
            description="Notifications: inbox, e-mail, signed webhooks, digests, preferences.",
        )
    )


spec = ServiceSpec(
    name="benachrichtigung", app="benachrichtigung.main:create_app", port=8104, order=40, migrations=MIGRATIONS
)
