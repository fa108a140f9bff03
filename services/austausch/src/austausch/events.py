"""The events austausch publishes (its contract) and its own reading of those it consumes."""

from uuid import UUID

from zwk_common.events import EventPayload

# --- published -------------------------------------------------------------------------


class PracticeEvent(EventPayload):
    practice_id: UUID
    municipality_id: UUID
    municipality_name: str
    title: str
    summary: str
    topics: list[str]
    author_subject: str
    actor: str

    def ordering_key(self) -> str:
        return str(self.municipality_id)


class PracticePublished(PracticeEvent):
    event_type = "zwk.austausch.practice.published"


class PracticeUpdated(PracticeEvent):
    event_type = "zwk.austausch.practice.updated"


class PracticeArchived(PracticeEvent):
    event_type = "zwk.austausch.practice.archived"


class PracticeHidden(PracticeEvent):
    event_type = "zwk.austausch.practice.hidden"

    reason: str


class PracticeAdopted(PracticeEvent):
    event_type = "zwk.austausch.practice.adopted"

    adopter_municipality_id: UUID


class QuestionAsked(EventPayload):
    event_type = "zwk.austausch.question.asked"

    question_id: UUID
    municipality_id: UUID
    title: str
    topics: list[str]
    author_subject: str

    def ordering_key(self) -> str:
        return str(self.municipality_id)


class AnswerEvent(EventPayload):
    question_id: UUID
    answer_id: UUID
    question_title: str
    question_author_subject: str
    question_municipality_id: UUID
    author_subject: str
    municipality_id: UUID | None

    def ordering_key(self) -> str:
        return str(self.question_municipality_id)


class AnswerAdded(AnswerEvent):
    event_type = "zwk.austausch.answer.added"


class AnswerAccepted(AnswerEvent):
    event_type = "zwk.austausch.answer.accepted"


class CommentAdded(EventPayload):
    event_type = "zwk.austausch.comment.added"

    comment_id: UUID
    practice_id: UUID
    practice_title: str
    practice_municipality_id: UUID
    practice_author_subject: str
    parent_comment_id: UUID | None
    # Beyond the contract: who wrote the comment replied to, so a reply can reach them.
    parent_author_subject: str | None = None
    author_subject: str
    author_name: str | None
    body_excerpt: str

    def ordering_key(self) -> str:
        return str(self.practice_municipality_id)


class ReportFiled(EventPayload):
    event_type = "zwk.austausch.report.filed"

    report_id: UUID
    target_kind: str
    target_id: UUID
    reason: str


class ContentHidden(EventPayload):
    target_id: UUID
    municipality_id: UUID | None
    author_subject: str
    reason: str

    def ordering_key(self) -> str | None:
        return str(self.municipality_id) if self.municipality_id else None


class QuestionHidden(ContentHidden):
    event_type = "zwk.austausch.question.hidden"


class AnswerHidden(ContentHidden):
    event_type = "zwk.austausch.answer.hidden"


class CommentHidden(ContentHidden):
    event_type = "zwk.austausch.comment.hidden"


class FollowEvent(EventPayload):
    subject: str
    target_kind: str
    target_id: str
    email: str | None

    def ordering_key(self) -> str:
        # A person's follow and unfollow of the same thing must arrive in order.
        return self.subject


class FollowStarted(FollowEvent):
    event_type = "zwk.austausch.follow.started"


class FollowStopped(FollowEvent):
    event_type = "zwk.austausch.follow.stopped"


# --- consumed (kommunen's events, read for the fields austausch keeps) ------------------


class MunicipalityRegistered(EventPayload):
    event_type = "zwk.kommunen.municipality.registered"

    municipality_id: UUID
    ags: str | None = None
    name: str
    kind: str
    bundesland: str
    population: int | None = None
    urbanisation: int | None = None
    kreis_key: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    topics: list[str] = []
    programmes: list[str] = []


class MunicipalityUpdated(MunicipalityRegistered):
    event_type = "zwk.kommunen.municipality.updated"


class TopicAdded(EventPayload):
    event_type = "zwk.kommunen.topic.added"

    key: str
    label: str
    parent: str | None = None


class TopicUpdated(TopicAdded):
    event_type = "zwk.kommunen.topic.updated"
