"""Thin HTTP routes of the office's user list."""

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from benachrichtigung.recipients import service
from benachrichtigung.recipients.schemas import OfficeUser, OfficeUserPut
from zwk_common.auth import CallerDep
from zwk_common.db import SessionDep
from zwk_common.pagination import Page, PageDep

router = APIRouter(prefix="/office-users", tags=["office users"])

Subject = Annotated[str, Path(min_length=1, max_length=200, description="the person's subject (JWT `sub`)")]


@router.get("", response_model=Page[OfficeUser])
async def list_office_users(session: SessionDep, caller: CallerDep, page: PageDep) -> Page[OfficeUser]:
    """The office's people who are told of what the office hears of (office only)."""
    return await service.office_users(session, caller, page)


@router.get("/{subject}", response_model=OfficeUser)
async def get_office_user(subject: Subject, session: SessionDep, caller: CallerDep) -> OfficeUser:
    return await service.office_user(session, caller, subject)


@router.put("/{subject}", response_model=OfficeUser)
async def put_office_user(
    subject: Subject, data: OfficeUserPut, session: SessionDep, caller: CallerDep, response: Response
) -> OfficeUser:
    """Add a person to the office's list, or change their name or address (201 when added)."""
    user, added = await service.put_office_user(session, caller, subject, data)
    response.status_code = status.HTTP_201_CREATED if added else status.HTTP_200_OK
    return user


@router.delete("/{subject}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_office_user(subject: Subject, session: SessionDep, caller: CallerDep) -> Response:
    await service.remove_office_user(session, caller, subject)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
