"""Thin HTTP routes of reports and moderation."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from austausch.moderation import service
from austausch.moderation.schemas import (
    BulkAction,
    BulkResult,
    HideRequest,
    Moderated,
    QueuedReport,
    Report,
    ReportCreate,
)
from austausch.vocabulary import ContentKind, ReportStatus
from zwk_common.auth import CallerDep
from zwk_common.db import SessionDep
from zwk_common.pagination import Page, PageDep

router = APIRouter(tags=["moderation"])


@router.post("/reports", status_code=status.HTTP_201_CREATED, response_model=Report)
async def file_report(data: ReportCreate, session: SessionDep, caller: CallerDep) -> Report:
    """Report a practice, question, answer or comment to the office."""
    return await service.file_report(session, caller, data)


@router.get("/moderation/reports", response_model=Page[QueuedReport])
async def moderation_queue(
    session: SessionDep,
    caller: CallerDep,
    page: PageDep,
    report_status: Annotated[ReportStatus, Query(alias="status")] = ReportStatus.OPEN,
    target_kind: ContentKind | None = None,
) -> Page[QueuedReport]:
    """The office's queue, oldest report first."""
    return await service.queue(session, caller, report_status, target_kind, page)


@router.post("/moderation/reports/bulk", response_model=BulkResult)
async def decide_reports(data: BulkAction, session: SessionDep, caller: CallerDep) -> BulkResult:
    """Hide what many reports are about, or dismiss them; all or nothing."""
    return await service.bulk(session, caller, data)


@router.post("/moderation/{target_kind}/{target_id}/hide", response_model=Moderated)
async def hide(
    target_kind: ContentKind, target_id: UUID, data: HideRequest, session: SessionDep, caller: CallerDep
) -> Moderated:
    """The office hides content with a reason; it is kept, and its author is told."""
    return await service.hide(session, caller, target_kind, target_id, data)


@router.post("/moderation/{target_kind}/{target_id}/restore", response_model=Moderated)
async def restore(target_kind: ContentKind, target_id: UUID, session: SessionDep, caller: CallerDep) -> Moderated:
    return await service.restore(session, caller, target_kind, target_id)
