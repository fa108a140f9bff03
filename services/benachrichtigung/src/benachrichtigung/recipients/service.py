"""Who can be told: kept from kommunen's and austausch's events and the office's own list."""

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from benachrichtigung.recipients.repository import RecipientRepository
from benachrichtigung.recipients.schemas import OfficeUser, OfficeUserPut
from zwk_common.auth import Caller, Role
from zwk_common.errors import NotFound
from zwk_common.inbox import InboxClaim
from zwk_common.pagination import Page, PageParams, decode_cursor, encode_cursor


async def keep_contact(
    session: AsyncSession,
    *,
    contact_id: UUID,
    municipality_id: UUID,
    name: str,
    function: str | None,
    email: str | None,
    subject: str | None,
) -> None:
    await RecipientRepository(session).upsert_contact(
        {
            "id": contact_id,
            "municipality_id": municipality_id,
            "name": name[:200],
            "function": function[:200] if function else None,
            "email": email.strip()[:320] if email and email.strip() else None,
            "subject": subject or None,
        }
    )


async def forget_contact(session: AsyncSession, contact_id: UUID) -> None:
    """Erase a removed contact, and everything told to them if nobody here knows them any more."""
    repository = RecipientRepository(session)
    recipient_id = await repository.remove_contact(contact_id)
    if recipient_id is not None and not await repository.is_known(recipient_id):
        await repository.erase(recipient_id)


async def keep_advisers(
    session: AsyncSession, municipality_id: UUID, subjects: Sequence[str], claim: InboxClaim
) -> bool:
    """The municipality's advisers as kommunen names them, in one statement with the event's inbox
    claim: False if the event was handled before."""
    return await RecipientRepository(session).replace_advisers(municipality_id, [s for s in subjects if s], claim)


async def follow(session: AsyncSession, subject: str, target_kind: str, target_id: str, email: str | None) -> None:
    await RecipientRepository(session).follow(subject, target_kind, target_id, (email or "").strip()[:320] or None)


async def unfollow(session: AsyncSession, subject: str, target_kind: str, target_id: str) -> None:
    await RecipientRepository(session).unfollow(subject, target_kind, target_id)


# --- the office's user list: only the office reads or changes it ---


async def office_users(session: AsyncSession, caller: Caller, page: PageParams) -> Page[OfficeUser]:
    caller.require_role(Role.OFFICE)
    after = decode_cursor(page.after, 1)[0] if page.after else None
    repository = RecipientRepository(session)
    rows = await repository.office_users_page(str(after) if after is not None else None, page.first + 1)
    items = [OfficeUser.model_validate(r) for r in rows[: page.first]]
    return Page[OfficeUser](
        items=items,
        next_cursor=encode_cursor(items[-1].subject) if len(rows) > page.first else None,
        total_count=await repository.count_office_users(),
    )


async def office_user(session: AsyncSession, caller: Caller, subject: str) -> OfficeUser:
    caller.require_role(Role.OFFICE)
    row = await RecipientRepository(session).get_office_user(subject)
    if row is None:
        raise NotFound(f"No office user {subject!r}.")
    return OfficeUser.model_validate(row)


async def put_office_user(
    session: AsyncSession, caller: Caller, subject: str, data: OfficeUserPut
) -> tuple[OfficeUser, bool]:
    """Add or change an office user; True if they were added."""
    caller.require_role(Role.OFFICE)
    repository = RecipientRepository(session)
    added = await repository.get_office_user(subject) is None
    row = await repository.put_office_user(subject, data.name, data.email)
    return OfficeUser.model_validate(row), added


async def remove_office_user(session: AsyncSession, caller: Caller, subject: str) -> None:
    caller.require_role(Role.OFFICE)
    repository = RecipientRepository(session)
    if not await repository.delete_office_user(subject):
        raise NotFound(f"No office user {subject!r}.")
    if not await repository.is_known(subject):
        await repository.erase(subject)
