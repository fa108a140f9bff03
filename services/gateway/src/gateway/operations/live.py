"""Subscriptions: live process and forum events from NATS, filtered by what the subscriber may see."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry.types import Info

from gateway.context import Context
from gateway.errors import FORBIDDEN, GatewayError
from gateway.types.common import (
    Stage,
    StageStatus,
    as_datetime,
    as_id,
)
from gateway.types.exchange import Practice
from gateway.types.process import ProcessEvent
from zwk_common.auth import Caller, Role


def visible_municipalities(caller: Caller) -> frozenset[str] | None:
    """Whose process events a caller may follow; None means every municipality's."""
    if caller.role in (Role.OFFICE, Role.READER):
        return None
    return caller.assigned()


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Stages that start, complete, reopen or fall overdue, as they happen.")
    async def process_events(
        self, info: Info[Context, None], municipality_id: strawberry.ID | None = None
    ) -> AsyncGenerator[ProcessEvent, None]:
        context = info.context
        visible = visible_municipalities(context.caller)
        wanted = as_id(municipality_id, "municipalityId") if municipality_id is not None else None
        if wanted is not None and visible is not None and wanted not in visible:
            raise GatewayError("The caller may not follow this municipality's process.", FORBIDDEN)
        assert context.hub is not None
        async with context.hub.listen(context.hub.subject("zwk.prozess.stage.>")) as events:
            while True:
                envelope = await events.get()
                data = envelope.data
                municipality = str(data.get("municipality_id"))
                if (wanted is not None and municipality != wanted) or (
                    visible is not None and municipality not in visible
                ):
                    continue
                try:
                    event = ProcessEvent(
                        municipality_id=municipality,
                        stage=Stage(data["stage"]),
                        status=StageStatus(data["status"]),
                        at=as_datetime(data.get("at")) or envelope.time,
                        kind=envelope.type.rsplit(".", 1)[-1],
                        programme=data.get("programme"),
                    )
                except (KeyError, ValueError):
                    continue  # an event this gateway cannot read is not the subscriber's problem
                context.forget_loaded()
                yield event

    @strawberry.subscription(description="Practices as they are published, on any of these topics (or on any).")
    async def practice_published(
        self, info: Info[Context, None], topics: list[str] | None = None
    ) -> AsyncGenerator[Practice, None]:
        context = info.context
        context.caller  # noqa: B018 - only a signed-in caller follows the forum
        wanted = set(topics or ())
        assert context.hub is not None
        async with context.hub.listen(context.hub.subject("zwk.austausch.practice.published")) as events:
            while True:
                envelope = await events.get()
                data = envelope.data
                if wanted and not wanted & set(data.get("topics") or ()):
                    continue
                try:
                    practice = Practice.from_service(data)
                except KeyError:
                    continue
                context.forget_loaded()
                yield practice
