"""The events austausch consumes: one table from event to handler."""

from austausch.events import MunicipalityRegistered, MunicipalityUpdated, TopicAdded, TopicUpdated
from austausch.municipalities import service as municipalities
from austausch.topics import service as topics
from zwk_common.messaging import EventContext, Handler


async def keep_municipality(event: MunicipalityRegistered, ctx: EventContext) -> None:
    await municipalities.keep_municipality(ctx.session, event)


async def keep_topic(event: TopicAdded, ctx: EventContext) -> None:
    await topics.keep_topic(ctx.session, event.key, event.label, event.parent)


EVENT_HANDLERS: dict[type, Handler] = {
    MunicipalityRegistered: keep_municipality,
    MunicipalityUpdated: keep_municipality,
    TopicAdded: keep_topic,
    TopicUpdated: keep_topic,
}
