"""Thin HTTP routes of questions and answers."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from austausch.questions import service
from austausch.questions.repository import QuestionQuery
from austausch.questions.schemas import Answer, AnswerCreate, Question, QuestionCreate, QuestionUpdate
from austausch.topics.schemas import TopicKey
from zwk_common.auth import CallerDep
from zwk_common.db import SessionDep
from zwk_common.pagination import Page, PageDep

router = APIRouter(tags=["questions"])


@router.post("/questions", status_code=status.HTTP_201_CREATED, response_model=Question)
async def ask_question(data: QuestionCreate, session: SessionDep, caller: CallerDep) -> Question:
    """A municipality asks all others, e.g. "Wer hat Erfahrung mit einer Nachbarschaftsbörse?"."""
    return await service.ask_question(session, caller, data)


@router.get("/questions", response_model=Page[Question])
async def get_questions(
    session: SessionDep,
    caller: CallerDep,
    page: PageDep,
    ids: Annotated[
        list[UUID] | None, Query(max_length=100, description="batch read; other filters are ignored")
    ] = None,
    municipality_id: UUID | None = None,
    topics: Annotated[list[TopicKey] | None, Query(alias="topic", max_length=20)] = None,
    answered: Annotated[bool | None, Query(description="true: with an accepted answer; false: without")] = None,
) -> Page[Question]:
    if ids:
        return await service.get_questions(session, caller, ids)
    wanted = QuestionQuery(municipality_id=municipality_id, topics=topics or (), answered=answered)
    return await service.list_questions(session, caller, wanted, page)


@router.get("/questions/{question_id}", response_model=Question)
async def get_question(question_id: UUID, session: SessionDep, caller: CallerDep) -> Question:
    return await service.get_question(session, caller, question_id)


@router.patch("/questions/{question_id}", response_model=Question)
async def edit_question(question_id: UUID, data: QuestionUpdate, session: SessionDep, caller: CallerDep) -> Question:
    return await service.edit_question(session, caller, question_id, data)


@router.post("/questions/{question_id}/answers", status_code=status.HTTP_201_CREATED, response_model=Answer)
async def answer_question(question_id: UUID, data: AnswerCreate, session: SessionDep, caller: CallerDep) -> Answer:
    return await service.answer_question(session, caller, question_id, data)


@router.get("/questions/{question_id}/answers", response_model=Page[Answer])
async def get_answers(question_id: UUID, session: SessionDep, caller: CallerDep, page: PageDep) -> Page[Answer]:
    """The answers, oldest first; `accepted` marks the one the asker found helpful."""
    return await service.answers_of(session, caller, question_id, page)


@router.post("/questions/{question_id}/answers/{answer_id}/accept", response_model=Question)
async def accept_answer(question_id: UUID, answer_id: UUID, session: SessionDep, caller: CallerDep) -> Question:
    """The asking municipality marks the helpful answer."""
    return await service.accept_answer(session, caller, question_id, answer_id)


@router.get("/answers", response_model=list[Answer])
async def get_answers_of_questions(
    session: SessionDep,
    caller: CallerDep,
    question_ids: Annotated[list[UUID], Query(alias="question_id", min_length=1, max_length=100)],
    per_question: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[Answer]:
    """The answers of many questions at once (the gateway's batch read)."""
    return await service.answers_of_many(session, caller, question_ids, per_question)
