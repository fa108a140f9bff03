"""The rules of contacts: the municipality and the office keep them; removal erases the person."""

from __future__ import annotations

import uuid
from uuid import UUID

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from kommunen.contacts.repository import ContactRepository
from kommunen.contacts.schemas import Contact, ContactCreate, ContactUpdate
from kommunen.events import ContactAdded, ContactChanged, ContactRemoved
from kommunen.models import outbox
from kommunen.municipalities.permissions import require_own_or_office
from kommunen.municipalities.repository import MunicipalityRepository
from zwk_common.auth import Caller, Role
from zwk_common.errors import BadInput, Forbidden, NotFound
from zwk_common.pagination import Page, PageParams, decode_cursor, encode_cursor


def require_see_contacts(caller: Caller, municipality_id: UUID) -> None:
    """Contacts are personal data: the office, the municipality itself and its advisers; never a reader."""
    if caller.role is Role.READER:
        raise Forbidden("A reader never sees contacts.")
    if not caller.may_read_private(str(municipality_id)):
        raise Forbidden("The caller may not see this municipality's contacts.")


async def _require_municipality(session: AsyncSession, municipality_id: UUID) -> None:
    # A lock on the municipality orders its contact changes, so events leave in the order of the changes.
    if await MunicipalityRepository(session).get(municipality_id, for_update=True) is None:
        raise NotFound(f"No municipality with the id {municipality_id}.")


def _event_fields(contact: Contact) -> dict[str, object]:
    # Phone numbers stay here: no consumer needs them.
    return {
        "municipality_id": contact.municipality_id,
        "contact_id": contact.id,
        "name": contact.name,
        "function": contact.function,
        "email": contact.email,
        "subject": contact.subject,
    }


async def list_contacts(
    session: AsyncSession, caller: Caller, municipality_id: UUID, page: PageParams
) -> Page[Contact]:
    require_see_contacts(caller, municipality_id)
    if await MunicipalityRepository(session).get(municipality_id) is None:
        raise NotFound(f"No municipality with the id {municipality_id}.")
    after: tuple[str, UUID] | None = None
    if page.after:
        name, last_id = decode_cursor(page.after, 2)
        try:
            after = (str(name), UUID(str(last_id)))
        except ValueError as exc:
            raise BadInput("The cursor `after` is not one this service gave out.") from exc
    repository = ContactRepository(session)
    rows = await repository.page(municipality_id, after, page.first + 1)
    items = [Contact.model_validate(row) for row in rows[: page.first]]
    next_cursor = encode_cursor(items[-1].name, items[-1].id) if len(rows) > page.first else None
    return Page(items=items, next_cursor=next_cursor, total_count=await repository.count(municipality_id))


async def get_contact(session: AsyncSession, caller: Caller, municipality_id: UUID, contact_id: UUID) -> Contact:
    require_see_contacts(caller, municipality_id)
    return Contact.model_validate(await _existing(ContactRepository(session), municipality_id, contact_id))


async def _existing(
    repository: ContactRepository, municipality_id: UUID, contact_id: UUID, *, for_update: bool = False
) -> RowMapping:
    row = await repository.get(municipality_id, contact_id, for_update=for_update)
    if row is None:
        raise NotFound(f"The municipality has no contact {contact_id}.")
    return row


async def add_contact(session: AsyncSession, caller: Caller, municipality_id: UUID, data: ContactCreate) -> Contact:
    require_own_or_office(caller, municipality_id)
    await _require_municipality(session, municipality_id)
    row = await ContactRepository(session).add(
        {"id": uuid.uuid4(), "municipality_id": municipality_id, **data.model_dump()}
    )
    contact = Contact.model_validate(row)
    await outbox.record(session, ContactAdded(**_event_fields(contact)))  # type: ignore[arg-type]
    return contact


async def change_contact(
    session: AsyncSession, caller: Caller, municipality_id: UUID, contact_id: UUID, data: ContactUpdate
) -> Contact:
    require_own_or_office(caller, municipality_id)
    await _require_municipality(session, municipality_id)
    repository = ContactRepository(session)
    current = await _existing(repository, municipality_id, contact_id, for_update=True)
    values = {k: v for k, v in data.model_dump(exclude_unset=True).items() if current[k] != v}
    if not values:
        return Contact.model_validate(current)
    contact = Contact.model_validate(await repository.change(contact_id, values))
    if set(values) - {"phone"}:
        await outbox.record(session, ContactChanged(**_event_fields(contact)))  # type: ignore[arg-type]
    return contact


async def remove_contact(session: AsyncSession, caller: Caller, municipality_id: UUID, contact_id: UUID) -> None:
    """Erase the person here (row and the outbox's copies) and tell every consumer to erase theirs."""
    require_own_or_office(caller, municipality_id)
    await _require_municipality(session, municipality_id)
    repository = ContactRepository(session)
    await _existing(repository, municipality_id, contact_id, for_update=True)
    await repository.remove(contact_id)
    await repository.erase_from_outbox(contact_id)
    await outbox.record(session, ContactRemoved(municipality_id=municipality_id, contact_id=contact_id))
