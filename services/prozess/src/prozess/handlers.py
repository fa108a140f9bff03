"""The events prozess consumes: one table from event to handler."""

from prozess import service
from prozess.events import MunicipalityRegistered
from zwk_common.messaging import EventContext, Handler


async def open_processes_for_participant(event: MunicipalityRegistered, ctx: EventContext) -> None:
    await service.open_processes(
        ctx.session,
        {
            "id": event.municipality_id,
            "ags": event.ags,
            "name": event.name,
            "kind": event.kind,
            "bundesland": event.bundesland,
            "population": event.population,
            "programmes": event.programmes,
        },
        event.programmes,
    )


EVENT_HANDLERS: dict[type, Handler] = {
    MunicipalityRegistered: open_processes_for_participant,
}
