"""The guidance of each stage (DAKS) as data: what a municipality records before a stage completes.

An item is required or optional and holds evidence of one kind. Most items are ticked by hand; a few
follow from the data recorded in prozess itself (SWOT items, participation events, ideas, measures),
so nobody keeps the same fact twice.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from prozess.stages import Stage


class EvidenceKind(StrEnum):
    TEXT = "TEXT"
    LINK = "LINK"
    DATE = "DATE"
    NUMBER = "NUMBER"


@dataclass(frozen=True)
class ProcessFacts:
    """What the recorded data of one process says, for the items that follow from it."""

    swot_kinds: int = 0
    participation_events: int = 0
    ideas: int = 0
    measures: int = 0
    incomplete_measures: int = 0


@dataclass(frozen=True)
class ChecklistItemDefinition:
    key: str
    label: str
    required: bool
    evidence: EvidenceKind
    # For an item that follows from data: (done, the count shown as its evidence).
    derived: Callable[[ProcessFacts], tuple[bool, float]] | None = None

    @property
    def is_derived(self) -> bool:
        return self.derived is not None


def _swot_complete(facts: ProcessFacts) -> tuple[bool, float]:
    return facts.swot_kinds == 4, facts.swot_kinds


def _participation_held(facts: ProcessFacts) -> tuple[bool, float]:
    return facts.participation_events >= 1, facts.participation_events


def _ideas_collected(facts: ProcessFacts) -> tuple[bool, float]:
    return facts.ideas >= 1, facts.ideas


def _measures_complete(facts: ProcessFacts) -> tuple[bool, float]:
    return facts.measures >= 1 and facts.incomplete_measures == 0, facts.measures - facts.incomplete_measures


def _item(
    key: str,
    label: str,
    evidence: EvidenceKind = EvidenceKind.TEXT,
    *,
    required: bool = True,
    derived: Callable[[ProcessFacts], tuple[bool, float]] | None = None,
) -> ChecklistItemDefinition:
    return ChecklistItemDefinition(key=key, label=label, required=required, evidence=evidence, derived=derived)


T, L, D, N = EvidenceKind.TEXT, EvidenceKind.LINK, EvidenceKind.DATE, EvidenceKind.NUMBER

CHECKLISTS: dict[Stage, tuple[ChecklistItemDefinition, ...]] = {
    Stage.KICK_OFF: (
        _item("kick-off-date", "Termin der Kick-Off-Veranstaltung", D),
        _item("invited-by-head", "Einladung durch die Verwaltungsspitze", T),
        _item(
            "participants-by-actor-type",
            "Teilnehmende nach Akteursgruppen (Verwaltung, Politik, Zivilgesellschaft, Wirtschaft)",
            T,
        ),
        _item("agreed-goals", "Vereinbarte Ziele", T),
        _item("agreed-next-steps", "Vereinbarte nächste Schritte", T),
        _item("steering-group", "Lenkungsgruppe eingerichtet", T, required=False),
        _item("kick-off-documentation", "Dokumentation des Kick-Offs", L, required=False),
    ),
    Stage.KOMMUNALPROFIL: (
        _item("statistical-section", "Statistischer Teil (Bevölkerung, Altersstruktur, Wanderung)", L),
        _item("inventory-of-measures", "Bestandsaufnahme vorhandener Maßnahmen und Planungen", T),
        _item("interviews-held", "Interviews mit Schlüsselpersonen geführt (Anzahl)", N),
        _item(
            "swot-analysis",
            "SWOT-Analyse: Stärken, Schwächen, Chancen und Risiken erfasst",
            N,
            derived=_swot_complete,
        ),
        _item("reflection-workshop", "Reflexionsworkshop zum Kommunalprofil", D, required=False),
    ),
    Stage.ZUKUNFTSWERKSTATT: (
        _item(
            "participation-event",
            "Mindestens ein Beteiligungsformat durchgeführt",
            N,
            derived=_participation_held,
        ),
        _item("prioritised-topics", "Handlungsfelder priorisiert", T),
        _item("measure-ideas", "Maßnahmenideen gesammelt", N, derived=_ideas_collected),
        _item("workshop-documentation", "Dokumentation der Zukunftswerkstatt", L),
    ),
    Stage.WERKSTATTPLAN: (
        _item(
            "measures-complete",
            "Jede Maßnahme vollständig beschrieben (Handlungsfeld, Ziel, Verantwortliche, Zeitraum, Budget,"
            " Finanzierung, Zielgruppen)",
            N,
            derived=_measures_complete,
        ),
        _item("plan-adopted", "Werkstattplan verabschiedet", D),
        _item("council-resolution", "Ratsbeschluss zum Werkstattplan", D, required=False),
    ),
    Stage.ZWISCHENBILANZ: (
        _item("review-event", "Bilanzveranstaltung durchgeführt", D),
        _item("barriers-and-enablers", "Hemmnisse und Gelingensfaktoren festgehalten", T),
        _item("plan-updated", "Werkstattplan fortgeschrieben", D),
        _item("continuation-measures", "Maßnahmen zur Verstetigung benannt", T),
    ),
}


# The stages with an item that follows from the recorded data: only their checklists need the facts.
STAGES_WITH_DERIVED_ITEMS = frozenset(stage for stage, items in CHECKLISTS.items() if any(i.is_derived for i in items))


def definition(stage: Stage, key: str) -> ChecklistItemDefinition | None:
    return next((item for item in CHECKLISTS[stage] if item.key == key), None)


# What makes a Werkstattplan measure complete (item "measures-complete"), with the German names of the fields.
MEASURE_REQUIRED_FIELDS: dict[str, str] = {
    "goal": "Ziel",
    "responsible": "Verantwortliche",
    "period_start": "Beginn",
    "period_end": "Ende",
    "budget_eur": "Budget",
    "funding_source": "Finanzierung",
    "target_groups": "Zielgruppen",
}
