"""The austausch app; how `zwk` runs it is in `austausch.spec`."""

from fastapi import FastAPI

from austausch.comments.endpoints import router as comments
from austausch.config import Settings
from austausch.follows.endpoints import router as follows
from austausch.handlers import EVENT_HANDLERS
from austausch.models import inbox, metadata, outbox
from austausch.moderation.endpoints import router as moderation
from austausch.municipalities.endpoints import router as municipalities
from austausch.practices.endpoints import router as practices
from austausch.questions.endpoints import router as questions
from austausch.search.endpoints import router as search
from austausch.topics.endpoints import router as topics
from zwk_common.service import ServiceDefinition, create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        ServiceDefinition(
            name="austausch",
            settings=settings or Settings(),
            routers=[practices, questions, comments, search, municipalities, topics, follows, moderation],
            metadata=metadata,
            outbox=outbox,
            inbox=inbox,
            handlers=EVENT_HANDLERS,
            description="The exchange forum: practices, questions, German search, comparable municipalities.",
        )
    )


# The topics are seeded by the first migration and kept from kommunen's events: reference
# data that a test run keeps between tests.
