"""The rules of moderation: anyone who writes reports, only the office hides; hidden is kept, not deleted."""

import uuid
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from austausch import access
from austausch.events import AnswerHidden, CommentHidden, PracticeHidden, QuestionHidden, ReportFiled
from austausch.models import outbox
from austausch.moderation.repository import ModerationRepository
from austausch.moderation.schemas import (
    BulkAction,
    BulkResult,
    HideRequest,
    Moderated,
    QueuedReport,
    Report,
    ReportCreate,
)
from austausch.paging import after_created, next_created
from austausch.practices import service as practices
from austausch.search.repository import SearchRepository
from austausch.vocabulary import ContentKind, EntryKind, PracticeStatus, ReportAction, ReportStatus
from zwk_common.auth import Caller
from zwk_common.errors import BadInput, Conflict, NotFound
from zwk_common.pagination import Page, PageParams

HIDDEN_EVENTS = {
    ContentKind.QUESTION: QuestionHidden,
    ContentKind.ANSWER: AnswerHidden,
    ContentKind.COMMENT: CommentHidden,
}
INDEXED = {ContentKind.PRACTICE: EntryKind.PRACTICE, ContentKind.QUESTION: EntryKind.QUESTION}


async def file_report(session: AsyncSession, caller: Caller, data: ReportCreate) -> Report:
    caller.require_writer()
    repository = ModerationRepository(session)
    target = await repository.target(data.target_kind, data.target_id)
    if target is None or not access.may_see(caller, target, published=target["status"] != PracticeStatus.DRAFT):
        raise NotFound(f"No {data.target_kind.value} with this id.")
    report_id = uuid.uuid4()
    filed = await repository.add_report(
        {
            "id": report_id,
            "target_kind": data.target_kind.value,
            "target_id": data.target_id,
            "reason": data.reason,
            "reporter_subject": caller.subject,
        }
    )
    if not filed:
        raise Conflict("You have already reported this; the office has not decided yet.")
    await outbox.record(
        session,
        ReportFiled(
            report_id=report_id, target_kind=data.target_kind.value, target_id=data.target_id, reason=data.reason
        ),
    )
    return Report.model_validate(await repository.report(report_id))


async def queue(
    session: AsyncSession, caller: Caller, status: ReportStatus, kind: ContentKind | None, page: PageParams
) -> Page[QueuedReport]:
    """The office's moderation queue, oldest report first."""
    access.require_office(caller)
    repository = ModerationRepository(session)
    rows, total = await repository.queue(status, kind, after_created(page.after), page.first + 1)
    shown = rows[: page.first]
    targets: dict[tuple[str, UUID], Mapping[Any, Any]] = {}
    for content_kind in ContentKind:
        ids = [r["target_id"] for r in shown if r["target_kind"] == content_kind.value]
        if ids:
            for target_id, row in (await repository.targets(content_kind, ids)).items():
                targets[(content_kind.value, target_id)] = row
    open_counts = await repository.open_counts([(r["target_kind"], r["target_id"]) for r in shown])
    items = []
    for row in shown:
        key = (row["target_kind"], row["target_id"])
        target = targets.get(key)
        items.append(
            QueuedReport.model_validate(
                {
                    **row,
                    "target_title": target["title"] if target else None,
                    "target_municipality_id": target["municipality_id"] if target else None,
                    "target_hidden": bool(target and target["hidden_at"] is not None),
                    "open_reports_on_target": open_counts.get(key, 0),
                }
            )
        )
    return Page(items=items, next_cursor=next_created(rows, page.first), total_count=total)


async def hide(
    session: AsyncSession, caller: Caller, kind: ContentKind, target_id: UUID, data: HideRequest
) -> Moderated:
    access.require_office(caller)
    moderated = await _hide(session, caller, kind, target_id, data.reason)
    await ModerationRepository(session).resolve(
        target=(kind, target_id), status=ReportStatus.HIDDEN, by=caller.subject, note=data.reason
    )
    return moderated


async def restore(session: AsyncSession, caller: Caller, kind: ContentKind, target_id: UUID) -> Moderated:
    """The office takes a hiding back; the content is shown (and found) again."""
    access.require_office(caller)
    repository = ModerationRepository(session)
    target = await repository.target(kind, target_id, for_update=True)
    if target is None:
        raise NotFound(f"No {kind.value} with this id.")
    if target["hidden_at"] is not None:
        await repository.restore(kind, target_id)
        if kind in INDEXED:
            await SearchRepository(session).refresh(INDEXED[kind], target_id)
    return _moderated(kind, await repository.target(kind, target_id))


async def bulk(session: AsyncSession, caller: Caller, data: BulkAction) -> BulkResult:
    """Decide many reports at once: hide what they are about, or dismiss them. All or nothing."""
    access.require_office(caller)
    repository = ModerationRepository(session)
    wanted = list(dict.fromkeys(data.report_ids))
    found = {row["id"]: row for row in await repository.reports_by_id(wanted)}
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        raise BadInput(f"Unknown reports: {', '.join(missing)}.", unknown_reports=missing)
    decided = [str(i) for i in wanted if found[i]["status"] != ReportStatus.OPEN.value]
    if decided:
        raise Conflict(f"Already decided: {', '.join(decided)}.", decided_reports=decided)
    if data.action is ReportAction.DISMISS:
        count = await repository.resolve(
            report_ids=wanted, status=ReportStatus.DISMISSED, by=caller.subject, note=data.reason
        )
        return BulkResult(resolved_reports=count, hidden=[])
    assert data.reason is not None
    hidden = []
    count = 0
    targets = dict.fromkeys((ContentKind(found[i]["target_kind"]), found[i]["target_id"]) for i in wanted)
    for kind, target_id in targets:
        hidden.append(await _hide(session, caller, kind, target_id, data.reason))
        count += await repository.resolve(
            target=(kind, target_id), status=ReportStatus.HIDDEN, by=caller.subject, note=data.reason
        )
    return BulkResult(resolved_reports=count, hidden=hidden)


async def _hide(session: AsyncSession, caller: Caller, kind: ContentKind, target_id: UUID, reason: str) -> Moderated:
    repository = ModerationRepository(session)
    target = await repository.target(kind, target_id, for_update=True)
    if target is None:
        raise NotFound(f"No {kind.value} with this id.")
    if target["hidden_at"] is not None:
        return _moderated(kind, target)
    await repository.hide(kind, target_id, reason, caller.subject)
    if kind in INDEXED:
        await SearchRepository(session).remove(INDEXED[kind], target_id)
    if kind is ContentKind.PRACTICE:
        practice = await practices.get_practice(session, caller, target_id)
        await outbox.record(session, PracticeHidden(**practices.event_fields(practice, caller.subject), reason=reason))
    else:
        await outbox.record(
            session,
            HIDDEN_EVENTS[kind](
                target_id=target_id,
                municipality_id=target["municipality_id"],
                author_subject=target["author_subject"],
                reason=reason,
            ),
        )
    return _moderated(kind, await repository.target(kind, target_id))


def _moderated(kind: ContentKind, row: Mapping[Any, Any] | None) -> Moderated:
    assert row is not None
    return Moderated(
        target_kind=kind,
        target_id=row["id"],
        hidden=row["hidden_at"] is not None,
        hidden_at=row["hidden_at"],
        hidden_reason=row["hidden_reason"],
    )
