"""The events kommunen publishes: what other services need of a participant, no more personal data."""

from uuid import UUID

from zwk_common.events import EventPayload


class _MunicipalityState(EventPayload):
    """The full current state of a participant, so a consumer never needs a second source."""

    municipality_id: UUID
    ags: str | None
    member_keys: list[str]
    name: str
    kind: str
    bundesland: str
    population: int | None
    urbanisation: int | None
    kreis_key: str | None
    latitude: float | None
    longitude: float | None
    programmes: list[str]
    zwk_cluster: str | None
    topics: list[str]
    adviser_subjects: list[str]

    def ordering_key(self) -> str:
        return str(self.municipality_id)


class MunicipalityRegistered(_MunicipalityState):
    event_type = "zwk.kommunen.municipality.registered"
    version = 1


class MunicipalityUpdated(_MunicipalityState):
    event_type = "zwk.kommunen.municipality.updated"
    version = 1


class _ContactState(EventPayload):
    municipality_id: UUID
    contact_id: UUID
    name: str
    function: str | None
    email: str | None
    subject: str | None

    def ordering_key(self) -> str:
        return str(self.municipality_id)


class ContactAdded(_ContactState):
    event_type = "zwk.kommunen.contact.added"
    version = 1


class ContactChanged(_ContactState):
    event_type = "zwk.kommunen.contact.changed"
    version = 1


class ContactRemoved(EventPayload):
    """Every consumer erases its copy of the person (right to erasure)."""

    event_type = "zwk.kommunen.contact.removed"
    version = 1

    municipality_id: UUID
    contact_id: UUID

    def ordering_key(self) -> str:
        return str(self.municipality_id)


class TopicAdded(EventPayload):
    event_type = "zwk.kommunen.topic.added"
    version = 1

    key: str
    label: str
    parent: str | None


class TopicUpdated(EventPayload):
    event_type = "zwk.kommunen.topic.updated"
    version = 1

    key: str
    label: str
    parent: str | None


CONTACT_EVENT_TYPES = (ContactAdded.event_type, ContactChanged.event_type)
