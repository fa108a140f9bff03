"""Thin HTTP routes of municipality records."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from kommunen.municipalities import service
from kommunen.municipalities.schemas import Municipality, MunicipalityCreate, MunicipalityFilter, MunicipalityUpdate
from zwk_common.auth import CallerDep
from zwk_common.db import SessionDep
from zwk_common.pagination import Page, PageDep

router = APIRouter(prefix="/municipalities", tags=["municipalities"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Municipality, summary="Register (office)")
async def register_municipality(data: MunicipalityCreate, session: SessionDep, caller: CallerDep) -> Municipality:
    return await service.register_municipality(session, caller, data)


@router.get("", response_model=Page[Municipality], summary="List with filters, or batch read by ids")
async def list_municipalities(
    session: SessionDep,
    caller: CallerDep,
    page: PageDep,
    filters: Annotated[MunicipalityFilter, Query()],
    ids: Annotated[list[UUID] | None, Query(max_length=100, description="batch read: these ids, on one page")] = None,
) -> Response:
    # PostgreSQL writes the page; the response model documents it.
    answer = await service.list_municipalities(session, caller, filters, page, ids)
    return Response(answer, media_type="application/json")


@router.get("/by-ags/{ags}", response_model=Municipality)
async def get_municipality_by_ags(ags: str, session: SessionDep, caller: CallerDep) -> Municipality:
    return await service.get_municipality_by_ags(session, caller, ags)


@router.get("/{municipality_id}", response_model=Municipality)
async def get_municipality(municipality_id: UUID, session: SessionDep, caller: CallerDep) -> Municipality:
    return await service.get_municipality(session, caller, municipality_id)


@router.patch("/{municipality_id}", response_model=Municipality, summary="Change (office; topics also itself)")
async def update_municipality(
    municipality_id: UUID, data: MunicipalityUpdate, session: SessionDep, caller: CallerDep
) -> Municipality:
    return await service.update_municipality(session, caller, municipality_id, data)
