"""Thin HTTP routes of the register lookup."""

from typing import Annotated

from fastapi import APIRouter, Query

from kommunen.register import service
from kommunen.register.schemas import RegisterUnit, RegisterUnitList, UnitLevel
from zwk_common.auth import CallerDep
from zwk_common.db import SessionDep

router = APIRouter(prefix="/register", tags=["register"])


@router.get("/units", response_model=RegisterUnitList, summary="Autocomplete: units by name or key prefix")
async def search_units(
    session: SessionDep,
    caller: CallerDep,
    prefix: Annotated[str, Query(min_length=1, max_length=100, description="beginning of the name or key")],
    level: Annotated[list[UnitLevel] | None, Query(description="only these levels")] = None,
    first: Annotated[int, Query(ge=1, le=100, description="how many, the most populous first")] = 20,
) -> RegisterUnitList:
    return RegisterUnitList(items=await service.search_units(session, prefix, levels=level, limit=first))


@router.get("/units/{key}", response_model=RegisterUnit, summary="One unit of the official register by its key")
async def get_unit(key: str, session: SessionDep, caller: CallerDep) -> RegisterUnit:
    return await service.get_unit(session, key)
