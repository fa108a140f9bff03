"""Thin HTTP routes of the inbox, preferences and the unsubscribe link."""

from html import escape
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from benachrichtigung.config import Settings
from benachrichtigung.notifications import service
from benachrichtigung.notifications.schemas import MarkedRead, Notification, Preference, PreferenceUpdate, UnreadCount
from benachrichtigung.notifications.unsubscribe import read_unsubscribe_token
from zwk_common.auth import CallerDep
from zwk_common.db import SessionDep
from zwk_common.pagination import Page, PageDep

router = APIRouter(tags=["inbox"])
preferences_router = APIRouter(prefix="/preferences", tags=["preferences"])
unsubscribe_router = APIRouter(prefix="/unsubscribe", tags=["preferences"])

KindPath = Annotated[str, Path(min_length=1, max_length=40)]
Token = Annotated[str, Query(min_length=1, max_length=2000)]


@router.get("/inbox", response_model=Page[Notification])
async def get_inbox(
    session: SessionDep,
    caller: CallerDep,
    page: PageDep,
    unread: Annotated[bool, Query(description="only unread notifications")] = False,
) -> Page[Notification]:
    """The caller's own notifications, newest first."""
    return await service.inbox(session, caller, page, unread_only=unread)


@router.get("/inbox/unread-count", response_model=UnreadCount)
async def get_unread_count(session: SessionDep, caller: CallerDep) -> UnreadCount:
    return await service.unread_count(session, caller)


@router.post("/inbox/read-all", response_model=MarkedRead)
async def mark_all_read(session: SessionDep, caller: CallerDep) -> MarkedRead:
    return await service.mark_all_read(session, caller)


@router.post("/inbox/{notification_id}/read", response_model=Notification)
async def mark_read(notification_id: UUID, session: SessionDep, caller: CallerDep) -> Notification:
    return await service.mark_read(session, caller, notification_id)


@preferences_router.get("", response_model=list[Preference])
async def get_preferences(session: SessionDep, caller: CallerDep) -> list[Preference]:
    """The caller's e-mail frequency for every kind of notification (defaults where none was chosen)."""
    return await service.preferences_of(session, caller.subject)


@preferences_router.put("/{kind}", response_model=Preference)
async def put_preference(kind: KindPath, data: PreferenceUpdate, session: SessionDep, caller: CallerDep) -> Preference:
    return await service.set_preference(session, caller, kind, data)


def _settings(request: Request) -> Settings:
    return request.app.state.runtime.settings  # type: ignore[no-any-return]


def _page(title: str, text: str, form_token: str | None = None) -> HTMLResponse:
    form = (
        f'<form method="post" action="?token={escape(form_token)}"><button type="submit">Abbestellen</button></form>'
        if form_token
        else ""
    )
    return HTMLResponse(
        f'<!doctype html><html lang="de"><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<body><h1>{escape(title)}</h1><p>{escape(text)}</p>{form}</body></html>"
    )


@unsubscribe_router.get("", response_class=HTMLResponse)
async def confirm_unsubscribe(token: Token, request: Request) -> HTMLResponse:
    """The page an e-mail's unsubscribe link opens; it asks before changing anything."""
    # Mail scanners open links; only the POST below (the button, or RFC 8058 one-click) unsubscribes.
    read_unsubscribe_token(_settings(request), token)
    return _page("E-Mails abbestellen", "Möchten Sie diese E-Mail-Benachrichtigungen abbestellen?", token)


@unsubscribe_router.post("", response_class=HTMLResponse)
async def unsubscribe(token: Token, request: Request, session: SessionDep) -> HTMLResponse:
    recipient_id, kinds = read_unsubscribe_token(_settings(request), token)
    stopped = await service.unsubscribe(session, recipient_id, kinds)
    return _page(
        "Abbestellt",
        "Sie erhalten keine E-Mails mehr zu: " + ", ".join(stopped) + ". Ihr Posteingang bleibt unverändert."
        if stopped
        else "Es gab nichts abzubestellen.",
    )
