"""The closed word lists of the process, each with the German label people read."""

from enum import StrEnum


class Programme(StrEnum):
    DWK = "DWK"
    ZWK = "ZWK"
    DAKS = "DAKS"


# Which process is "the" process of a municipality in more than one programme: `main` in a path,
# and `main` on every process read, which the gateway follows.
MAIN_PROGRAMME_FIRST = (Programme.ZWK, Programme.DAKS, Programme.DWK)


class SwotKind(StrEnum):
    STRENGTH = "STRENGTH"
    WEAKNESS = "WEAKNESS"
    OPPORTUNITY = "OPPORTUNITY"
    THREAT = "THREAT"


class MeasureStatus(StrEnum):
    PLANNED = "PLANNED"
    RUNNING = "RUNNING"
    DONE = "DONE"
    DROPPED = "DROPPED"


class TargetGroup(StrEnum):
    """Zielgruppen of measures, and the groups a participation event reached."""

    KINDER = "kinder"
    JUGENDLICHE = "jugendliche"
    FAMILIEN = "familien"
    SENIORINNEN = "seniorinnen"
    MIGRATIONSGESCHICHTE = "migrationsgeschichte"
    BEHINDERUNG = "behinderung"
    EHRENAMTLICHE = "ehrenamtliche"
    FACHKRAEFTE = "fachkraefte"
    UNTERNEHMEN = "unternehmen"
    VERWALTUNG = "verwaltung"
    ALLE = "alle"


class ParticipationFormat(StrEnum):
    BUERGERDIALOG = "buergerdialog"
    WORKSHOP = "workshop"
    ZUKUNFTSWERKSTATT = "zukunftswerkstatt"
    BEFRAGUNG = "befragung"
    BEGEHUNG = "begehung"
    ONLINE = "online"
    INFORMATIONSVERANSTALTUNG = "informationsveranstaltung"
    SONSTIGES = "sonstiges"


LABELS: dict[str, dict[str, str]] = {
    "swot_kind": {
        SwotKind.STRENGTH: "Stärke",
        SwotKind.WEAKNESS: "Schwäche",
        SwotKind.OPPORTUNITY: "Chance",
        SwotKind.THREAT: "Risiko",
    },
    "measure_status": {
        MeasureStatus.PLANNED: "geplant",
        MeasureStatus.RUNNING: "in Umsetzung",
        MeasureStatus.DONE: "umgesetzt",
        MeasureStatus.DROPPED: "verworfen",
    },
    "target_group": {
        TargetGroup.KINDER: "Kinder",
        TargetGroup.JUGENDLICHE: "Jugendliche",
        TargetGroup.FAMILIEN: "Familien",
        TargetGroup.SENIORINNEN: "Senior:innen",
        TargetGroup.MIGRATIONSGESCHICHTE: "Menschen mit Migrationsgeschichte",
        TargetGroup.BEHINDERUNG: "Menschen mit Behinderung",
        TargetGroup.EHRENAMTLICHE: "Ehrenamtliche",
        TargetGroup.FACHKRAEFTE: "Fachkräfte",
        TargetGroup.UNTERNEHMEN: "Unternehmen",
        TargetGroup.VERWALTUNG: "Verwaltung",
        TargetGroup.ALLE: "alle Generationen",
    },
    "participation_format": {
        ParticipationFormat.BUERGERDIALOG: "Bürgerdialog",
        ParticipationFormat.WORKSHOP: "Workshop",
        ParticipationFormat.ZUKUNFTSWERKSTATT: "Zukunftswerkstatt",
        ParticipationFormat.BEFRAGUNG: "Befragung",
        ParticipationFormat.BEGEHUNG: "Quartiersbegehung",
        ParticipationFormat.ONLINE: "Online-Beteiligung",
        ParticipationFormat.INFORMATIONSVERANSTALTUNG: "Informationsveranstaltung",
        ParticipationFormat.SONSTIGES: "sonstiges Format",
    },
}

# Indicators the programme's guidance names; any other key needs its own label.
KNOWN_INDICATORS: dict[str, str] = {
    "population": "Einwohnerzahl",
    "population-change-10y": "Bevölkerungsentwicklung der letzten zehn Jahre (%)",
    "share-under-18": "Anteil der unter 18-Jährigen (%)",
    "share-65-plus": "Anteil der 65-Jährigen und Älteren (%)",
    "share-80-plus": "Anteil der 80-Jährigen und Älteren (%)",
    "average-age": "Durchschnittsalter (Jahre)",
    "migration-balance": "Wanderungssaldo (Personen je Jahr)",
    "births": "Geburten je Jahr",
    "share-migration-background": "Anteil der Menschen mit Migrationsgeschichte (%)",
}
