"""The events benachrichtigung reads (its own tolerant reading of them) and the ones it publishes."""

from datetime import date, datetime
from uuid import UUID

from zwk_common.events import EventPayload

# --- kommunen -------------------------------------------------------------------------------


class MunicipalityRegistered(EventPayload):
    event_type = "zwk.kommunen.municipality.registered"

    municipality_id: UUID
    name: str = ""
    adviser_subjects: list[str] = []


class MunicipalityUpdated(MunicipalityRegistered):
    event_type = "zwk.kommunen.municipality.updated"


class ContactAdded(EventPayload):
    event_type = "zwk.kommunen.contact.added"

    municipality_id: UUID
    contact_id: UUID
    name: str
    function: str | None = None
    email: str | None = None
    subject: str | None = None


class ContactChanged(ContactAdded):
    event_type = "zwk.kommunen.contact.changed"


class ContactRemoved(EventPayload):
    event_type = "zwk.kommunen.contact.removed"

    municipality_id: UUID
    contact_id: UUID


# --- prozess --------------------------------------------------------------------------------


class StageEvent(EventPayload):
    municipality_id: UUID
    municipality_name: str = ""
    programme: str = ""
    stage: str
    status: str | None = None
    due_date: date | None = None
    at: datetime | None = None
    actor: str | None = None
    reason: str | None = None


class StageStarted(StageEvent):
    event_type = "zwk.prozess.stage.started"


class StageCompleted(StageEvent):
    event_type = "zwk.prozess.stage.completed"


class StageReopened(StageEvent):
    event_type = "zwk.prozess.stage.reopened"


class StageOverdue(StageEvent):
    event_type = "zwk.prozess.stage.overdue"


class MeasureAdded(EventPayload):
    event_type = "zwk.prozess.measure.added"

    municipality_id: UUID
    municipality_name: str = ""
    programme: str = ""
    measure_id: str
    title: str
    topic: str | None = None
    status: str | None = None
    previous_status: str | None = None
    actor: str | None = None


class MeasureStatusChanged(MeasureAdded):
    event_type = "zwk.prozess.measure.status_changed"


# --- austausch ------------------------------------------------------------------------------


class PracticeEvent(EventPayload):
    practice_id: str
    municipality_id: UUID | None = None
    municipality_name: str = ""
    title: str
    summary: str | None = None
    topics: list[str] = []
    author_subject: str | None = None
    actor: str | None = None
    reason: str | None = None
    adopter_municipality_id: str | None = None


class PracticePublished(PracticeEvent):
    event_type = "zwk.austausch.practice.published"


class PracticeHidden(PracticeEvent):
    event_type = "zwk.austausch.practice.hidden"


class PracticeAdopted(PracticeEvent):
    event_type = "zwk.austausch.practice.adopted"


class QuestionAsked(EventPayload):
    event_type = "zwk.austausch.question.asked"

    question_id: str
    municipality_id: UUID | None = None
    title: str
    topics: list[str] = []
    author_subject: str | None = None


class AnswerAdded(EventPayload):
    event_type = "zwk.austausch.answer.added"

    question_id: str
    answer_id: str
    question_title: str
    question_author_subject: str | None = None
    question_municipality_id: UUID | None = None
    author_subject: str | None = None
    municipality_id: UUID | None = None


class AnswerAccepted(AnswerAdded):
    event_type = "zwk.austausch.answer.accepted"


class CommentAdded(EventPayload):
    event_type = "zwk.austausch.comment.added"

    comment_id: str
    practice_id: str
    practice_title: str
    practice_municipality_id: UUID | None = None
    practice_author_subject: str | None = None
    parent_comment_id: str | None = None
    author_subject: str | None = None
    author_name: str | None = None
    body_excerpt: str | None = None


class ReportFiled(EventPayload):
    event_type = "zwk.austausch.report.filed"

    report_id: str
    target_kind: str
    target_id: str
    reason: str | None = None


class ContentHidden(EventPayload):
    target_id: str
    municipality_id: UUID | None = None
    author_subject: str | None = None
    reason: str | None = None


class QuestionHidden(ContentHidden):
    event_type = "zwk.austausch.question.hidden"


class AnswerHidden(ContentHidden):
    event_type = "zwk.austausch.answer.hidden"


class CommentHidden(ContentHidden):
    event_type = "zwk.austausch.comment.hidden"


class FollowStarted(EventPayload):
    event_type = "zwk.austausch.follow.started"

    subject: str
    target_kind: str
    target_id: str
    email: str | None = None


class FollowStopped(FollowStarted):
    event_type = "zwk.austausch.follow.stopped"


# --- published ------------------------------------------------------------------------------


class NotificationDelivered(EventPayload):
    """A message reached its recipient: an e-mail accepted by the mail server, a webhook answered 2xx.

    `recipient_id` is the person (subject, or `contact:<id>`) for e-mail and the endpoint id for
    webhooks; `notification_id` is the inbox notification, or the digest's id for a digest.
    """

    event_type = "zwk.benachrichtigung.notification.delivered"
    version = 1

    notification_id: UUID
    channel: str
    recipient_id: str
    kind: str
    attempts: int


class NotificationFailed(NotificationDelivered):
    """A message given up on: its retry window closed, or there is nowhere to send it."""

    event_type = "zwk.benachrichtigung.notification.failed"
    version = 1

    error: str
