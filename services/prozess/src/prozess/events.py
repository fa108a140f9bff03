"""The events prozess consumes (its own reading of them) and publishes."""

from uuid import UUID

from zwk_common.events import EventPayload


class MunicipalityRegistered(EventPayload):
    """kommunen's event, read for the fields prozess keeps."""

    event_type = "zwk.kommunen.municipality.registered"

    municipality_id: UUID
    ags: str | None = None
    name: str
    kind: str
    bundesland: str
    population: int | None = None
    programmes: list[str]
