"""Mutations: each one service call on behalf of the caller, who must not be a reader."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from strawberry.types import Info
from strawberry.types.nodes import SelectedField

from gateway.context import Context
from gateway.errors import bad_input
from gateway.operations import present
from gateway.sources.prozess import MAIN_PROCESS
from gateway.types.common import (
    Stage,
    as_id,
    as_programme,
)
from gateway.types.exchange import Comment, Practice, PracticeInput
from gateway.types.municipality import (
    Municipality,
    RegisterMunicipalityInput,
)
from gateway.types.notification import Notification, NotificationPreference
from gateway.types.process import ChecklistItem, StageProgress
from gateway.types.questions import (
    Answer,
    Question,
    QuestionInput,
)


def _asks_for(info: Info[Context, None], name: str) -> bool:
    """Whether the selection of the field being resolved names `name`, itself or in a fragment."""

    def named(selections: list[Any]) -> bool:
        return any(
            selection.name == name if isinstance(selection, SelectedField) else named(selection.selections)
            for selection in selections
        )

    return any(named(field.selections) for field in info.selected_fields)


def _process_programme(programme: str | None) -> str:
    """The programme a stage change is meant for: the one named, or `main`, which prozess resolves to
    the municipality's main process in the same request (or says why there is none for the caller)."""
    return as_programme(programme) if programme is not None else MAIN_PROCESS


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Office only.")
    async def register_municipality(self, info: Info[Context, None], input: RegisterMunicipalityInput) -> Municipality:
        body: dict[str, Any] = {"name": input.name, "kind": input.kind.value, "programmes": input.programmes}
        for field, name in (
            ("ags", "ags"),
            ("member_keys", "member_keys"),
            ("bundesland", "bundesland"),
            ("population", "population"),
            ("topics", "topics"),
        ):
            value = getattr(input, field)
            if present(value):
                body[name] = value
        return Municipality.from_service(await info.context.kommunen.register(body))

    @strawberry.mutation(description="Stages run in order: a stage starts only when the one before is completed.")
    async def start_stage(
        self,
        info: Info[Context, None],
        municipality_id: strawberry.ID,
        stage: Stage,
        due_date: date | None = None,
        programme: str | None = None,
    ) -> StageProgress:
        municipality = as_id(municipality_id, "municipalityId")
        chosen = _process_programme(programme)
        answer = await info.context.prozess.start_stage(
            municipality,
            chosen,
            stage.value,
            due_date.isoformat() if due_date else None,
            checklist=_asks_for(info, "checklist"),
        )
        return StageProgress.from_service(answer)

    @strawberry.mutation
    async def set_checklist_item(
        self,
        info: Info[Context, None],
        municipality_id: strawberry.ID,
        stage: Stage,
        key: str,
        done: bool,
        evidence: str | None = None,
        programme: str | None = None,
    ) -> ChecklistItem:
        municipality = as_id(municipality_id, "municipalityId")
        chosen = _process_programme(programme)
        answer = await info.context.prozess.set_checklist_item(municipality, chosen, stage.value, key, done, evidence)
        return ChecklistItem.from_service(answer)

    @strawberry.mutation
    async def complete_stage(
        self,
        info: Info[Context, None],
        municipality_id: strawberry.ID,
        stage: Stage,
        programme: str | None = None,
    ) -> StageProgress:
        municipality = as_id(municipality_id, "municipalityId")
        chosen = _process_programme(programme)
        answer = await info.context.prozess.complete_stage(
            municipality, chosen, stage.value, checklist=_asks_for(info, "checklist")
        )
        return StageProgress.from_service(answer)

    @strawberry.mutation
    async def publish_practice(self, info: Info[Context, None], input: PracticeInput) -> Practice:
        body = {
            "municipality_id": as_id(input.municipality_id, "input.municipalityId"),
            "title": input.title,
            "summary": input.summary,
            "body": input.body,
            "topics": input.topics,
        }
        return Practice.from_service(await info.context.austausch.publish_practice(body))

    @strawberry.mutation
    async def add_comment(self, info: Info[Context, None], practice_id: strawberry.ID, body: str) -> Comment:
        answer = await info.context.austausch.add_comment(as_id(practice_id, "practiceId"), body)
        return Comment.from_service(answer)

    @strawberry.mutation
    async def ask_question(self, info: Info[Context, None], input: QuestionInput) -> Question:
        body = {
            "municipality_id": as_id(input.municipality_id, "input.municipalityId"),
            "title": input.title,
            "body": input.body,
            "topics": input.topics,
        }
        return Question.from_service(await info.context.austausch.ask_question(body))

    @strawberry.mutation
    async def answer_question(self, info: Info[Context, None], question_id: strawberry.ID, body: str) -> Answer:
        answer = await info.context.austausch.answer_question(as_id(question_id, "questionId"), body)
        return Answer.from_service(answer)

    @strawberry.mutation(description="The asking municipality marks the helpful answer.")
    async def accept_answer(
        self, info: Info[Context, None], question_id: strawberry.ID, answer_id: strawberry.ID
    ) -> Question:
        question = await info.context.austausch.accept_answer(
            as_id(question_id, "questionId"), as_id(answer_id, "answerId")
        )
        return Question.from_service(question)

    @strawberry.mutation(description="Office only: hides a practice, question, answer or comment, with a reason.")
    async def hide_content(
        self, info: Info[Context, None], target_kind: str, target_id: strawberry.ID, reason: str
    ) -> bool:
        if target_kind not in ("practice", "question", "answer", "comment"):
            raise bad_input("`targetKind` must be practice, question, answer or comment.", argument="targetKind")
        await info.context.austausch.hide(target_kind, as_id(target_id, "targetId"), reason)
        return True

    @strawberry.mutation(description="Notify me of new practices on it.")
    async def follow_topic(self, info: Info[Context, None], topic: str) -> bool:
        await info.context.austausch.follow_topic(topic)
        return True

    @strawberry.mutation(
        description="Marks every notification in the caller's inbox read; answers how many were unread."
    )
    async def mark_all_notifications_read(self, info: Info[Context, None]) -> int:
        return await info.context.benachrichtigung.mark_all_read()

    @strawberry.mutation(description="How the caller wants to hear of a kind of notification beyond the inbox.")
    async def set_notification_preference(
        self, info: Info[Context, None], kind: str, frequency: str, channel: str = "email"
    ) -> NotificationPreference:
        answer = await info.context.benachrichtigung.set_preference(kind, channel, frequency)
        return NotificationPreference.from_service(answer)

    @strawberry.mutation
    async def mark_notification_read(self, info: Info[Context, None], id: strawberry.ID) -> Notification:
        return Notification.from_service(await info.context.benachrichtigung.mark_read(as_id(id, "id")))
