"""The GraphQL schema: the core contract and what the office and dashboards need beyond it."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from dataclasses import replace
from datetime import date
from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.types import ExecutionContext, Info

from gateway.config import Settings
from gateway.context import Context
from gateway.errors import FORBIDDEN, CallerFacingErrors, GatewayError, bad_input
from gateway.pagination import MAX_PAGE_SIZE, check_page_size, page_request, slice_page
from gateway.protection import OperationGuard
from gateway.types.common import (
    Stage,
    StageStatus,
    Topic,
    as_datetime,
    as_id,
    as_programme,
    given,
)
from gateway.types.exchange import Comment, ComparableMunicipality, Practice, PracticeConnection, PracticeInput
from gateway.types.municipality import (
    Municipality,
    MunicipalityConnection,
    MunicipalityFilter,
    RegisterMunicipalityInput,
)
from gateway.types.notification import Notification, NotificationConnection, NotificationPreference
from gateway.types.process import ChecklistItem, ProcessEvent, ProgrammeOverview, StageProgress
from gateway.types.questions import (
    Answer,
    ContentReportConnection,
    Question,
    QuestionConnection,
    QuestionInput,
)
from zwk_common.auth import Caller, Role

MAX_SEARCH_LENGTH = 500


def _present(value: Any) -> bool:
    return value is not strawberry.UNSET and value is not None


async def _programme_of(info: Info[Context, None], municipality_id: str, programme: str | None) -> str:
    """The programme a stage change is meant for: the one named, or the municipality's main process."""
    if programme is not None:
        return as_programme(programme)
    process = await info.context.prozess.process(municipality_id)
    if process is None:
        raise GatewayError(f"The municipality {municipality_id} has no process yet.", "NOT_FOUND")
    return str(process["programme"])


