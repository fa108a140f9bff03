"""The kommunen app; how `zwk` runs it is in `kommunen.spec`."""

from fastapi import FastAPI

from kommunen.config import Settings
from kommunen.contacts.endpoints import router as contacts
from kommunen.models import metadata, outbox
from kommunen.municipalities.endpoints import router as municipalities
from kommunen.register.endpoints import router as register
from kommunen.topics.endpoints import router as topics
from zwk_common.service import ServiceDefinition, create_service_app


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
