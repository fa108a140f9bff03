"""The rules of questions: a municipality asks, others answer, the asker accepts the helpful answer."""

import uuid
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from austausch import access
from austausch.events import AnswerAccepted, AnswerAdded, QuestionAsked
from austausch.models import outbox
from austausch.municipalities import service as municipalities
from austausch.paging import after_created, next_created
from austausch.questions.repository import QuestionQuery, QuestionRepository
from austausch.questions.schemas import Answer, AnswerCreate, Question, QuestionCreate, QuestionUpdate
from austausch.search.repository import SearchRepository
from austausch.topics import service as topics
from austausch.vocabulary import EntryKind
from zwk_common.auth import Caller
from zwk_common.errors import Conflict, NotFound
from zwk_common.pagination import Page, PageParams


async def ask_question(session: AsyncSession, caller: Caller, data: QuestionCreate) -> Question:
    access.require_author_municipality(caller, data.municipality_id)
    await municipalities.require_known(session, data.municipality_id)
    await topics.require_known(session, data.topics)
    question_id = uuid.uuid4()
    await QuestionRepository(session).add(
        {
            "id": question_id,
            "municipality_id": data.municipality_id,
            "author_subject": caller.subject,
            "author_name": caller.name,
            "title": data.title,
            "body": data.body,
            "topics": data.topics,
        }
    )
    await SearchRepository(session).refresh(EntryKind.QUESTION, question_id)
    await outbox.record(
        session,
        QuestionAsked(
            question_id=question_id,
            municipality_id=data.municipality_id,
            title=data.title,
            topics=data.topics,
            author_subject=caller.subject,
        ),
    )
    return await _reload(session, caller, question_id)


async def edit_question(session: AsyncSession, caller: Caller, question_id: UUID, data: QuestionUpdate) -> Question:
    repository = QuestionRepository(session)
    row = await repository.get(question_id, for_update=True)
    _require_visible(caller, row)
    assert row is not None
    access.require_author_municipality(caller, row["municipality_id"])
    if data.topics is not None:
        await topics.require_known(session, data.topics)
    changes = {name: getattr(data, name) for name in data.model_fields_set}
    if changes:
        await repository.change(question_id, changes)
        await SearchRepository(session).refresh(EntryKind.QUESTION, question_id)
    return await _reload(session, caller, question_id)


async def get_question(session: AsyncSession, caller: Caller, question_id: UUID) -> Question:
    row = await QuestionRepository(session).get(question_id)
    _require_visible(caller, row)
    return _question(caller, row)  # type: ignore[arg-type]


async def get_questions(session: AsyncSession, caller: Caller, ids: list[UUID]) -> Page[Question]:
    rows = {row["id"]: row for row in await QuestionRepository(session).get_many(ids)}
    items = [_question(caller, rows[i]) for i in dict.fromkeys(ids) if i in rows and access.may_see(caller, rows[i])]
    return Page(items=items, total_count=len(items))


async def list_questions(
    session: AsyncSession, caller: Caller, wanted: QuestionQuery, page: PageParams
) -> Page[Question]:
    after = after_created(page.after)
    rows, total = await QuestionRepository(session).page(
        wanted, access.scope_of(caller), caller.subject, after, page.first + 1
    )
    items = [_question(caller, row) for row in rows[: page.first]]
    return Page(items=items, next_cursor=next_created(rows, page.first), total_count=total)


async def answer_question(session: AsyncSession, caller: Caller, question_id: UUID, data: AnswerCreate) -> Answer:
    repository = QuestionRepository(session)
    question = await repository.get(question_id)
    _require_visible(caller, question)
    assert question is not None
    municipality_id = access.writing_municipality(caller, data.municipality_id)
    if question["hidden_at"] is not None:
        raise Conflict("A hidden question takes no answers.")
    if municipality_id is not None:
        await municipalities.require_known(session, municipality_id)
    answer_id = uuid.uuid4()
    await repository.add_answer(
        {
            "id": answer_id,
            "question_id": question_id,
            "municipality_id": municipality_id,
            "author_subject": caller.subject,
            "author_name": caller.name,
            "body": data.body,
        }
    )
    await outbox.record(session, _answer_event(AnswerAdded, question, answer_id, caller.subject, municipality_id))
    answer = await repository.get_answer(answer_id)
    return _answer(caller, answer)  # type: ignore[arg-type]


