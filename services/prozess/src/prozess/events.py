"""The events prozess consumes (its own reading of them) and the events it publishes."""

from datetime import date, datetime
from uuid import UUID

from prozess.stages import Stage, StageStatus
from prozess.vocabulary import MeasureStatus
from zwk_common.events import EventPayload

# --- consumed: kommunen's participants, read for the fields prozess keeps ---


class MunicipalityState(EventPayload):
    """A participant as kommunen announces it: the full current state, never a diff."""

    municipality_id: UUID
    ags: str | None = None
    name: str
    kind: str
    bundesland: str
    population: int | None = None
    programmes: list[str] = []


class MunicipalityRegistered(MunicipalityState):
    event_type = "zwk.kommunen.municipality.registered"


class MunicipalityUpdated(MunicipalityState):
    event_type = "zwk.kommunen.municipality.updated"


# --- published ---


class _OfMunicipality(EventPayload):
    municipality_id: UUID

    def ordering_key(self) -> str:
        return str(self.municipality_id)


class _StageChanged(_OfMunicipality):
    municipality_name: str
    programme: str
    stage: Stage
    status: StageStatus
    due_date: date | None
    at: datetime
    actor: str | None
    reason: str | None = None


class StageStarted(_StageChanged):
    event_type = "zwk.prozess.stage.started"


class StageCompleted(_StageChanged):
    event_type = "zwk.prozess.stage.completed"


class StageReopened(_StageChanged):
    event_type = "zwk.prozess.stage.reopened"


class StageOverdue(_StageChanged):
    event_type = "zwk.prozess.stage.overdue"


class _MeasureChanged(_OfMunicipality):
    municipality_name: str
    programme: str
    measure_id: UUID
    title: str
    topic: str
    status: MeasureStatus
    previous_status: MeasureStatus | None
    actor: str | None


class MeasureAdded(_MeasureChanged):
    event_type = "zwk.prozess.measure.added"


class MeasureStatusChanged(_MeasureChanged):
    event_type = "zwk.prozess.measure.status_changed"


class ChecklistItemChecked(_OfMunicipality):
    event_type = "zwk.prozess.checklist.item_checked"

    programme: str
    stage: Stage
    key: str
    done: bool
    actor: str | None
