"""All SQL about recipients: contacts, advisers, the office's user list, follows, and their addresses."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    RowMapping,
    Select,
    String,
    all_,
    bindparam,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from benachrichtigung.models import (
    advisers,
    contacts,
    deliveries,
    inbox,
    notifications,
    office_users,
    preferences,
    subscriptions,
)
from zwk_common.inbox import InboxClaim
from zwk_common.sql import insert


def has_address(recipient_id: ColumnElement[str]) -> ColumnElement[bool]:
    """Whether any source knows an e-mail address for the recipient (each an indexed lookup)."""
    return or_(
        exists().where(office_users.c.subject == recipient_id),
        exists().where(contacts.c.recipient_id == recipient_id, contacts.c.email.is_not(None)),
        exists().where(subscriptions.c.subject == recipient_id, subscriptions.c.email.is_not(None)),
    )


def addresses() -> Select[Any]:
    """Every known e-mail address by recipient, best source first (the office list, contacts, follows)."""
    return union_all(
        select(
            office_users.c.subject.label("recipient_id"),
            office_users.c.email,
            office_users.c.name,
            literal(1).label("rank"),
        ),
        select(contacts.c.recipient_id, contacts.c.email, contacts.c.name, literal(2).label("rank")).where(
            contacts.c.email.is_not(None)
        ),
        select(
            subscriptions.c.subject.label("recipient_id"),
            subscriptions.c.email,
            literal(None, String).label("name"),
            literal(3).label("rank"),
        ).where(subscriptions.c.email.is_not(None)),
    ).subquery("addresses")  # type: ignore[return-value]


def _replace_advisers() -> Select[Any]:
    """The advisers not among `subjects` removed and those new added, with the event's claim in the
    inbox (`OneStatement`): nothing changes unless the claim is new, which the statement answers.
    The removal and the addition touch different rows, so one statement does both."""
    municipality_id = bindparam("municipality_id", type_=advisers.c.municipality_id.type)
    subjects = bindparam("subjects", type_=ARRAY(advisers.c.subject.type))
    claimed = inbox.claim_is_new
    gone = delete(advisers).where(
        advisers.c.municipality_id == municipality_id, advisers.c.subject != all_(subjects), claimed
    )
    named = func.unnest(subjects).table_valued("subject").render_derived(name="named")
    added = (
        insert(advisers)
        .from_select(["municipality_id", "subject"], select(municipality_id, named.c.subject).where(claimed))
        .on_conflict_do_nothing()
    )
    return select(claimed).add_cte(gone.cte("gone"), added.cte("added"))


_REPLACE_ADVISERS = _replace_advisers()


class RecipientRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- contacts and advisers (from kommunen) ---

    async def upsert_contact(self, values: dict[str, Any]) -> None:
        statement = insert(contacts).values(**values, updated_at=func.now())
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[contacts.c.id],
                set_={**{k: statement.excluded[k] for k in values if k != "id"}, "updated_at": func.now()},
            )
        )

    async def remove_contact(self, contact_id: UUID) -> str | None:
        """Delete a contact; the recipient id they were told under, or None if unknown."""
        result = await self.session.execute(
            delete(contacts).where(contacts.c.id == contact_id).returning(contacts.c.recipient_id)
        )
        return result.scalar_one_or_none()

    async def replace_advisers(self, municipality_id: UUID, subjects: Sequence[str], claim: InboxClaim) -> bool:
        """Make `subjects` the municipality's advisers, in one statement that also claims the event
        in the inbox; False (and nothing changed) if it was claimed before."""
        parameters = {"municipality_id": municipality_id, "subjects": sorted(set(subjects)), **claim.values}
        return bool((await self.session.execute(_REPLACE_ADVISERS, parameters)).scalar_one())

    # --- follows (from austausch) ---

    async def follow(self, subject: str, target_kind: str, target_id: str, email: str | None) -> None:
        statement = insert(subscriptions).values(
            subject=subject, target_kind=target_kind, target_id=target_id, email=email
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[subscriptions.c.target_kind, subscriptions.c.target_id, subscriptions.c.subject],
                set_={"email": statement.excluded.email},
            )
        )

    async def unfollow(self, subject: str, target_kind: str, target_id: str) -> None:
        await self.session.execute(
            delete(subscriptions).where(
                subscriptions.c.subject == subject,
                subscriptions.c.target_kind == target_kind,
                subscriptions.c.target_id == target_id,
            )
        )

    # --- the office's user list ---

    async def office_users_page(self, after: str | None, limit: int) -> list[RowMapping]:
        query = select(office_users).order_by(office_users.c.subject).limit(limit)
        if after is not None:
            query = query.where(office_users.c.subject > after)
        return list((await self.session.execute(query)).mappings())

    async def count_office_users(self) -> int:
        return int((await self.session.execute(select(func.count()).select_from(office_users))).scalar_one())

    async def get_office_user(self, subject: str) -> RowMapping | None:
        result = await self.session.execute(select(office_users).where(office_users.c.subject == subject))
        return result.mappings().first()

    async def put_office_user(self, subject: str, name: str, email: str) -> RowMapping:
        statement = insert(office_users).values(subject=subject, name=name, email=email)
        result = await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[office_users.c.subject],
                set_={"name": name, "email": email, "updated_at": func.now()},
            ).returning(office_users)
        )
        return result.mappings().one()

    async def delete_office_user(self, subject: str) -> bool:
        result = await self.session.execute(
            delete(office_users).where(office_users.c.subject == subject).returning(office_users.c.subject)
        )
        return result.first() is not None

    # --- who is known, and erasure ---

    async def is_known(self, recipient_id: str) -> bool:
        known = select(
            or_(
                exists().where(contacts.c.recipient_id == recipient_id),
                exists().where(advisers.c.subject == recipient_id),
                exists().where(office_users.c.subject == recipient_id),
                exists().where(subscriptions.c.subject == recipient_id),
            )
        )
        return bool((await self.session.execute(known)).scalar_one())

    async def erase(self, recipient_id: str) -> None:
        """Forget everything told to a recipient: notifications, queued messages, preferences."""
        # Deliveries of single notifications go with them (cascade); digests name the target.
        await self.session.execute(delete(notifications).where(notifications.c.recipient_id == recipient_id))
        await self.session.execute(
            delete(deliveries).where(deliveries.c.channel == "email", deliveries.c.target == recipient_id)
        )
        await self.session.execute(delete(preferences).where(preferences.c.recipient_id == recipient_id))

    async def addresses_of(self, recipient_ids: Sequence[str]) -> dict[str, RowMapping]:
        """The best known address of each recipient that has one."""
        known = addresses()
        result = await self.session.execute(
            select(known.c.recipient_id, known.c.email, known.c.name)
            .distinct(known.c.recipient_id)
            .where(known.c.recipient_id.in_(list(recipient_ids)))
            .order_by(known.c.recipient_id, known.c.rank)
        )
        return {row["recipient_id"]: row for row in result.mappings()}
