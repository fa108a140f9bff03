"""Thin HTTP routes of the Kommunalprofil."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, status

from prozess.fields import KEY_PATTERN
from prozess.kommunalprofil import service
from prozess.kommunalprofil.schemas import Indicator, IndicatorSet, SwotItem, SwotItemCreate, SwotItemUpdate
from prozess.vocabulary import Programme
from zwk_common.auth import CallerDep
from zwk_common.db import SessionDep
from zwk_common.pagination import Page, PageDep

router = APIRouter(prefix="/processes/{municipality_id}/{programme}/kommunalprofil", tags=["kommunalprofil"])
IndicatorKey = Annotated[str, Path(pattern=KEY_PATTERN, max_length=64)]


@router.get("/indicators", response_model=Page[Indicator])
async def get_indicators(
    municipality_id: UUID, programme: Programme, session: SessionDep, caller: CallerDep, page: PageDep
) -> Page[Indicator]:
    """The indicators by key; the population comes pre-filled from the municipality's record."""
    return await service.indicators(session, caller, municipality_id, programme, page)


@router.put("/indicators/{key}", response_model=Indicator)
async def set_indicator(
    municipality_id: UUID,
    programme: Programme,
    key: IndicatorKey,
    data: IndicatorSet,
    session: SessionDep,
    caller: CallerDep,
) -> Indicator:
    return await service.set_indicator(session, caller, municipality_id, programme, key, data)


@router.delete("/indicators/{key}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_indicator(
    municipality_id: UUID, programme: Programme, key: IndicatorKey, session: SessionDep, caller: CallerDep
) -> None:
    await service.remove_indicator(session, caller, municipality_id, programme, key)


@router.get("/swot-items", response_model=Page[SwotItem])
async def get_swot_items(
    municipality_id: UUID, programme: Programme, session: SessionDep, caller: CallerDep, page: PageDep
) -> Page[SwotItem]:
    return await service.swot(session, caller, municipality_id, programme, page)


@router.post("/swot-items", response_model=SwotItem, status_code=status.HTTP_201_CREATED)
async def add_swot_item(
    municipality_id: UUID, programme: Programme, data: SwotItemCreate, session: SessionDep, caller: CallerDep
) -> SwotItem:
    return await service.add_swot_item(session, caller, municipality_id, programme, data)


@router.patch("/swot-items/{item_id}", response_model=SwotItem)
async def change_swot_item(
    municipality_id: UUID,
    programme: Programme,
    item_id: UUID,
    data: SwotItemUpdate,
    session: SessionDep,
    caller: CallerDep,
) -> SwotItem:
    return await service.change_swot_item(session, caller, municipality_id, programme, item_id, data)


@router.delete("/swot-items/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_swot_item(
    municipality_id: UUID, programme: Programme, item_id: UUID, session: SessionDep, caller: CallerDep
) -> None:
    await service.remove_swot_item(session, caller, municipality_id, programme, item_id)
