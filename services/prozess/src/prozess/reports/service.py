"""Documents generated from the data: the Zwischenbilanz report and the whole record. Never commits."""

from collections import defaultdict
from decimal import Decimal
from uuid import UUID

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from prozess import clock
from prozess.access import readable_process, require_read
from prozess.kommunalprofil.schemas import Indicator
from prozess.kommunalprofil.service import swot_item_of
from prozess.models import ideas, measures, participation_events, swot_items
from prozess.process.repository import ProcessRepository
from prozess.process.schemas import Process, StageTransition
from prozess.process.service import describe
from prozess.reports.repository import ReportRepository
from prozess.reports.schemas import (
    BudgetSummary,
    FundingSource,
    MeasureSummary,
    MunicipalityRecord,
    OverdueNotice,
    ParticipationSummary,
    ProcessRecord,
    RecordedMunicipality,
    StageDates,
    StatusCount,
    TopicCount,
    Zwischenbilanz,
)
from prozess.stages import STATUS_LABELS, Stage
from prozess.vocabulary import LABELS, MeasureStatus, Programme
from prozess.werkstattplan.service import measure_of
from prozess.zukunftswerkstatt.schemas import Idea
from prozess.zukunftswerkstatt.service import participation_event_of
from zwk_common.auth import Caller
from zwk_common.errors import NotFound


async def zwischenbilanz(
    session: AsyncSession, caller: Caller, municipality_id: UUID, programme: Programme
) -> Zwischenbilanz:
    """The review report: stages with their dates, measures by status and topic, budget, participation, delays."""
    process = await readable_process(session, caller, municipality_id, programme)
    rows = await ProcessRepository(session).processes_of([municipality_id])
    [described] = await describe(session, [r for r in rows if r["id"] == process.id])
    return await _zwischenbilanz(session, process.id, described)


async def municipality_record(session: AsyncSession, caller: Caller, municipality_id: UUID) -> MunicipalityRecord:
    """Every process of one municipality with all its data and history, as one document."""
    require_read(caller, municipality_id)
    municipality = await ProcessRepository(session).municipality(municipality_id)
    if municipality is None:
        raise NotFound(f"No municipality with the id {municipality_id} takes part in any programme.")
    rows = await ProcessRepository(session).processes_of([municipality_id])
    described = await describe(session, rows)
    return MunicipalityRecord(
        exported_at=clock.now(),
        municipality=RecordedMunicipality.model_validate(dict(municipality)),
        processes=[await _process_record(session, row, process) for row, process in zip(rows, described, strict=True)],
    )


async def _process_record(session: AsyncSession, row: RowMapping, process: Process) -> ProcessRecord:
    repository = ReportRepository(session)
    process_id = row["id"]
    return ProcessRecord(
        programme=process.programme,
        active=process.active,
        current_stage=process.current_stage,
        created_at=row["created_at"],
        stages=process.stages,
        history=[StageTransition.model_validate(t) for t in await ProcessRepository(session).transitions(process_id)],
        indicators=[Indicator.model_validate(r) for r in await repository.indicators_of(process_id)],
        swot_items=[swot_item_of(r) for r in await repository.all_in_recorded_order(swot_items, process_id)],
        participation_events=[
            participation_event_of(r) for r in await repository.all_in_recorded_order(participation_events, process_id)
        ],
        ideas=[Idea.model_validate(r) for r in await repository.all_in_recorded_order(ideas, process_id)],
        measures=[measure_of(r) for r in await repository.all_in_recorded_order(measures, process_id)],
        overdue_history=await _overdue_history(session, process_id),
        zwischenbilanz=await _zwischenbilanz(session, process_id, process),
    )


async def _zwischenbilanz(session: AsyncSession, process_id: UUID, process: Process) -> Zwischenbilanz:
    repository = ReportRepository(session)
    by_topic: dict[str, dict[MeasureStatus, int]] = defaultdict(lambda: dict.fromkeys(MeasureStatus, 0))
    for row in await repository.measures_by_topic_and_status(process_id):
        by_topic[row["topic"]][MeasureStatus(row["status"])] = row["count"]
    status_totals = {status: sum(counts[status] for counts in by_topic.values()) for status in MeasureStatus}
    sources = [FundingSource.model_validate(r) for r in await repository.budget_by_funding_source(process_id)]
    participation = await repository.participation_totals(process_id)
    review = next(s for s in process.stages if s.stage is Stage.ZWISCHENBILANZ)
    return Zwischenbilanz(
        municipality_id=process.municipality_id,
        municipality_name=process.municipality_name,
        programme=process.programme,
        generated_at=clock.now(),
        stages=[
            StageDates(
                stage=s.stage,
                label=s.label,
                status=s.status,
                status_label=STATUS_LABELS[s.status],
                planned_start=s.planned_start,
                due_date=s.due_date,
                started_at=s.started_at,
                completed_at=s.completed_at,
                overdue=s.overdue,
            )
            for s in process.stages
        ],
        measures=MeasureSummary(
            total=sum(status_totals.values()),
            by_status=[
                StatusCount(status=status, label=LABELS["measure_status"][status], count=status_totals[status])
                for status in MeasureStatus
            ],
            by_topic=[
                TopicCount(topic=topic, total=sum(counts.values()), by_status=counts)
                for topic, counts in sorted(by_topic.items())
            ],
        ),
        budget=BudgetSummary(
            planned_eur=sum((s.planned_eur for s in sources), Decimal(0)),
            used_eur=sum((s.used_eur for s in sources), Decimal(0)),
            by_funding_source=sources,
        ),
        participation=ParticipationSummary(
            events=participation["events"],
            participants=participation["participants"],
            groups_reached=sorted(LABELS["target_group"][g] for g in participation["groups"] or []),
        ),
        overdue_history=await _overdue_history(session, process_id),
        review=review.checklist,
    )


async def _overdue_history(session: AsyncSession, process_id: UUID) -> list[OverdueNotice]:
    return [
        OverdueNotice(
            stage=row["stage"],
            label=Stage(row["stage"]).label,
            due_date=row["due_date"],
            detected_at=row["detected_at"],
        )
        for row in await ProcessRepository(session).overdue_notices_of(process_id)
    ]
