"""The five stages of the process, in order, and the statuses a stage goes through."""

from enum import StrEnum


class Stage(StrEnum):
    KICK_OFF = "KICK_OFF"
    KOMMUNALPROFIL = "KOMMUNALPROFIL"
    ZUKUNFTSWERKSTATT = "ZUKUNFTSWERKSTATT"
    WERKSTATTPLAN = "WERKSTATTPLAN"
    ZWISCHENBILANZ = "ZWISCHENBILANZ"

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]

    @property
    def position(self) -> int:
        return STAGES_IN_ORDER.index(self)

    @property
    def previous(self) -> "Stage | None":
        return STAGES_IN_ORDER[self.position - 1] if self.position > 0 else None


class StageStatus(StrEnum):
    NOT_STARTED = "NOT_STARTED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"


STAGES_IN_ORDER: tuple[Stage, ...] = tuple(Stage)

STAGE_LABELS: dict[Stage, str] = {
    Stage.KICK_OFF: "Kick-Off",
    Stage.KOMMUNALPROFIL: "Kommunalprofil",
    Stage.ZUKUNFTSWERKSTATT: "Zukunftswerkstatt",
    Stage.WERKSTATTPLAN: "Werkstattplan",
    Stage.ZWISCHENBILANZ: "Zwischenbilanz",
}

STATUS_LABELS: dict[StageStatus, str] = {
    StageStatus.NOT_STARTED: "nicht begonnen",
    StageStatus.IN_PROGRESS: "in Arbeit",
    StageStatus.COMPLETED: "abgeschlossen",
}
