"""The five stages of the process, in order."""

from enum import StrEnum


class Stage(StrEnum):
    KICK_OFF = "KICK_OFF"
    KOMMUNALPROFIL = "KOMMUNALPROFIL"
    ZUKUNFTSWERKSTATT = "ZUKUNFTSWERKSTATT"
    WERKSTATTPLAN = "WERKSTATTPLAN"
    ZWISCHENBILANZ = "ZWISCHENBILANZ"


class StageStatus(StrEnum):
    NOT_STARTED = "NOT_STARTED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"


STAGES_IN_ORDER: tuple[Stage, ...] = tuple(Stage)
