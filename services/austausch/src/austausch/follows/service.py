"""The rules of follows and bookmarks: a person's own, of things that exist and they may read.

austausch owns follows; benachrichtigung keeps them from the follow events and fans out itself.
"""

import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from austausch.events import FollowStarted, FollowStopped
from austausch.follows.repository import PersonalListRepository, bookmark_repository, follow_repository
from austausch.follows.schemas import Bookmark, Follow
from austausch.models import outbox
from austausch.practices import service as practices
from austausch.questions import service as questions
from austausch.topics import service as topics
from austausch.vocabulary import EntryKind, FollowKind
from zwk_common.auth import Caller
from zwk_common.errors import BadInput, NotFound
from zwk_common.pagination import Page, PageParams, decode_cursor, encode_cursor

TOPIC_KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


async def follow(session: AsyncSession, caller: Caller, kind: FollowKind, target_id: str) -> tuple[Follow, bool]:
    """Start following; the boolean says whether it is new (following twice changes nothing)."""
    caller.require_writer()
    key = await _require_target(session, caller, kind, target_id)
    repository = follow_repository(session)
    created = await repository.add(
        {"subject": caller.subject, "target_kind": kind.value, "target_id": key, "email": caller.email}
    )
    if created:
        await outbox.record(
            session, FollowStarted(subject=caller.subject, target_kind=kind.value, target_id=key, email=caller.email)
        )
    row = await repository.get(caller.subject, kind.value, key)
    return Follow.model_validate(row), created


async def unfollow(session: AsyncSession, caller: Caller, kind: FollowKind, target_id: str) -> None:
    caller.require_writer()
    key = _key(kind, target_id)
    removed = await follow_repository(session).remove(caller.subject, kind.value, key)
    if removed is not None:
        await outbox.record(
            session,
            FollowStopped(subject=caller.subject, target_kind=kind.value, target_id=key, email=removed["email"]),
        )


async def my_follows(session: AsyncSession, caller: Caller, page: PageParams) -> Page[Follow]:
    return await _page(follow_repository(session), caller, page, Follow.model_validate)


async def bookmark(session: AsyncSession, caller: Caller, kind: EntryKind, target_id: UUID) -> tuple[Bookmark, bool]:
    caller.require_writer()
    await _require_target(session, caller, FollowKind(kind.value), str(target_id))
    repository = bookmark_repository(session)
    created = await repository.add({"subject": caller.subject, "target_kind": kind.value, "target_id": target_id})
    return Bookmark.model_validate(await repository.get(caller.subject, kind.value, target_id)), created


async def remove_bookmark(session: AsyncSession, caller: Caller, kind: EntryKind, target_id: UUID) -> None:
    caller.require_writer()
    await bookmark_repository(session).remove(caller.subject, kind.value, target_id)


async def my_bookmarks(session: AsyncSession, caller: Caller, page: PageParams) -> Page[Bookmark]:
    return await _page(bookmark_repository(session), caller, page, Bookmark.model_validate)


async def _page(
    repository: PersonalListRepository, caller: Caller, page: PageParams, build: Callable[[Any], Any]
) -> Page[Any]:
    after = None
    if page.after is not None:
        created_at, kind, target = decode_cursor(page.after, 3)
        try:
            after = (datetime.fromisoformat(str(created_at)), FollowKind(kind).value, _stored(repository, str(target)))
            if repository.table.name == "follows" and FollowKind(kind) is FollowKind.TOPIC:
                _key(FollowKind.TOPIC, str(target))
        except (ValueError, BadInput) as exc:
            raise BadInput("The cursor `after` is not one this service gave out.") from exc
    rows, total = await repository.page(caller.subject, after, page.first + 1)
    next_cursor = None
    if len(rows) > page.first:
        last = rows[page.first - 1]
        next_cursor = encode_cursor(last["created_at"].isoformat(), last["target_kind"], str(last["target_id"]))
    return Page(items=[build(row) for row in rows[: page.first]], next_cursor=next_cursor, total_count=total)


def _stored(repository: PersonalListRepository, target: str) -> Any:
    return UUID(target) if repository.table.name == "bookmarks" else target


def _key(kind: FollowKind, target_id: str) -> str:
    if kind is FollowKind.TOPIC:
        if not TOPIC_KEY.fullmatch(target_id):
            raise BadInput(f"{target_id[:80]!r} is not a topic key.")
        return target_id
    try:
        return str(UUID(target_id))
    except ValueError as exc:
        raise BadInput(f"A {kind.value} is named by its UUID, not {target_id[:80]!r}.") from exc


async def _require_target(session: AsyncSession, caller: Caller, kind: FollowKind, target_id: str) -> str:
    key = _key(kind, target_id)
    lookups: dict[FollowKind, Callable[[], Awaitable[object]]] = {
        FollowKind.TOPIC: lambda: topics.require_known(session, [key]),
        FollowKind.PRACTICE: lambda: practices.get_practice(session, caller, UUID(key)),
        FollowKind.QUESTION: lambda: questions.get_question(session, caller, UUID(key)),
    }
    try:
        await lookups[kind]()
    except BadInput as exc:
        raise NotFound(f"No topic {key!r}.") from exc
    return key