async def accept_answer(session: AsyncSession, caller: Caller, question_id: UUID, answer_id: UUID) -> Question:
    """The asking municipality marks the answer that helped; a later choice replaces an earlier one."""
    repository = QuestionRepository(session)
    question = await repository.get(question_id, for_update=True)
    _require_visible(caller, question)
    assert question is not None
    access.require_author_municipality(caller, question["municipality_id"])
    answer = await repository.get_answer(answer_id)
    if answer is None or answer["question_id"] != question_id or answer["hidden_at"] is not None:
        raise NotFound("No answer with this id to this question.")
    if question["accepted_answer_id"] != answer_id:
        await repository.change(question_id, {"accepted_answer_id": answer_id})
        await outbox.record(
            session,
            _answer_event(AnswerAccepted, question, answer_id, answer["author_subject"], answer["municipality_id"]),
        )
    return await _reload(session, caller, question_id)


async def answers_of(session: AsyncSession, caller: Caller, question_id: UUID, page: PageParams) -> Page[Answer]:
    repository = QuestionRepository(session)
    question = await repository.get(question_id)
    _require_visible(caller, question)
    rows = await repository.answers_of(
        [question_id], access.scope_of(caller), caller.subject, after_created(page.after), page.first + 1
    )
    items = [_answer(caller, row) for row in rows[: page.first]]
    total = question["answer_count"]  # type: ignore[index]
    return Page(items=items, next_cursor=next_created(rows, page.first), total_count=total)


async def answers_of_many(
    session: AsyncSession, caller: Caller, question_ids: list[UUID], per_question: int
) -> list[Answer]:
    """The answers of many questions at once (the gateway's batch read), oldest first per question."""
    repository = QuestionRepository(session)
    visible = [row["id"] for row in await repository.get_many(question_ids) if access.may_see(caller, row)]
    if not visible:
        return []
    rows = await repository.answers_of(visible, access.scope_of(caller), caller.subject, None, 100 * len(visible))
    counted: dict[UUID, int] = {}
    items = []
    for row in rows:
        counted[row["question_id"]] = counted.get(row["question_id"], 0) + 1
        if counted[row["question_id"]] <= per_question:
            items.append(_answer(caller, row))
    return items


def _answer_event(
    kind: type[AnswerAdded] | type[AnswerAccepted],
    question: Mapping[Any, Any],
    answer_id: UUID,
    author_subject: str,
    municipality_id: UUID | None,
) -> AnswerAdded | AnswerAccepted:
    return kind(
        question_id=question["id"],
        answer_id=answer_id,
        question_title=question["title"],
        question_author_subject=question["author_subject"],
        question_municipality_id=question["municipality_id"],
        author_subject=author_subject,
        municipality_id=municipality_id,
    )


async def _reload(session: AsyncSession, caller: Caller, question_id: UUID) -> Question:
    row = await QuestionRepository(session).get(question_id)
    assert row is not None
    return _question(caller, row)


def _require_visible(caller: Caller, row: Mapping[Any, Any] | None) -> None:
    if row is None or not access.may_see(caller, row):
        raise NotFound("No question with this id.")


def _question(caller: Caller, row: Mapping[Any, Any]) -> Question:
    return Question.model_validate(
        {
            **row,
            "hidden": row["hidden_at"] is not None,
            "hidden_reason": row["hidden_reason"] if access.may_see(caller, row, published=False) else None,
        }
    )


def _answer(caller: Caller, row: Mapping[Any, Any]) -> Answer:
    return Answer.model_validate(
        {
            **row,
            "accepted": bool(row["accepted"]),
            "hidden": row["hidden_at"] is not None,
            "hidden_reason": row["hidden_reason"] if access.may_see(caller, row, published=False) else None,
        }
    )
