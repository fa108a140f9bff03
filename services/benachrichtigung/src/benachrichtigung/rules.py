"""Who is told what: the kinds of notification and the one table from event to recipients and text.

Read a rule as: when <event> arrives, tell <audience> (except whoever caused it) a notification
of <kind> with this German title and body. Rules of one event are applied in order and a person
is told of an event once, so the first rule that reaches someone chooses their text (the author
of a practice reads "Ihr Praxisbeispiel", a follower of it the general text).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

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
