"""The prozess app; how `zwk` runs it is in `prozess.spec`."""

from fastapi import FastAPI

from prozess.checklist.endpoints import router as checklist_router
from prozess.config import Settings
from prozess.handlers import EVENT_HANDLERS
from prozess.kommunalprofil.endpoints import router as kommunalprofil_router
from prozess.models import inbox, metadata, outbox
from prozess.office.endpoints import router as office_router
from prozess.process.endpoints import router as process_router
from prozess.process.jobs import overdue_job
from prozess.reports.endpoints import router as reports_router
from prozess.werkstattplan.endpoints import router as werkstattplan_router
from prozess.zukunftswerkstatt.endpoints import router as zukunftswerkstatt_router
from zwk_common.service import ServiceDefinition, create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    return create_service_app(
        ServiceDefinition(
            name="prozess",
            settings=settings,
            routers=[
                office_router,
                process_router,
                checklist_router,
                kommunalprofil_router,
                zukunftswerkstatt_router,
                werkstattplan_router,
                reports_router,
            ],
            metadata=metadata,
            outbox=outbox,
            inbox=inbox,
            # Every handler touches only the municipality the event is about.
            parallel_by_entity=True,
            handlers=EVENT_HANDLERS,
            jobs=[overdue_job(settings)],
            description="The five-stage process of every municipality.",
        )
    )
