"""Thin HTTP routes of prozess."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from prozess import service
from prozess.schemas import Process
from zwk_common.auth import CallerDep
from zwk_common.db import SessionDep

router = APIRouter(tags=["processes"])


@router.get("/processes", response_model=list[Process])
async def get_processes(
    session: SessionDep,
    caller: CallerDep,
    municipality_ids: Annotated[list[UUID], Query(alias="municipality_id", min_length=1, max_length=100)],
) -> list[Process]:
    """The processes of up to 100 municipalities at once (the gateway's batch read)."""
    return await service.processes_of(session, municipality_ids)
