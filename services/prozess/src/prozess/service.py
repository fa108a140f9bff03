"""The rules of prozess; records events, never commits."""

import uuid
from collections import defaultdict
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from prozess.repository import ProcessRepository
from prozess.schemas import Process, StageProgress
from prozess.stages import STAGES_IN_ORDER, StageStatus


async def open_processes(session: AsyncSession, municipality: dict[str, object], programmes: list[str]) -> None:
    """Keep the local copy of a participant and open a process, all stages not started, per programme."""
    repository = ProcessRepository(session)
    await repository.upsert_municipality(municipality)
    for programme in programmes:
        process_id = uuid.uuid4()
        if await repository.add_process(process_id, municipality["id"], programme):  # type: ignore[arg-type]
            await repository.add_stages(
                [
                    {
                        "process_id": process_id,
                        "stage": stage.value,
                        "position": position,
                        "status": StageStatus.NOT_STARTED.value,
                    }
                    for position, stage in enumerate(STAGES_IN_ORDER)
                ]
            )


async def processes_of(session: AsyncSession, municipality_ids: list[UUID]) -> list[Process]:
    grouped: dict[tuple[UUID, str], list[StageProgress]] = defaultdict(list)
    for row in await ProcessRepository(session).stages_of(municipality_ids):
        grouped[(row["municipality_id"], row["programme"])].append(StageProgress.model_validate(row))
    return [Process(municipality_id=m, programme=p, stages=s) for (m, p), s in grouped.items()]
