"""What every record of a process obeys, whichever stage it belongs to."""

from typing import Any
from uuid import UUID

from sqlalchemy import Column, Table

from prozess.repository import Repository
from zwk_common.errors import BadInput, Conflict, NotFound


async def remove_unless_an_origin(
    repository: Repository, table: Table, row_id: UUID, process_id: UUID, *, noun: str, origin_of: Column[Any]
) -> None:
    """Remove a record of this process, unless something recorded later came from it: origins are history."""
    if await repository.one_of_process(table, row_id, process_id) is None:
        raise NotFound(f"The process has no {noun} {row_id}.")
    grown = await repository.titles_pointing_at(origin_of, row_id)
    if grown:
        raise Conflict(f"{', '.join(grown)} came from this {noun}; it stays as their origin.")
    await repository.remove(table, row_id, process_id)


async def require_origin_of_process(
    repository: Repository, table: Table, row_id: UUID | None, process_id: UUID, *, noun: str
) -> None:
    """A record names as its origin only a record of the same process."""
    if row_id is not None and await repository.one_of_process(table, row_id, process_id) is None:
        raise BadInput(f"The {noun} {row_id} is not one of this process.")
