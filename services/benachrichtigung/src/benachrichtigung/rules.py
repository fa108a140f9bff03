"""Who is told what: the kinds of notification and the one table from event to recipients and text.

Read a rule as: when <event> arrives, tell <audience> (except whoever caused it) a notification
of <kind> with this German title and body. Rules of one event are applied in order and a person
is told of an event once, so the first rule that reaches someone chooses their text (the author
of a practice reads "Ihr Praxisbeispiel", a follower of it the general text).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from string import Template
from typing import Any

from benachrichtigung.events import (
    AnswerAccepted,
    AnswerAdded,
    AnswerHidden,
    CommentAdded,
    CommentHidden,
    MeasureAdded,
    MeasureStatusChanged,
    PracticeAdopted,
    PracticeHidden,
    PracticePublished,
    QuestionAsked,
    QuestionHidden,
    ReportFiled,
    StageCompleted,
    StageOverdue,
    StageReopened,
    StageStarted,
)
from zwk_common.events import EventPayload


class Frequency(StrEnum):
    IMMEDIATELY = "immediately"
    DAILY = "daily"
    WEEKLY = "weekly"
    NEVER = "never"


class Channel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


@dataclass(frozen=True)
class Kind:
    """A kind of notification: what a person sets a channel and frequency for."""

    key: str
    label: str
    email_default: Frequency
    # A digest line for one and for several notifications on one item.
    digest_one: str
    digest_many: str


KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        Kind(
            "stage_progress",
            "Fortschritt der Prozessschritte",
            Frequency.IMMEDIATELY,
            "Eine Änderung an den Prozessschritten von ${item_title}",
            "${count} Änderungen an den Prozessschritten von ${item_title}",
        ),
        Kind(
            "stage_overdue",
            "Überfällige Prozessschritte",
            Frequency.IMMEDIATELY,
            "Ein überfälliger Prozessschritt in ${item_title}",
            "${count} überfällige Prozessschritte in ${item_title}",
        ),
        Kind(
            "measure",
            "Maßnahmen des Werkstattplans",
            Frequency.DAILY,
            "Eine Neuigkeit zu den Maßnahmen von ${item_title}",
            "${count} Neuigkeiten zu den Maßnahmen von ${item_title}",
        ),
        Kind(
            "practice_published",
            "Neue Praxisbeispiele zu gefolgten Handlungsfeldern",
            Frequency.DAILY,
            "Neues Praxisbeispiel: „${item_title}“",
            "Neues Praxisbeispiel: „${item_title}“",
        ),
        Kind(
            "question_asked",
            "Neue Fragen zu gefolgten Handlungsfeldern",
            Frequency.DAILY,
            "Neue Frage: „${item_title}“",
            "Neue Frage: „${item_title}“",
        ),
        Kind(
            "comment",
            "Kommentare",
            Frequency.DAILY,
            "Ein neuer Kommentar zu „${item_title}“",
            "${count} neue Kommentare zu „${item_title}“",
        ),
        Kind(
            "answer",
            "Antworten",
            Frequency.DAILY,
            "Eine neue Antwort auf „${item_title}“",
            "${count} neue Antworten auf „${item_title}“",
        ),
        Kind(
            "answer_accepted",
            "Angenommene Antworten",
            Frequency.DAILY,
            "Ihre Antwort auf „${item_title}“ wurde angenommen",
            "${count} Ihrer Antworten auf „${item_title}“ wurden angenommen",
        ),
        Kind(
            "adoption",
            "Übernahmen Ihrer Praxisbeispiele",
            Frequency.DAILY,
            "Eine Kommune übernimmt „${item_title}“",
            "${count} Kommunen übernehmen „${item_title}“",
        ),
        Kind(
            "moderation",
            "Moderation Ihrer Beiträge",
            Frequency.IMMEDIATELY,
            "Ein Beitrag wurde ausgeblendet: ${item_title}",
            "${count} Beiträge wurden ausgeblendet: ${item_title}",
        ),
        Kind(
            "report",
            "Meldungen im Austausch",
            Frequency.IMMEDIATELY,
            "Eine neue Meldung: ${item_title}",
            "${count} neue Meldungen: ${item_title}",
        ),
    )
}


# --- audiences: who a rule reaches -----------------------------------------------------------


@dataclass(frozen=True)
class Office:
    """Everyone on the office's user list, and the office's webhook endpoints."""


@dataclass(frozen=True)
class MunicipalityTeam:
    """The contacts and advisers of the municipality named in `field`, and its webhook endpoints."""

    field: str


@dataclass(frozen=True)
class Person:
    """The one person whose subject is in `field` (e.g. the author of what was commented)."""

    field: str


@dataclass(frozen=True)
class Followers:
    """Everyone following a topic, practice or question named in `field` (one id or a list)."""

    target_kind: str
    field: str


Audience = Office | MunicipalityTeam | Person | Followers


@dataclass(frozen=True)
class Item:
    """What a notification is about, for grouping in digests and linking."""

    kind: str
    id_field: str
    title_field: str


@dataclass(frozen=True)
class Rule:
    event: type[EventPayload]
    audience: tuple[Audience, ...]
    kind: str
    title: str
    body: str
    item: Item
    link: str
    # Fields naming whoever caused the event: they are not told of their own doing.
    actors: tuple[str, ...] = ()
    municipality_field: str | None = "municipality_id"


MUNICIPALITY = Item("municipality", "municipality_id", "municipality_name")
PRACTICE = Item("practice", "practice_id", "title")
QUESTION = Item("question", "question_id", "title")
PROCESS_LINK = "/kommunen/${municipality_id}/prozess"
PRACTICE_LINK = "/austausch/praxisbeispiele/${practice_id}"
QUESTION_LINK = "/austausch/fragen/${question_id}"
TEAM = MunicipalityTeam("municipality_id")

RULES: tuple[Rule, ...] = (
    # --- prozess: the office hears of every stage event, a municipality's team of its own
    Rule(
        StageStarted,
        (Office(), TEAM),
        "stage_progress",
        "${municipality_name}: „${stage_label}“ begonnen",
        "${municipality_name} hat im Programm ${programme} den Prozessschritt „${stage_label}“ begonnen.",
        MUNICIPALITY,
        PROCESS_LINK,
        actors=("actor",),
    ),
    Rule(
        StageCompleted,
        (Office(), TEAM),
        "stage_progress",
        "${municipality_name}: „${stage_label}“ abgeschlossen",
        "${municipality_name} hat im Programm ${programme} den Prozessschritt „${stage_label}“ abgeschlossen.",
        MUNICIPALITY,
        PROCESS_LINK,
        actors=("actor",),
    ),
    Rule(
        StageReopened,
        (Office(), TEAM),
        "stage_progress",
        "${municipality_name}: „${stage_label}“ wieder geöffnet",
        "Der Prozessschritt „${stage_label}“ von ${municipality_name} (${programme}) wurde wieder geöffnet."
        "${reason_sentence}",
        MUNICIPALITY,
        PROCESS_LINK,
        actors=("actor",),
    ),
    Rule(
        StageOverdue,
        (Office(), TEAM),
        "stage_overdue",
        "${municipality_name}: „${stage_label}“ ist überfällig",
        "Der Prozessschritt „${stage_label}“ von ${municipality_name} (${programme}) sollte bis ${due_date_label} "
        "abgeschlossen sein und ist es noch nicht.",
        MUNICIPALITY,
        PROCESS_LINK,
    ),
    Rule(
        MeasureAdded,
        (TEAM,),
        "measure",
        "${municipality_name}: neue Maßnahme „${title}“",
        "Im Werkstattplan von ${municipality_name} steht eine neue Maßnahme: „${title}“ (${status_label}).",
        MUNICIPALITY,
        PROCESS_LINK,
        actors=("actor",),
    ),
    Rule(
        MeasureStatusChanged,
        (TEAM,),
        "measure",
        "${municipality_name}: Maßnahme „${title}“ ist jetzt ${status_label}",
        "Die Maßnahme „${title}“ von ${municipality_name} hat den Status „${status_label}“ "
        "(vorher „${previous_status_label}“).",
        MUNICIPALITY,
        PROCESS_LINK,
        actors=("actor",),
    ),
    # A ticked checklist item is too small to tell anyone of: the stage events carry the progress.
    # --- austausch: followers of a topic hear of what is published on it
    Rule(
        PracticePublished,
        (Followers("topic", "topics"),),
        "practice_published",
        "Neues Praxisbeispiel: „${title}“",
        "${municipality_name} hat das Praxisbeispiel „${title}“ veröffentlicht (${topics_label}). ${summary_text}",
        PRACTICE,
        PRACTICE_LINK,
        actors=("author_subject", "actor"),
    ),
    Rule(
        QuestionAsked,
        (Followers("topic", "topics"),),
        "question_asked",
        "Neue Frage: „${title}“",
        "Im Austausch wurde eine Frage zu ${topics_label} gestellt: „${title}“.",
        QUESTION,
        QUESTION_LINK,
        actors=("author_subject",),
    ),
    # --- comments and answers: the author and the team of what was commented, then its followers
    Rule(
        CommentAdded,
        (Person("practice_author_subject"), MunicipalityTeam("practice_municipality_id")),
        "comment",
        "Neuer Kommentar zu Ihrem Praxisbeispiel „${practice_title}“",
        "${author_label} hat Ihr Praxisbeispiel „${practice_title}“ kommentiert: „${excerpt}“",
        Item("practice", "practice_id", "practice_title"),
        PRACTICE_LINK,
        actors=("author_subject",),
        municipality_field="practice_municipality_id",
    ),
    Rule(
        CommentAdded,
        (Followers("practice", "practice_id"),),
        "comment",
        "Neuer Kommentar zu „${practice_title}“",
        "${author_label} hat das Praxisbeispiel „${practice_title}“ kommentiert: „${excerpt}“",
        Item("practice", "practice_id", "practice_title"),
        PRACTICE_LINK,
        actors=("author_subject",),
        municipality_field="practice_municipality_id",
    ),
    Rule(
        AnswerAdded,
        (Person("question_author_subject"), MunicipalityTeam("question_municipality_id")),
        "answer",
        "Neue Antwort auf Ihre Frage „${question_title}“",
        "Auf Ihre Frage „${question_title}“ gibt es eine neue Antwort.",
        Item("question", "question_id", "question_title"),
        QUESTION_LINK,
        actors=("author_subject",),
        municipality_field="question_municipality_id",
    ),
    Rule(
        AnswerAdded,
        (Followers("question", "question_id"),),
        "answer",
        "Neue Antwort auf „${question_title}“",
        "Auf die Frage „${question_title}“ gibt es eine neue Antwort.",
        Item("question", "question_id", "question_title"),
        QUESTION_LINK,
        actors=("author_subject",),
        municipality_field="question_municipality_id",
    ),
    Rule(
        AnswerAccepted,
        (Person("author_subject"), MunicipalityTeam("municipality_id")),
        "answer_accepted",
        "Ihre Antwort auf „${question_title}“ wurde angenommen",
        "Ihre Antwort auf die Frage „${question_title}“ wurde als hilfreichste Antwort angenommen.",
        Item("question", "question_id", "question_title"),
        QUESTION_LINK,
        actors=("question_author_subject",),
    ),
    Rule(
        PracticeAdopted,
        (Person("author_subject"), TEAM),
        "adoption",
        "Ihr Praxisbeispiel „${title}“ wird übernommen",
        "Eine weitere Kommune übernimmt Ihr Praxisbeispiel „${title}“.",
        PRACTICE,
        PRACTICE_LINK,
        actors=("actor",),
    ),
    # --- moderation: the author and the team of the hidden content; reports go to the office
    Rule(
        PracticeHidden,
        (Person("author_subject"), TEAM),
        "moderation",
        "Ihr Praxisbeispiel „${title}“ wurde ausgeblendet",
        "Die Moderation hat Ihr Praxisbeispiel „${title}“ ausgeblendet.${reason_sentence}",
        PRACTICE,
        PRACTICE_LINK,
        actors=("actor",),
    ),
    Rule(
        QuestionHidden,
        (Person("author_subject"), TEAM),
        "moderation",
        "Ihre Frage wurde ausgeblendet",
        "Die Moderation hat Ihre Frage im Austausch ausgeblendet.${reason_sentence}",
        Item("question", "target_id", "kind_label"),
        "/austausch/fragen/${target_id}",
    ),
    Rule(
        AnswerHidden,
        (Person("author_subject"), TEAM),
        "moderation",
        "Ihre Antwort wurde ausgeblendet",
        "Die Moderation hat Ihre Antwort im Austausch ausgeblendet.${reason_sentence}",
        Item("answer", "target_id", "kind_label"),
        "/austausch",
    ),
    Rule(
        CommentHidden,
        (Person("author_subject"), TEAM),
        "moderation",
        "Ihr Kommentar wurde ausgeblendet",
        "Die Moderation hat Ihren Kommentar im Austausch ausgeblendet.${reason_sentence}",
        Item("comment", "target_id", "kind_label"),
        "/austausch",
    ),
    Rule(
        ReportFiled,
        (Office(),),
        "report",
        "Neue Meldung: ${target_kind_label}",
        "Ein Beitrag (${target_kind_label}) wurde gemeldet.${reason_sentence} Bitte prüfen Sie ihn.",
        Item("report", "target_kind", "target_kind_label"),
        "/austausch/moderation",
        municipality_field=None,
    ),
)


def rules_for(event_type: str) -> list[Rule]:
    return [rule for rule in RULES if rule.event.event_type == event_type]


# --- the words a person reads -----------------------------------------------------------------

STAGE_LABELS = {
    "KICK_OFF": "Kick-Off",
    "KOMMUNALPROFIL": "Kommunalprofil",
    "ZUKUNFTSWERKSTATT": "Zukunftswerkstatt",
    "WERKSTATTPLAN": "Werkstattplan",
    "ZWISCHENBILANZ": "Zwischenbilanz",
}
MEASURE_STATUS_LABELS = {
    "PLANNED": "geplant",
    "IN_PROGRESS": "in Umsetzung",
    "DONE": "umgesetzt",
    "COMPLETED": "umgesetzt",
    "PAUSED": "pausiert",
    "ON_HOLD": "pausiert",
    "CANCELLED": "verworfen",
    "DROPPED": "verworfen",
}
CONTENT_LABELS = {
    "practice": "Praxisbeispiel",
    "question": "Frage",
    "answer": "Antwort",
    "comment": "Kommentar",
}
TOPIC_LABELS = {
    "oeffentlichkeitsarbeit": "Öffentlichkeitsarbeit",
    "wohnen": "Wohnen",
    "kooperation": "Intra- und interkommunale Kooperationen",
    "digitalisierung": "Digitalisierung",
    "demokratiefoerderung": "Demokratieförderung",
    "buergerbeteiligung": "Bürgerbeteiligung",
    "engagement": "Bürgerschaftliches Engagement",
    "begegnung": "Begegnung, Beratung, Selbsthilfe",
    "foerdermittel": "Fördermittel",
    "gesundheit-pflege": "Gesundheit und Pflege",
    "arbeit-wirtschaft": "Arbeit und Wirtschaft",
    "demografiestrategie": "Demografiestrategie",
    "integration": "Integration",
    "mobilitaet": "Mobilität",
    "nahversorgung": "Nahversorgung",
    "wohnumfeld": "Wohnumfeld und Ortsmitte",
    "sicherheit": "Sicherheit",
    "leben-im-alter": "Leben im Alter",
    "kinder-jugend-familie": "Kinder, Jugend und Familie",
    "bildung": "Bildung",
    "kultur-freizeit": "Kultur und Freizeit",
    "fachkraefte": "Fachkräftesicherung",
    "leerstand": "Leerstand und Innenentwicklung",
}


def facts(event: EventPayload) -> dict[str, str]:
    """The event's fields as text, with the German labels the templates use."""
    values: dict[str, Any] = event.model_dump(mode="json")
    text = {key: "" if value is None else str(value) for key, value in values.items() if not isinstance(value, list)}
    stage = str(values.get("stage") or "")
    text["stage_label"] = STAGE_LABELS.get(stage, stage)
    for key in ("status", "previous_status"):
        raw = str(values.get(key) or "")
        text[f"{key}_label"] = MEASURE_STATUS_LABELS.get(raw, raw.lower().replace("_", " ") or "neu")
    due = getattr(event, "due_date", None)
    text["due_date_label"] = due.strftime("%d.%m.%Y") if due else "zum geplanten Termin"
    reason = values.get("reason")
    text["reason_sentence"] = f" Grund: {reason.strip().rstrip('.')}." if reason and reason.strip() else ""
    topics = values.get("topics") or []
    text["topics_label"] = ", ".join(TOPIC_LABELS.get(t, t) for t in topics) or "ohne Handlungsfeld"
    text["summary_text"] = values.get("summary") or ""
    text["author_label"] = values.get("author_name") or "Jemand"
    excerpt = values.get("body_excerpt") or ""
    text["excerpt"] = excerpt if len(excerpt) <= 280 else excerpt[:279] + "…"
    target_kind = str(values.get("target_kind") or "")
    text["target_kind_label"] = CONTENT_LABELS.get(target_kind, target_kind or "Beitrag")
    kind_of_hidden = event.event_type.split(".")[2] if event.event_type.endswith(".hidden") else ""
    text["kind_label"] = CONTENT_LABELS.get(kind_of_hidden, "Beitrag")
    return text


@dataclass(frozen=True)
class Message:
    """A rule applied to one event: the text every recipient of that rule reads."""

    rule: Rule
    kind: str
    title: str
    body: str
    link: str
    item_kind: str
    item_id: str
    item_title: str
    municipality_id: str | None


def _clip(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def render(rule: Rule, event: EventPayload) -> Message:
    words = facts(event)
    municipality = words.get(rule.municipality_field or "", "") or None
    return Message(
        rule=rule,
        kind=rule.kind,
        title=_clip(Template(rule.title).substitute(words), 300),
        body=Template(rule.body).substitute(words).strip(),
        link=_clip(Template(rule.link).substitute(words), 500),
        item_kind=rule.item.kind,
        item_id=_clip(words.get(rule.item.id_field, ""), 200),
        item_title=_clip(words.get(rule.item.title_field, ""), 300),
        municipality_id=municipality,
    )


def digest_line(kind: str, count: int, item_title: str) -> str:
    known = KINDS.get(kind)
    if known is None:
        return f"{count} × {item_title}"
    template = known.digest_one if count == 1 else known.digest_many
    return Template(template).substitute(count=count, item_title=item_title)
