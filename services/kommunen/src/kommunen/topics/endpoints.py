"""Thin HTTP routes of topics."""

from fastapi import APIRouter, status

from kommunen.topics import service
from kommunen.topics.schemas import Topic, TopicCreate, TopicUpdate
from zwk_common.auth import CallerDep
from zwk_common.db import SessionDep
from zwk_common.pagination import Page, PageDep

router = APIRouter(prefix="/topics", tags=["topics"])


@router.get("", response_model=Page[Topic], summary="All topics, by key")
async def list_topics(session: SessionDep, caller: CallerDep, page: PageDep) -> Page[Topic]:
    return await service.list_topics(session, page)


@router.get("/{key}", response_model=Topic)
async def get_topic(key: str, session: SessionDep, caller: CallerDep) -> Topic:
    return await service.get_topic(session, key)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Topic, summary="Add a topic (office)")
async def add_topic(data: TopicCreate, session: SessionDep, caller: CallerDep) -> Topic:
    return await service.add_topic(session, caller, data)


@router.patch("/{key}", response_model=Topic, summary="Relabel or re-parent a topic (office)")
async def update_topic(key: str, data: TopicUpdate, session: SessionDep, caller: CallerDep) -> Topic:
    return await service.update_topic(session, caller, key, data)
