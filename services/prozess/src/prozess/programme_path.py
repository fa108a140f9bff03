"""The programme segment of a process's path: a programme, or `main` for the municipality's main process."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Literal
from uuid import UUID

from fastapi import Depends, Path

from prozess import access
from prozess.vocabulary import Programme
from zwk_common.auth import CallerDep
from zwk_common.db import SessionDep

MAIN = "main"
ProgrammeOrMain = Annotated[
    Programme | Literal["main"],
    Path(description="a programme, or `main`: the municipality's main process (ZWK before DAKS before DWK)"),
]


def _programme_meant(*, to_change: bool) -> Callable[..., Awaitable[Programme]]:
    async def meant(
        municipality_id: UUID, programme: ProgrammeOrMain, session: SessionDep, caller: CallerDep
    ) -> Programme:
        """The programme a path names; `main` is chosen here, so that a caller need not ask first."""
        if programme == MAIN:
            return await access.main_programme(session, caller, municipality_id, to_change=to_change)
        return Programme(programme)

    return meant


# The programme of a process read, and of a process changed: who may not change it is told so.
ProgrammeMeant = Annotated[Programme, Depends(_programme_meant(to_change=False))]
ProgrammeToChange = Annotated[Programme, Depends(_programme_meant(to_change=True))]
