"""The events kommunen publishes: what other services need of a participant, no personal data."""

from uuid import UUID

from zwk_common.events import EventPayload


class MunicipalityRegistered(EventPayload):
    event_type = "zwk.kommunen.municipality.registered"
    version = 1

    municipality_id: UUID
    ags: str | None
    name: str
    kind: str
    bundesland: str
    population: int | None
    programmes: list[str]

    def ordering_key(self) -> str:
        return str(self.municipality_id)
