"""Who sees and who writes what in the forum."""

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from zwk_common.auth import Caller, Role
from zwk_common.errors import BadInput, Forbidden, NotFound


def acts_for(caller: Caller, municipality_id: UUID | str | None) -> bool:
    """The municipality itself, its assigned advisers, and the office."""
    return municipality_id is not None and caller.may_act_for(str(municipality_id))


def scope_of(caller: Caller) -> frozenset[UUID] | None:
    """The municipalities whose unpublished entries the caller sees; None means all (the office)."""
    assigned = caller.assigned()
    if assigned is None:
        return None
    scope = set()
    for value in assigned:
        try:
            scope.add(UUID(value))
        except ValueError:
            continue
    return frozenset(scope)


def may_see(caller: Caller, row: Mapping[Any, Any], *, published: bool = True) -> bool:
    """Published content is open to everyone signed in; drafts and hidden content to their municipality
    (and its helpers, and the office) and to whoever wrote it."""
    if acts_for(caller, row.get("municipality_id")) or row.get("author_subject") == caller.subject:
        return True
    return published and row.get("hidden_at") is None


def require_visible(caller: Caller, row: Mapping[Any, Any] | None, what: str, *, published: bool = True) -> None:
    # Invisible is answered like absent, so nobody learns that a draft or hidden entry exists.
    if row is None or not may_see(caller, row, published=published):
        raise NotFound(f"No {what} with this id.")


def require_author_municipality(caller: Caller, municipality_id: UUID | str) -> None:
    caller.require_writer()
    if not acts_for(caller, municipality_id):
        raise Forbidden("Only the municipality that owns this entry may change it.")


def writing_municipality(caller: Caller, municipality_id: UUID | None) -> UUID | None:
    """The municipality a contribution (answer, comment) is written for: the one named, or the caller's own."""
    caller.require_writer()
    if municipality_id is not None:
        if not acts_for(caller, municipality_id):
            raise Forbidden("The caller may not write for this municipality.")
        return municipality_id
    if caller.role is Role.MUNICIPALITY and caller.municipality_id:
        try:
            return UUID(caller.municipality_id)
        except ValueError as exc:
            raise BadInput("The token's municipality_id is not a UUID.") from exc
    return None


def require_office(caller: Caller) -> None:
    caller.require_role(Role.OFFICE)
