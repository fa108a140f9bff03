"""The events prozess consumes: one table from event to handler."""

from prozess.events import MunicipalityRegistered, MunicipalityState, MunicipalityUpdated
from prozess.process import service
from zwk_common.messaging import EventContext, Handler, OneStatement


async def keep_participant(event: MunicipalityState, ctx: EventContext) -> bool:
    assert ctx.claim is not None, "a OneStatement handler is given its claim"
    return await service.keep_municipality(ctx.session, event, ctx.envelope.time, ctx.claim)


EVENT_HANDLERS: dict[type, Handler] = {
    # The replica, the processes and the event's claim: one statement, without BEGIN and COMMIT.
    MunicipalityRegistered: OneStatement(keep_participant),
    MunicipalityUpdated: OneStatement(keep_participant),
}
