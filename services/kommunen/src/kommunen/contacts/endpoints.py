"""Thin HTTP routes of a municipality's contacts."""

from uuid import UUID

from fastapi import APIRouter, Response, status

from kommunen.contacts import service
from kommunen.contacts.schemas import Contact, ContactCreate, ContactUpdate
from zwk_common.auth import CallerDep
from zwk_common.db import SessionDep
from zwk_common.pagination import Page, PageDep

router = APIRouter(prefix="/municipalities/{municipality_id}/contacts", tags=["contacts"])


@router.get("", response_model=Page[Contact], summary="The contacts (not for readers)")
async def list_contacts(municipality_id: UUID, session: SessionDep, caller: CallerDep, page: PageDep) -> Page[Contact]:
    return await service.list_contacts(session, caller, municipality_id, page)


@router.get("/{contact_id}", response_model=Contact)
async def get_contact(municipality_id: UUID, contact_id: UUID, session: SessionDep, caller: CallerDep) -> Contact:
    return await service.get_contact(session, caller, municipality_id, contact_id)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Contact)
async def add_contact(municipality_id: UUID, data: ContactCreate, session: SessionDep, caller: CallerDep) -> Contact:
    return await service.add_contact(session, caller, municipality_id, data)


@router.patch("/{contact_id}", response_model=Contact)
async def change_contact(
    municipality_id: UUID, contact_id: UUID, data: ContactUpdate, session: SessionDep, caller: CallerDep
) -> Contact:
    return await service.change_contact(session, caller, municipality_id, contact_id, data)


@router.delete("/{contact_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Remove and erase the person")
async def remove_contact(municipality_id: UUID, contact_id: UUID, session: SessionDep, caller: CallerDep) -> Response:
    await service.remove_contact(session, caller, municipality_id, contact_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
