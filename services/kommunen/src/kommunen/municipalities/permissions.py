"""Who may read and change a municipality record."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from kommunen.municipalities.schemas import Municipality
from zwk_common.auth import Caller, Role
from zwk_common.errors import Forbidden


def require_read(caller: Caller, municipality_id: UUID) -> None:
    """An adviser reads only the municipalities assigned to it; everyone else reads the public record."""
    if caller.role is Role.ADVISER and not caller.may_act_for(str(municipality_id)):
        raise Forbidden("This municipality is not assigned to the adviser.")


def require_own_or_office(caller: Caller, municipality_id: UUID) -> None:
    """The office, or the municipality itself (not its adviser, not a reader)."""
    if caller.is_office:
        return
    if caller.role is Role.MUNICIPALITY and caller.may_act_for(str(municipality_id)):
        return
    raise Forbidden("Only the office and the municipality itself may change this.")


def sees_private(caller: Caller, municipality_id: UUID) -> bool:
    return caller.role is not Role.READER and caller.may_read_private(str(municipality_id))


def advisers_shown_for(caller: Caller) -> list[UUID] | None:
    """`sees_private` as a set, for a list written by PostgreSQL: the municipalities whose advisers
    the caller sees, None for all of them."""
    if caller.role is Role.READER:
        return []
    scope = caller.assigned()
    return None if scope is None else _uuids(scope)


def visible_to(caller: Caller, municipality: Municipality) -> Municipality:
    if sees_private(caller, municipality.id):
        return municipality
    return municipality.model_copy(update={"adviser_subjects": None})


def adviser_scope(caller: Caller) -> list[UUID] | None:
    if caller.role is not Role.ADVISER:
        return None
    return _uuids(caller.municipality_ids)


def _uuids(values: Iterable[str]) -> list[UUID]:
    """The ids a token names; anything else in it names no municipality."""
    found = []
    for value in values:
        try:
            found.append(UUID(value))
        except ValueError:
            continue
    return found
