"""The closed sets of the forum: statuses, kinds and target groups, with their German labels."""

from enum import StrEnum


class PracticeStatus(StrEnum):
    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"
    ARCHIVED = "ARCHIVED"


class ToolKind(StrEnum):
    """What kind of tool of the Werkzeugkoffer a practice is."""

    METHODE = "METHODE"
    KONZEPT = "KONZEPT"
    LEITFADEN = "LEITFADEN"
    PRAXISBEISPIEL = "PRAXISBEISPIEL"
    VORTRAG = "VORTRAG"


class Level(StrEnum):
    """Effort or cost, as a municipality judges it."""

    KEINER = "KEINER"
    GERING = "GERING"
    MITTEL = "MITTEL"
    HOCH = "HOCH"


class TargetGroup(StrEnum):
    KINDER = "kinder"
    JUGENDLICHE = "jugendliche"
    FAMILIEN = "familien"
    SENIOREN = "senioren"
    MIGRATION = "migration"
    BEHINDERUNG = "behinderung"
    EHRENAMTLICHE = "ehrenamtliche"
    FACHKRAEFTE = "fachkraefte"
    VERWALTUNG = "verwaltung"
    ALLE = "alle"


TARGET_GROUP_LABELS: dict[TargetGroup, str] = {
    TargetGroup.KINDER: "Kinder",
    TargetGroup.JUGENDLICHE: "Jugendliche",
    TargetGroup.FAMILIEN: "Familien",
    TargetGroup.SENIOREN: "Senior:innen",
    TargetGroup.MIGRATION: "Menschen mit Migrationsgeschichte",
    TargetGroup.BEHINDERUNG: "Menschen mit Behinderung",
    TargetGroup.EHRENAMTLICHE: "Ehrenamtliche",
    TargetGroup.FACHKRAEFTE: "Fachkräfte",
    TargetGroup.VERWALTUNG: "Verwaltung",
    TargetGroup.ALLE: "alle Bürger:innen",
}


class EntryKind(StrEnum):
    """What the search index holds."""

    PRACTICE = "practice"
    QUESTION = "question"


class ContentKind(StrEnum):
    """What can be reported and hidden."""

    PRACTICE = "practice"
    QUESTION = "question"
    ANSWER = "answer"
    COMMENT = "comment"


class FollowKind(StrEnum):
    TOPIC = "topic"
    PRACTICE = "practice"
    QUESTION = "question"


class ReportStatus(StrEnum):
    OPEN = "OPEN"
    HIDDEN = "HIDDEN"
    DISMISSED = "DISMISSED"


class ReportAction(StrEnum):
    HIDE = "HIDE"
    DISMISS = "DISMISS"
