"""Thin HTTP routes of comparable municipalities."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from austausch.config import SettingsDep
from austausch.municipalities import service
from austausch.municipalities.schemas import ComparableMunicipality, ComparablePractice
from zwk_common.auth import CallerDep
from zwk_common.db import SessionDep
from zwk_common.pagination import Page, PageDep

router = APIRouter(prefix="/municipalities", tags=["comparable municipalities"])


@router.get("/{municipality_id}/comparable", response_model=list[ComparableMunicipality])
async def get_comparable(
    municipality_id: UUID,
    session: SessionDep,
    caller: CallerDep,
    first: Annotated[int, Query(ge=1, le=100, description="how many, at most 100")] = 10,
) -> list[ComparableMunicipality]:
    """The "Strukturzwillinge" of a municipality: most comparable first, with the reasons in German."""
    return await service.comparable(session, caller, municipality_id, first)


@router.get("/{municipality_id}/comparable/practices", response_model=Page[ComparablePractice])
async def get_comparable_practices(
    municipality_id: UUID, page: PageDep, session: SessionDep, caller: CallerDep, settings: SettingsDep
) -> Page[ComparablePractice]:
    """Practices of the most comparable municipalities, best fitting first."""
    return await service.comparable_practices(session, caller, municipality_id, page, settings)
