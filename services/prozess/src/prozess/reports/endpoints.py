"""Thin HTTP routes of the generated documents."""

from uuid import UUID

from fastapi import APIRouter

from prozess.reports import service
from prozess.reports.schemas import MunicipalityRecord, Zwischenbilanz
from prozess.vocabulary import Programme
from zwk_common.auth import CallerDep
from zwk_common.db import SessionDep

router = APIRouter(tags=["reports"])


@router.get("/processes/{municipality_id}/{programme}/zwischenbilanz", response_model=Zwischenbilanz)
async def get_zwischenbilanz(
    municipality_id: UUID, programme: Programme, session: SessionDep, caller: CallerDep
) -> Zwischenbilanz:
    """The Zwischenbilanz report, generated from the data as it stands."""
    return await service.zwischenbilanz(session, caller, municipality_id, programme)


@router.get("/process-records/{municipality_id}", response_model=MunicipalityRecord)
async def get_process_record(municipality_id: UUID, session: SessionDep, caller: CallerDep) -> MunicipalityRecord:
    """The whole process record of one municipality (every programme) as one JSON document."""
    return await service.municipality_record(session, caller, municipality_id)
