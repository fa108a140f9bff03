"""Thin HTTP routes of topics."""

from fastapi import APIRouter

from austausch.topics import service
from austausch.topics.schemas import Topic
from zwk_common.auth import CallerDep
from zwk_common.db import SessionDep

router = APIRouter(tags=["topics"])


@router.get("/topics", response_model=list[Topic])
async def get_topics(session: SessionDep, caller: CallerDep) -> list[Topic]:
    """The Handlungsfelder, first level first; `parent` names the first-level topic of a second-level one."""
    return await service.list_topics(session)