@strawberry.type
class Query:
    @strawberry.field(description="One municipality by id or by official key (exactly one of the two).")
    async def municipality(
        self, info: Info[Context, None], id: strawberry.ID | None = None, ags: str | None = None
    ) -> Municipality | None:
        if (id is None) == (ags is None):
            raise bad_input("Give exactly one of `id` and `ags`.")
        if id is not None:
            found = await info.context.kommunen.municipality(as_id(id, "id"))
        else:
            assert ags is not None
            if not ags.isdigit() or not 5 <= len(ags) <= 12:
                raise bad_input("`ags` is an official key of 5 to 12 digits, e.g. 05913000.", argument="ags")
            found = await info.context.kommunen.municipality_by_ags(ags)
        return Municipality.from_service(found) if found is not None else None

    @strawberry.field
    async def municipalities(
        self,
        info: Info[Context, None],
        filter: MunicipalityFilter | None = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> MunicipalityConnection:
        request = page_request(given(first, 50), after)
        criteria = filter or MunicipalityFilter()
        programme = as_programme(criteria.programme) if _present(criteria.programme) else None
        filters: dict[str, Any] = {
            "programme": programme,
            "bundesland": criteria.bundesland if _present(criteria.bundesland) else None,
            "kind": criteria.kind.value if _present(criteria.kind) else None,  # type: ignore[union-attr]
            "topic": criteria.topic if _present(criteria.topic) else None,
            "name": criteria.name_contains if _present(criteria.name_contains) else None,
        }
        if not (_present(criteria.stage) or _present(criteria.overdue)):
            shown = slice_page(await info.context.kommunen.list_municipalities(filters, request), request)
            return MunicipalityConnection.from_slice(shown)
        # Where each municipality stands is prozess's knowledge: it pages, kommunen fills in the records.
        id_page = await info.context.prozess.municipality_ids(
            programme,
            criteria.stage.value if _present(criteria.stage) else None,  # type: ignore[union-attr]
            criteria.overdue if _present(criteria.overdue) else None,
            request,
        )
        shown = slice_page({**id_page, "items": [{"id": str(i)} for i in id_page.get("items") or []]}, request)
        ids = [item["id"] for _, item in shown.items]
        if any(value is not None for key, value in filters.items() if key != "programme"):
            found = await info.context.kommunen.list_municipalities(filters, page_request(MAX_PAGE_SIZE, None), ids)
            records = {str(r["id"]): r for r in found.get("items") or []}
        else:
            loaded = await info.context.kommunen.municipalities.load_many(ids)
            records = {i: r for i, r in zip(ids, loaded, strict=True) if r is not None}
        kept = [(cursor, records[item["id"]]) for cursor, item in shown.items if item["id"] in records]
        return MunicipalityConnection.from_slice(replace(shown, items=kept))

    @strawberry.field
    async def programme_overview(self, info: Info[Context, None], programme: str = "ZWK") -> ProgrammeOverview:
        return ProgrammeOverview.from_service(await info.context.prozess.overview(as_programme(programme)))

    @strawberry.field
    async def topics(self, info: Info[Context, None]) -> list[Topic]:
        return [Topic.from_service(t) for t in await info.context.kommunen.topics()]

    @strawberry.field
    async def practice(self, info: Info[Context, None], id: strawberry.ID) -> Practice | None:
        found = await info.context.austausch.practice(as_id(id, "id"))
        return Practice.from_service(found) if found is not None else None

    @strawberry.field(description="German full-text search, best match first; no search = newest first.")
    async def practices(
        self,
        info: Info[Context, None],
        search: str | None = None,
        topics: list[str] | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> PracticeConnection:
        request = page_request(given(first, 20), after)
        if search is not None and len(search) > MAX_SEARCH_LENGTH:
            raise bad_input(f"`search` may hold at most {MAX_SEARCH_LENGTH} characters.", argument="search")
        if topics is not None and len(topics) > 50:
            raise bad_input("`topics` may name at most 50 topics.", argument="topics")
        page = await info.context.austausch.search_practices(search or None, topics, request)
        return PracticeConnection.from_slice(slice_page(page, request), page.get("facets"))

    @strawberry.field(description="The practices of the municipalities most comparable to this one, best first.")
    async def comparable_practices(
        self, info: Info[Context, None], municipality_id: strawberry.ID, first: int | None = 10
    ) -> list[Practice]:
        size = check_page_size(given(first, 10))
        found = await info.context.austausch.comparable_practices(as_id(municipality_id, "municipalityId"), size)
        return [Practice.from_service(p) for p in found[:size]]

    @strawberry.field(description="The municipalities most comparable to this one, with the reasons, best first.")
    async def comparable_municipalities(
        self, info: Info[Context, None], municipality_id: strawberry.ID, first: int | None = 10
    ) -> list[ComparableMunicipality]:
        size = check_page_size(given(first, 10))
        found = await info.context.austausch.comparable_municipalities(as_id(municipality_id, "municipalityId"), size)
        return [ComparableMunicipality.from_service(m) for m in found[:size]]

    @strawberry.field(description="How many notifications in the caller's inbox are unread.")
    async def unread_notification_count(self, info: Info[Context, None]) -> int:
        return await info.context.benachrichtigung.unread_count()

    @strawberry.field(description="The caller's channel and frequency for every kind of notification.")
    async def my_notification_preferences(self, info: Info[Context, None]) -> list[NotificationPreference]:
        return [NotificationPreference.from_service(p) for p in await info.context.benachrichtigung.preferences()]

    @strawberry.field
    async def question(self, info: Info[Context, None], id: strawberry.ID) -> Question | None:
        found = await info.context.austausch.questions.load(as_id(id, "id"))
        return Question.from_service(found) if found is not None else None

    @strawberry.field(description="Questions to all municipalities, newest first.")
    async def questions(
        self,
        info: Info[Context, None],
        topics: list[str] | None = None,
        answered: bool | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> QuestionConnection:
        request = page_request(given(first, 20), after)
        page = await info.context.austausch.list_questions(topics, answered, request)
        return QuestionConnection.from_slice(slice_page(page, request))

    @strawberry.field(description="Office only: reports about content, oldest first.")
    async def moderation_queue(
        self,
        info: Info[Context, None],
        status: str = "OPEN",
        target_kind: str | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> ContentReportConnection:
        request = page_request(given(first, 20), after)
        page = await info.context.austausch.moderation_queue(status, target_kind, request)
        return ContentReportConnection.from_slice(slice_page(page, request))

    @strawberry.field(description="The caller's own inbox.")
    async def my_notifications(
        self,
        info: Info[Context, None],
        unread_only: bool | None = False,
        first: int | None = 20,
        after: str | None = None,
    ) -> NotificationConnection:
        request = page_request(given(first, 20), after)
        page = await info.context.benachrichtigung.inbox(bool(unread_only), request)
        return NotificationConnection.from_slice(slice_page(page, request))


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
            if _present(value):
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
        chosen = await _programme_of(info, municipality, programme)
        answer = await info.context.prozess.start_stage(
            municipality, chosen, stage.value, due_date.isoformat() if due_date else None
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
        chosen = await _programme_of(info, municipality, programme)
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
        chosen = await _programme_of(info, municipality, programme)
        return StageProgress.from_service(await info.context.prozess.complete_stage(municipality, chosen, stage.value))

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


def visible_municipalities(caller: Caller) -> frozenset[str] | None:
    """Whose process events a caller may follow; None means every municipality's."""
    if caller.role in (Role.OFFICE, Role.READER):
        return None
    return caller.assigned()


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Stages that start, complete, reopen or fall overdue, as they happen.")
    async def process_events(
        self, info: Info[Context, None], municipality_id: strawberry.ID | None = None
    ) -> AsyncGenerator[ProcessEvent, None]:
        context = info.context
        visible = visible_municipalities(context.caller)
        wanted = as_id(municipality_id, "municipalityId") if municipality_id is not None else None
        if wanted is not None and visible is not None and wanted not in visible:
            raise GatewayError("The caller may not follow this municipality's process.", FORBIDDEN)
        assert context.hub is not None
        async with context.hub.listen(context.hub.subject("zwk.prozess.stage.>")) as events:
            while True:
                envelope = await events.get()
                data = envelope.data
                municipality = str(data.get("municipality_id"))
                if (wanted is not None and municipality != wanted) or (
                    visible is not None and municipality not in visible
                ):
                    continue
                try:
                    event = ProcessEvent(
                        municipality_id=municipality,
                        stage=Stage(data["stage"]),
                        status=StageStatus(data["status"]),
                        at=as_datetime(data.get("at")) or envelope.time,
                        kind=envelope.type.rsplit(".", 1)[-1],
                        programme=data.get("programme"),
                    )
                except (KeyError, ValueError):
                    continue  # an event this gateway cannot read is not the subscriber's problem
                context.forget_loaded()
                yield event

    @strawberry.subscription(description="Practices as they are published, on any of these topics (or on any).")
    async def practice_published(
        self, info: Info[Context, None], topics: list[str] | None = None
    ) -> AsyncGenerator[Practice, None]:
        context = info.context
        context.caller  # noqa: B018 - only a signed-in caller follows the forum
        wanted = set(topics or ())
        assert context.hub is not None
        async with context.hub.listen(context.hub.subject("zwk.austausch.practice.published")) as events:
            while True:
                envelope = await events.get()
                data = envelope.data
                if wanted and not wanted & set(data.get("topics") or ()):
                    continue
                try:
                    practice = Practice.from_service(data)
                except KeyError:
                    continue
                context.forget_loaded()
                yield practice


class GatewaySchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Errors meant for the caller are not the gateway's failures; CallerFacingErrors logs the others."""


def build_schema(settings: Settings) -> strawberry.Schema:
    # Factories, not instances: every operation gets extensions of its own.
    extensions: list[Callable[[], SchemaExtension]] = [
        CallerFacingErrors,
        partial(MaxTokensLimiter, max_token_count=settings.max_tokens),
        partial(QueryDepthLimiter, max_depth=settings.max_depth),
        partial(MaxAliasesLimiter, max_alias_count=settings.max_aliases),
        partial(OperationGuard, max_cost=settings.max_cost),
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
    )
