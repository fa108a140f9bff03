"""The events prozess consumes: one table from event to handler."""

from prozess.events import MunicipalityRegistered, MunicipalityState, MunicipalityUpdated
from prozess.process import service
from zwk_common.messaging import EventContext, Handler


async def keep_participant(event: MunicipalityState, ctx: EventContext) -> None:
    await service.keep_municipality(ctx.session, event, ctx.envelope.time)


EVENT_HANDLERS: dict[type, Handler] = {
    MunicipalityRegistered: keep_participant,
    MunicipalityUpdated: keep_participant,
}
