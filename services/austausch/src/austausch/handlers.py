"""The events austausch consumes: one table from event to handler."""

from austausch.events import MunicipalityRegistered, MunicipalityUpdated, TopicAdded, TopicUpdated
from austausch.municipalities import service as municipalities
from austausch.topics import service as topics
from zwk_common.messaging import EventContext, Handler, OneStatement


async def keep_municipality(event: MunicipalityRegistered, ctx: EventContext) -> bool:
    assert ctx.claim is not None, "a OneStatement handler is given its claim"
    return await municipalities.keep_municipality(ctx.session, event, ctx.claim)


async def keep_topic(event: TopicAdded, ctx: EventContext) -> None:
    await topics.keep_topic(ctx.session, event.key, event.label, event.parent)


EVENT_HANDLERS: dict[type, Handler] = {
    # The replica's row and the event's claim are one statement, without BEGIN and COMMIT.
    MunicipalityRegistered: OneStatement(keep_municipality),
    MunicipalityUpdated: OneStatement(keep_municipality),
    TopicAdded: keep_topic,
    TopicUpdated: keep_topic,
}
