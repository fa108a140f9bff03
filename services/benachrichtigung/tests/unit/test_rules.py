"""The rules table: every rule speaks German about its event; defaults; digest lines."""

import uuid
from datetime import UTC, date, datetime

import pytest

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
from benachrichtigung.rules import KINDS, RULES, Frequency, rules_for
from benachrichtigung.texts import digest_line, render
from zwk_common.events import EventPayload

RIESA = uuid.uuid4()
STAGE = {
    "municipality_id": RIESA,
    "municipality_name": "Riesa",
    "programme": "ZWK",
    "stage": "WERKSTATTPLAN",
    "status": "IN_PROGRESS",
    "due_date": date(2024, 6, 30),
    "at": datetime(2024, 7, 1, tzinfo=UTC),
    "actor": "riesa-staff",
    "reason": "Neue Maßnahmen aus der Bürgerwerkstatt",
}
MEASURE = {
    "municipality_id": RIESA,
    "municipality_name": "Riesa",
    "programme": "ZWK",
    "measure_id": "m1",
    "title": "Bürgerbus",
    "topic": "mobilitaet",
    "status": "IN_PROGRESS",
    "previous_status": "PLANNED",
    "actor": "riesa-staff",
}
PRACTICE = {
    "practice_id": "p1",
    "municipality_id": RIESA,
    "municipality_name": "Riesa",
    "title": "Nachbarschaftsbörse",
    "summary": "Nachbarn helfen Nachbarn.",
    "topics": ["engagement", "leben-im-alter"],
    "author_subject": "riesa-author",
    "actor": "office-anna",
    "reason": "Enthält Telefonnummern",
    "adopter_municipality_id": str(uuid.uuid4()),
}
ANSWER = {
    "question_id": "q1",
    "answer_id": "a1",
    "question_title": "Wie gewinnen wir Ehrenamtliche?",
    "question_author_subject": "riesa-author",
    "question_municipality_id": RIESA,
    "author_subject": "dortmund-deniz",
    "municipality_id": uuid.uuid4(),
}
HIDDEN = {"target_id": "x1", "municipality_id": RIESA, "author_subject": "riesa-author", "reason": "Werbung"}
SAMPLES: list[EventPayload] = [
    StageStarted(**STAGE),
    StageCompleted(**STAGE),
    StageReopened(**STAGE),
    StageOverdue(**STAGE),
    MeasureAdded(**{**MEASURE, "previous_status": None}),
    MeasureStatusChanged(**MEASURE),
    PracticePublished(**PRACTICE),
    PracticeHidden(**PRACTICE),
    PracticeAdopted(**PRACTICE),
    QuestionAsked(
        question_id="q1", municipality_id=RIESA, title="Wie gewinnen wir Ehrenamtliche?", topics=["engagement"]
    ),
    AnswerAdded(**ANSWER),
    AnswerAccepted(**ANSWER),
    CommentAdded(
        comment_id="c1",
        practice_id="p1",
        practice_title="Nachbarschaftsbörse",
        practice_municipality_id=RIESA,
        practice_author_subject="riesa-author",
        author_subject="dortmund-deniz",
        author_name="Deniz Yilmaz",
        body_excerpt="Großartig!",
    ),
    QuestionHidden(**HIDDEN),
    AnswerHidden(**HIDDEN),
    CommentHidden(**HIDDEN),
    ReportFiled(report_id="r1", target_kind="practice", target_id="p1", reason="Falsche Angaben"),
]


def test_every_rule_has_a_sample_event_and_a_known_kind() -> None:
    sampled = {type(e) for e in SAMPLES}
    assert {rule.event for rule in RULES} == sampled
    assert {rule.kind for rule in RULES} <= set(KINDS)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda e: e.event_type)
def test_every_rule_renders_a_german_title_body_and_link(sample: EventPayload) -> None:
    for rule in rules_for(sample.event_type):
        message = render(rule, sample)
        assert message.title and message.body and message.link.startswith("/")
        assert "${" not in message.title + message.body + message.link
        assert "None" not in message.title + message.body


def test_stage_texts_name_the_stage_in_german_with_the_reason_and_due_date() -> None:
    [reopened] = rules_for("zwk.prozess.stage.reopened")
    message = render(reopened, StageReopened(**STAGE))
    assert message.title == "Riesa: „Werkstattplan“ wieder geöffnet"
    assert message.body == (
        "Der Prozessschritt „Werkstattplan“ von Riesa (ZWK) wurde wieder geöffnet. "
        "Grund: Neue Maßnahmen aus der Bürgerwerkstatt."
    )
    [overdue] = rules_for("zwk.prozess.stage.overdue")
    assert "bis 30.06.2024" in render(overdue, StageOverdue(**STAGE)).body
    [changed] = rules_for("zwk.prozess.measure.status_changed")
    assert render(changed, MeasureStatusChanged(**MEASURE)).body == (
        "Die Maßnahme „Bürgerbus“ von Riesa hat den Status „in Umsetzung“ (vorher „geplant“)."
    )


def test_forum_activity_defaults_to_the_daily_digest_and_overdue_stages_to_at_once() -> None:
    for kind in ("practice_published", "question_asked", "comment", "answer", "answer_accepted", "adoption"):
        assert KINDS[kind].email_default is Frequency.DAILY
    assert KINDS["stage_overdue"].email_default is Frequency.IMMEDIATELY
    assert KINDS["moderation"].email_default is Frequency.IMMEDIATELY


def test_a_digest_line_counts_repeated_events_on_one_item() -> None:
    assert digest_line("comment", 5, "Nachbarschaftsbörse") == "5 neue Kommentare zu „Nachbarschaftsbörse“"
    assert digest_line("comment", 1, "Nachbarschaftsbörse") == "Ein neuer Kommentar zu „Nachbarschaftsbörse“"
    assert digest_line("answer", 2, "Wie gewinnen wir Ehrenamtliche?") == (
        "2 neue Antworten auf „Wie gewinnen wir Ehrenamtliche?“"
    )


def test_the_author_of_a_comment_is_told_before_the_followers_of_the_practice() -> None:
    comment_rules = rules_for("zwk.austausch.comment.added")
    assert [type(a).__name__ for a in comment_rules[0].audience] == ["Person", "MunicipalityTeam"]
    assert [type(a).__name__ for a in comment_rules[1].audience] == ["Followers"]
    assert all("author_subject" in rule.actors for rule in comment_rules)
