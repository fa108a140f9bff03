"""Who may read and change which process, and finding the process a request is about."""

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from prozess.process.repository import ProcessRepository
from prozess.vocabulary import Programme
from zwk_common.auth import Caller, Role
from zwk_common.errors import Conflict, Forbidden, NotFound


@dataclass(frozen=True)
class ProcessRef:
    id: UUID
    municipality_id: UUID
    municipality_name: str
    programme: str
    active: bool
    population: int | None


def readable_scope(caller: Caller) -> frozenset[UUID] | None:
    """The municipalities whose processes the caller may read; None means all (office, reader)."""
    if caller.role in (Role.OFFICE, Role.READER):
        return None
    scope = set()
    for claimed in caller.assigned():
        try:
            scope.add(UUID(claimed))
        except ValueError:
            continue  # a claim that names no municipality grants nothing
    return frozenset(scope)


def may_read(caller: Caller, municipality_id: UUID) -> bool:
    scope = readable_scope(caller)
    return scope is None or municipality_id in scope


def require_read(caller: Caller, municipality_id: UUID) -> None:
    if not may_read(caller, municipality_id):
        raise Forbidden("The caller may not read the process of this municipality.")


def require_write(caller: Caller, municipality_id: UUID) -> None:
    caller.require_writer()
    caller.require_act_for(str(municipality_id))


async def main_programme(session: AsyncSession, caller: Caller, municipality_id: UUID, *, to_change: bool) -> Programme:
    """The programme of the municipality's main process (ZWK before DAKS before DWK).

    Asked only by those who may read its process, or change it where that is what they ask for:
    to others a municipality has none.
    """
    if to_change:
        require_write(caller, municipality_id)
    else:
        require_read(caller, municipality_id)
    repository = ProcessRepository(session)
    found = await repository.locate_main(municipality_id, lock=to_change)
    if found is not None:
        _hand_over(session, found, locked=to_change)
        return Programme(found["programme"])
    if await repository.municipality(municipality_id) is None:
        raise NotFound(f"No municipality with the id {municipality_id} takes part in any programme.")
    raise NotFound(f"The municipality {municipality_id} has no process.")


async def readable_process(
    session: AsyncSession, caller: Caller, municipality_id: UUID, programme: Programme
) -> ProcessRef:
    require_read(caller, municipality_id)
    return await _locate(session, municipality_id, programme, lock=False)


async def writable_process(
    session: AsyncSession, caller: Caller, municipality_id: UUID, programme: Programme
) -> ProcessRef:
    """The process, locked until the request's transaction ends: changes of one process run one at a time."""
    require_write(caller, municipality_id)
    process = await _locate(session, municipality_id, programme, lock=True)
    if not process.active:
        raise Conflict(f"The municipality no longer takes part in {programme}; its process is kept as a record only.")
    return process


# A process found while `main` in the path was resolved, kept in the session for the one request it
# belongs to: the service then locates it without asking the database a second time.
_FOUND = "prozess.main_process"


def _hand_over(session: AsyncSession, row: RowMapping, *, locked: bool) -> None:
    session.info[_FOUND] = (row, locked)


def _handed_over(
    session: AsyncSession, municipality_id: UUID, programme: Programme, *, lock: bool
) -> RowMapping | None:
    found = session.info.pop(_FOUND, None)
    if found is None:
        return None
    row, locked = found
    if row["municipality_id"] != municipality_id or row["programme"] != programme.value or (lock and not locked):
        return None
    return row  # type: ignore[no-any-return]


async def _locate(session: AsyncSession, municipality_id: UUID, programme: Programme, *, lock: bool) -> ProcessRef:
    row = _handed_over(session, municipality_id, programme, lock=lock)
    if row is None:
        row = await ProcessRepository(session).locate(municipality_id, programme.value, lock=lock)
    if row is None:
        if await ProcessRepository(session).municipality(municipality_id) is None:
            raise NotFound(f"No municipality with the id {municipality_id} takes part in any programme.")
        raise NotFound(f"The municipality {municipality_id} has no process in the programme {programme}.")
    return ProcessRef(
        id=row["id"],
        municipality_id=row["municipality_id"],
        municipality_name=row["name"],
        programme=row["programme"],
        active=row["active"],
        population=row["population"],
    )
