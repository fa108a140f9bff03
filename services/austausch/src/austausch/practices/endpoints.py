"""Thin HTTP routes of practices, revisions and adoptions."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from austausch.practices import service
from austausch.practices.repository import PracticeQuery
from austausch.practices.schemas import (
    Adoption,
    AdoptionCreate,
    ImportedPractices,
    MunicipalityPractices,
    Practice,
    PracticeCounts,
    PracticeCreate,
    PracticeImport,
    PracticeUpdate,
    Revision,
)
from austausch.topics.schemas import TopicKey
from austausch.vocabulary import PracticeStatus
from zwk_common.auth import CallerDep
from zwk_common.db import SessionDep
from zwk_common.pagination import Page, PageDep

router = APIRouter(tags=["practices"])

Ids = Annotated[list[UUID], Query(min_length=1, max_length=100)]


@router.post("/practices", status_code=status.HTTP_201_CREATED, response_model=Practice)
async def create_practice(data: PracticeCreate, session: SessionDep, caller: CallerDep) -> Practice:
    """A municipality drafts a practice of its own."""
    return await service.create_practice(session, caller, data)


@router.post("/practices/import", status_code=status.HTTP_201_CREATED, response_model=ImportedPractices)
async def import_practices(data: PracticeImport, session: SessionDep, caller: CallerDep) -> ImportedPractices:
    """The office brings in up to 500 practices published before: all or none, searchable at once, announced
    to nobody (no follower is told, no `practice.published` is recorded)."""
    return await service.import_practices(session, caller, data)


@router.get("/practices", response_model=Page[Practice])
async def get_practices(
    session: SessionDep,
    caller: CallerDep,
    page: PageDep,
    ids: Annotated[
        list[UUID] | None, Query(max_length=100, description="batch read; other filters are ignored")
    ] = None,
    municipality_id: UUID | None = None,
    statuses: Annotated[list[PracticeStatus] | None, Query(alias="status", max_length=3)] = None,
    topics: Annotated[list[TopicKey] | None, Query(alias="topic", max_length=20)] = None,
) -> Page[Practice]:
    """Practices newest first, or a batch by `ids` in the order asked; drafts only for their municipality."""
    if ids:
        return await service.get_practices(session, caller, ids)
    wanted = PracticeQuery(municipality_id=municipality_id, statuses=statuses or (), topics=topics or ())
    return await service.list_practices(session, caller, wanted, page)


@router.get("/practices/counts", response_model=list[PracticeCounts])
async def get_practice_counts(
    session: SessionDep,
    caller: CallerDep,
    municipality_ids: Annotated[list[UUID], Query(alias="municipality_id", min_length=1, max_length=100)],
) -> list[PracticeCounts]:
    """Published practices and adoptions per municipality (the gateway's batch read)."""
    return await service.counts(session, municipality_ids)


@router.get("/practices/by-municipality", response_model=list[MunicipalityPractices])
async def get_practices_by_municipality(
    session: SessionDep,
    caller: CallerDep,
    municipality_ids: Annotated[list[UUID], Query(alias="municipality_id", min_length=1, max_length=100)],
    statuses: Annotated[list[PracticeStatus] | None, Query(alias="status", max_length=3)] = None,
    topics: Annotated[list[TopicKey] | None, Query(alias="topic", max_length=20)] = None,
    first: Annotated[int, Query(ge=0, le=100, description="page size per municipality; 0 counts only")] = 20,
) -> list[MunicipalityPractices]:
    """The first page of practices of up to 100 municipalities at once (the gateway's batch read).

    With `first=0` only `total_count` is given: no items, no cursor."""
    wanted = PracticeQuery(statuses=statuses or (), topics=topics or ())
    return await service.first_pages(session, caller, municipality_ids, wanted, first)


@router.get("/practices/{practice_id}", response_model=Practice)
async def get_practice(practice_id: UUID, session: SessionDep, caller: CallerDep) -> Practice:
    return await service.get_practice(session, caller, practice_id)


@router.patch("/practices/{practice_id}", response_model=Practice)
async def update_practice(practice_id: UUID, data: PracticeUpdate, session: SessionDep, caller: CallerDep) -> Practice:
    """The owning municipality edits; every edit is a new revision."""
    return await service.update_practice(session, caller, practice_id, data)


@router.post("/practices/{practice_id}/publish", response_model=Practice)
async def publish_practice(practice_id: UUID, session: SessionDep, caller: CallerDep) -> Practice:
    return await service.publish_practice(session, caller, practice_id)


@router.post("/practices/{practice_id}/archive", response_model=Practice)
async def archive_practice(practice_id: UUID, session: SessionDep, caller: CallerDep) -> Practice:
    return await service.archive_practice(session, caller, practice_id)


@router.get("/practices/{practice_id}/revisions", response_model=list[Revision])
async def get_revisions(practice_id: UUID, session: SessionDep, caller: CallerDep) -> list[Revision]:
    """Every revision, newest first."""
    return await service.revisions(session, caller, practice_id)


@router.post("/practices/{practice_id}/adoptions", status_code=status.HTTP_201_CREATED, response_model=Adoption)
async def adopt_practice(practice_id: UUID, data: AdoptionCreate, session: SessionDep, caller: CallerDep) -> Adoption:
    """ "We adopted this too": a municipality records taking up the practice, with a short result."""
    return await service.adopt_practice(session, caller, practice_id, data)


@router.get("/practices/{practice_id}/adoptions", response_model=Page[Adoption])
async def get_practice_adoptions(
    practice_id: UUID, session: SessionDep, caller: CallerDep, page: PageDep
) -> Page[Adoption]:
    return await service.list_adoptions(session, caller, practice_id=practice_id, municipality_id=None, page=page)


@router.get("/adoptions", response_model=Page[Adoption])
async def get_adoptions(
    session: SessionDep, caller: CallerDep, page: PageDep, municipality_id: UUID | None = None
) -> Page[Adoption]:
    """The transfer ledger, newest first; `municipality_id` keeps adoptions by or of that municipality."""
    return await service.list_adoptions(session, caller, practice_id=None, municipality_id=municipality_id, page=page)
