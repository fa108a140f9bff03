"""Thin HTTP routes of kommunen."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from kommunen import service
from kommunen.schemas import Municipality, MunicipalityCreate
from zwk_common.auth import CallerDep
from zwk_common.db import SessionDep

router = APIRouter(prefix="/municipalities", tags=["municipalities"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Municipality)
async def register_municipality(data: MunicipalityCreate, session: SessionDep, caller: CallerDep) -> Municipality:
    return await service.register_municipality(session, caller, data)


@router.get("", response_model=list[Municipality])
async def get_municipalities(
    session: SessionDep,
    caller: CallerDep,
    ids: Annotated[list[UUID], Query(max_length=100, description="batch read by ids")],
) -> list[Municipality]:
    return await service.get_municipalities(session, ids)


@router.get("/by-ags/{ags}", response_model=Municipality)
async def get_municipality_by_ags(ags: str, session: SessionDep, caller: CallerDep) -> Municipality:
    return await service.get_municipality_by_ags(session, ags)


@router.get("/{municipality_id}", response_model=Municipality)
async def get_municipality(municipality_id: UUID, session: SessionDep, caller: CallerDep) -> Municipality:
    return await service.get_municipality(session, municipality_id)
