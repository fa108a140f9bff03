"""All SQL of the municipality replica, processes, stages, checklists, history and overdue notices."""

import functools
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from asyncpg import Record
from sqlalchemy import (
    Date,
    Float,
    Integer,
    RowMapping,
    Select,
    String,
    Text,
    and_,
    any_,
    bindparam,
    cast,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    true,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, aggregate_order_by
from sqlalchemy.sql.elements import ColumnElement

from prozess.checklist.definitions import MEASURE_REQUIRED_FIELDS, ProcessFacts
from prozess.models import (
    checklist_entries,
    ideas,
    inbox,
    indicators,
    measures,
    municipalities,
    outbox,
    overdue_notices,
    participation_events,
    processes,
    stage_transitions,
    stages,
    swot_items,
)
from prozess.repository import Repository
from prozess.vocabulary import KNOWN_INDICATORS, MAIN_PROGRAMME_FIRST
from zwk_common.inbox import InboxClaim
from zwk_common.json_sql import EMPTY_ARRAY, constant, iso_utc, json_object
from zwk_common.sql import DriverStatement, among, given_row, insert

POPULATION = "population"
POPULATION_SOURCE = "Stammdaten der Kommune (Geschäftsstelle)"


def _main_first() -> ColumnElement[Any]:
    """Orders a municipality's processes main one first (MAIN_PROGRAMME_FIRST); unknown programmes last."""
    order = bindparam("main_first", [p.value for p in MAIN_PROGRAMME_FIRST], type_=ARRAY(String))
    return func.array_position(order, processes.c.programme).asc().nulls_last()


def _summaries_statement() -> Select:  # type: ignore[type-arg]
    """Where the processes of many municipalities stand, as one JSON array built by PostgreSQL.

    The office's dashboard asks for a page of 100 municipalities at a time: 100 processes and 500
    stages, which as rows, records and models cost prozess more than everything else the request
    does. The shape is `ProcessSummary`'s; a test holds it to the one the models give.
    """
    rank = func.row_number().over(partition_by=processes.c.municipality_id, order_by=_main_first())
    ranked = (
        select(processes, (rank == 1).label("main"))
        .where(processes.c.municipality_id == func.any(bindparam("ids", type_=ARRAY(processes.c.municipality_id.type))))
        .subquery("ranked")
    )
    s = stages.c
    overdue = and_(s.status == constant("IN_PROGRESS"), s.due_date < bindparam("today", type_=Date))
    stage = json_object(
        stage=s.stage,
        label=bindparam("labels", type_=JSONB).op("->>")(s.stage),
        status=s.status,
        planned_start=s.planned_start,
        due_date=s.due_date,
        started_at=iso_utc(s.started_at),
        started_by=s.started_by,
        completed_at=iso_utc(s.completed_at),
        completed_by=s.completed_by,
        overdue=func.coalesce(overdue, false()),
    )
    progress = (
        select(
            func.json_agg(aggregate_order_by(stage, s.position)).label("stages"),
            func.bool_or(overdue).label("overdue"),
        )
        .where(s.process_id == ranked.c.id)
        .lateral("progress")
    )
    summary = json_object(
        municipality_id=ranked.c.municipality_id,
        municipality_name=municipalities.c.name,
        programme=ranked.c.programme,
        active=ranked.c.active,
        main=ranked.c.main,
        current_stage=ranked.c.current_stage,
        overdue=func.coalesce(progress.c.overdue, false()),
        stages=func.coalesce(progress.c.stages, EMPTY_ARRAY),
    )
    every = func.json_agg(aggregate_order_by(summary, ranked.c.municipality_id, ranked.c.programme))
    return (
        select(func.coalesce(every, EMPTY_ARRAY).cast(Text))
        .select_from(ranked)
        .join(municipalities, municipalities.c.id == ranked.c.municipality_id)
        .join(progress, true(), isouter=True)
    )


# Built once: it is the same statement for every page.
_SUMMARIES = _summaries_statement()


def _refresh_summaries(which: ColumnElement[bool]) -> Any:
    """The UPDATE deriving each process's current stage and earliest open due date from its stages.

    The current stage is the first one in progress (a reopened stage comes first), else the
    last completed one; none before Kick-Off starts.
    """
    own = stages.alias("own")
    # Each part reads the process's five stages by their key and picks what it needs while aggregating:
    # a condition on the status would let the planner walk the partial index of stages in
    # progress instead, which its statistics think small and which grows with every start.
    of_the_process = own.c.process_id == processes.c.id

    def stage_first(status: str, order: Any) -> Any:
        in_order = func.array_agg(aggregate_order_by(own.c.stage, order)).filter(own.c.status == status)
        return select(type_coerce(in_order, ARRAY(own.c.stage.type))[1]).where(of_the_process).scalar_subquery()

    first_in_progress = stage_first("IN_PROGRESS", own.c.position)
    last_completed = stage_first("COMPLETED", own.c.position.desc())
    open_due = (
        select(func.min(own.c.due_date).filter(own.c.status == "IN_PROGRESS")).where(of_the_process).scalar_subquery()
    )
    return (
        update(processes)
        .where(which)
        .values(current_stage=func.coalesce(first_in_progress, last_completed), open_due_date=open_due)
    )


# --- the statements of a stage change, made once ---
# A stage change runs about ten statements; building each and its cache key anew cost SQLAlchemy
# more than executing it. Made here once, each is keyed once (the key is memoised on the statement)
# and executed with its values.


def _process_ids() -> Any:
    return bindparam("process_ids", type_=ARRAY(processes.c.id.type))


# Every stage change locates and locks its process, changes the stage and records the transition:
# those statements run on the driver's connection, where each costs prozess less than half the CPU
# (`DriverStatement`); the others stay with the session.
_PROCESS_IN_PROGRAMME = (
    select(processes, municipalities.c.name, municipalities.c.population)
    .join(municipalities, municipalities.c.id == processes.c.municipality_id)
    .where(
        processes.c.municipality_id == bindparam("municipality_id", type_=processes.c.municipality_id.type),
        processes.c.programme == bindparam("programme", type_=processes.c.programme.type),
    )
)
_LOCATE = DriverStatement(_PROCESS_IN_PROGRAMME)
_LOCATE_FOR_UPDATE = DriverStatement(_PROCESS_IN_PROGRAMME.with_for_update(of=processes))
# The municipality's main process: what `main` in a path names, found and (to change it) locked at once.
_MAIN_PROCESS = (
    select(processes, municipalities.c.name, municipalities.c.population)
    .join(municipalities, municipalities.c.id == processes.c.municipality_id)
    .where(processes.c.municipality_id == bindparam("municipality_id", type_=processes.c.municipality_id.type))
    .order_by(_main_first())
    .limit(1)
)
_LOCATE_MAIN = DriverStatement(_MAIN_PROCESS)
_LOCATE_MAIN_FOR_UPDATE = DriverStatement(_MAIN_PROCESS.with_for_update(of=processes))
_STAGE = select(stages).where(
    stages.c.process_id == bindparam("process_id", type_=stages.c.process_id.type),
    stages.c.stage == bindparam("stage", type_=stages.c.stage.type),
)
_REFRESH_ONE_SUMMARY = _refresh_summaries(processes.c.id == bindparam("which_process", type_=processes.c.id.type))
# A transition recorded, the process's summary derived again and the event of the change written
# to the outbox, in one statement: the summary reads the stages (changed by the statement before),
# never the transitions.
_RECORD_TRANSITION = DriverStatement(
    outbox.with_event(
        insert(stage_transitions)
        .values(
            {
                column: bindparam(f"transition_{column}", type_=stage_transitions.c[column].type)
                for column in ("process_id", "stage", "from_status", "to_status", "at", "actor", "reason")
            }
        )
        .cte("transition"),
        _REFRESH_ONE_SUMMARY.cte("summary"),
    )
)
_CHECKLIST_ENTRIES = select(checklist_entries).where(checklist_entries.c.process_id == any_(_process_ids()))


@functools.cache
def _stage_update(columns: tuple[str, ...]) -> Any:
    """The UPDATE of a stage's `columns`, their values given as `new_<column>`: in an UPDATE,
    SQLAlchemy keeps a column's own name for itself."""
    return (
        update(stages)
        .where(
            stages.c.process_id == bindparam("which_process", type_=stages.c.process_id.type),
            stages.c.stage == bindparam("which_stage", type_=stages.c.stage.type),
        )
        .values({name: bindparam(f"new_{name}", type_=stages.c[name].type) for name in columns})
        .returning(*stages.c)
    )


@functools.cache
def _stage_start(columns: tuple[str, ...], after_previous: bool) -> DriverStatement:
    """`_stage_update`, for a stage not started yet (and, if `after_previous`, whose stage
    `previous` is completed): a start that may not happen changes no row."""
    before = stages.alias("before")
    statement = _stage_update(columns).where(stages.c.status == "NOT_STARTED")
    if after_previous:
        statement = statement.where(
            exists().where(
                before.c.process_id == stages.c.process_id,
                before.c.stage == bindparam("previous", type_=stages.c.stage.type),
                before.c.status == "COMPLETED",
            )
        )
    return DriverStatement(statement)


@functools.cache
def _stage_completion(columns: tuple[str, ...]) -> DriverStatement:
    """`_stage_update`, for a stage in progress whose items in `required` are all ticked: a
    completion that may not happen changes no row."""
    required = (
        func.unnest(bindparam("required", type_=ARRAY(checklist_entries.c.key.type)))
        .table_valued("key")
        .render_derived(name="required_item")
    )
    # Correlated by name to the stage being updated, two subqueries out, and to the item: with
    # neither named, SQLAlchemy correlates to the subquery around it only and adds a FROM of every
    # stage of every process here; naming one turns off correlating to the other.
    ticked = (
        exists()
        .where(
            checklist_entries.c.process_id == stages.c.process_id,
            checklist_entries.c.stage == stages.c.stage,
            checklist_entries.c.key == required.c.key,
            checklist_entries.c.done,
        )
        .correlate(stages, required)
    )
    open_items = select(required.c.key).where(~ticked)
    return DriverStatement(_stage_update(columns).where(stages.c.status == "IN_PROGRESS", ~exists(open_items)))


def _facts_statement() -> Any:
    """What the recorded data says per process: one statement of five sub-queries."""
    live = and_(measures.c.process_id == processes.c.id, measures.c.status != "DROPPED")
    incomplete = or_(
        *(
            func.cardinality(measures.c[name]) == 0 if name == "target_groups" else measures.c[name].is_(None)
            for name in MEASURE_REQUIRED_FIELDS
        )
    )

    def count(*where: Any) -> Any:
        return select(func.count()).where(*where).scalar_subquery()

    return select(
        processes.c.id,
        select(func.count(swot_items.c.kind.distinct()))
        .where(swot_items.c.process_id == processes.c.id)
        .scalar_subquery()
        .label("swot_kinds"),
        count(participation_events.c.process_id == processes.c.id).label("participation_events"),
        count(ideas.c.process_id == processes.c.id).label("ideas"),
        count(live).label("measures"),
        count(live, incomplete).label("incomplete_measures"),
    ).where(processes.c.id == any_(_process_ids()))


_FACTS = _facts_statement()


@functools.cache
def _keep_participant(columns: tuple[str, ...]) -> Select[Any]:
    """The statement of `ProcessRepository.keep_participant`, made once per set of columns.

    Each part reads what the parts before it returned, never the tables they wrote: a statement
    sees the tables as they were when it began. So the newly opened processes come from `opened`,
    the ones there before from the table, and the update of `active` meets only the latter (a
    new process is active by default, and is opened only for a programme taken part in).
    """
    m = municipalities
    claimed = inbox.claim_is_new
    # `new_<column>`: the update of `active` below would set a column named like a parameter.
    given = given_row(m, columns, prefix="new_")
    upsert = insert(m).from_select(list(columns), given.where(claimed))
    kept = (
        upsert.on_conflict_do_update(
            index_elements=[m.c.id],
            set_={**{name: upsert.excluded[name] for name in columns if name != "id"}, "updated_at": func.now()},
            where=m.c.event_time <= upsert.excluded.event_time,
        )
        .returning(m.c.id)
        .cte("kept")
    )
    wanted = (
        func.unnest(bindparam("opening", type_=ARRAY(processes.c.programme.type)))
        .table_valued("programme")
        .render_derived(name="wanted")
    )
    opened = (
        insert(processes)
        .from_select(
            ["id", "municipality_id", "programme"],
            select(func.gen_random_uuid(), kept.c.id, wanted.c.programme).select_from(kept.join(wanted, true())),
        )
        .on_conflict_do_nothing(index_elements=[processes.c.municipality_id, processes.c.programme])
        .returning(processes.c.id)
        .cte("opened")
    )
    order = (
        func.unnest(
            bindparam("stage_names", type_=ARRAY(stages.c.stage.type)),
            bindparam("stage_positions", type_=ARRAY(Integer)),
        )
        .table_valued("stage", "position")
        .render_derived(name="stage_order")
    )
    # Not started: the status column's default.
    staged = insert(stages).from_select(
        ["process_id", "stage", "position"],
        select(opened.c.id, order.c.stage, order.c.position).select_from(opened.join(order, true())),
    )
    activated = (
        update(processes)
        .where(processes.c.municipality_id.in_(select(kept.c.id)))
        .values(active=processes.c.programme == any_(bindparam("active_in", type_=ARRAY(processes.c.programme.type))))
    )
    every = union_all(
        select(processes.c.id).where(processes.c.municipality_id.in_(select(kept.c.id))), select(opened.c.id)
    ).subquery("every_process")
    prefill = cast(bindparam("prefill", type_=Float), Float)
    copied = insert(indicators).from_select(
        ["process_id", "key", "label", "value", "unit", "source", "prefilled"],
        select(
            every.c.id,
            literal(POPULATION),
            literal(KNOWN_INDICATORS[POPULATION]),
            prefill,
            literal("Personen"),
            literal(POPULATION_SOURCE),
            true(),
        ).where(prefill.is_not(None)),
    )
    prefilled = copied.on_conflict_do_update(
        index_elements=[indicators.c.process_id, indicators.c.key],
        set_={"value": copied.excluded.value, "updated_at": func.now()},
        where=indicators.c.prefilled,
    )
    return select(claimed).add_cte(staged.cte("staged"), activated.cte("activated"), prefilled.cte("prefilled"))


class ProcessRepository(Repository):
    # --- the municipality replica ---

    async def keep_participant(
        self,
        values: dict[str, Any],
        programmes: Sequence[str],
        opening: Sequence[str],
        stage_order: Sequence[tuple[str, int]],
        claim: InboxClaim,
    ) -> bool:
        """Keep a participant's newer state with its processes, in one statement that also claims
        its event in the inbox; False if the event was claimed before (then nothing changes).

        A state older than the stored one (`values["event_time"]`) changes nothing else either.
        Otherwise a process is opened in each of `opening` it lacks, with its stages in
        `stage_order` not started; its processes are active in `programmes` only; and the
        population is copied into each Kommunalprofil whose value nobody has edited.
        """
        population = values.get("population")
        parameters = {
            **{f"new_{name}": value for name, value in values.items()},
            **claim.values,
            "active_in": list(programmes),
            "opening": list(opening),
            "stage_names": [stage for stage, _ in stage_order],
            "stage_positions": [position for _, position in stage_order],
            "prefill": float(population) if population is not None else None,
        }
        return bool((await self.session.execute(_keep_participant(tuple(sorted(values))), parameters)).scalar_one())

    async def municipality(self, municipality_id: UUID) -> RowMapping | None:
        result = await self.session.execute(select(municipalities).where(municipalities.c.id == municipality_id))
        return result.mappings().first()

    # --- processes ---

    async def locate(self, municipality_id: UUID, programme: str, *, lock: bool) -> Record | None:
        statement = _LOCATE_FOR_UPDATE if lock else _LOCATE
        return await statement.fetchrow(self.session, {"municipality_id": municipality_id, "programme": programme})

    async def locate_main(self, municipality_id: UUID, *, lock: bool) -> Record | None:
        """The municipality's main process, as `locate` gives it; None without a process."""
        statement = _LOCATE_MAIN_FOR_UPDATE if lock else _LOCATE_MAIN
        return await statement.fetchrow(self.session, {"municipality_id": municipality_id})

    async def processes_of(self, municipality_ids: Sequence[UUID]) -> list[RowMapping]:
        """Every process of the municipalities, each with `main`: whether it is its municipality's main one."""
        rank = func.row_number().over(partition_by=processes.c.municipality_id, order_by=_main_first())
        result = await self.session.execute(
            select(processes, municipalities.c.name, (rank == 1).label("main"))
            .join(municipalities, municipalities.c.id == processes.c.municipality_id)
            .where(among(processes.c.municipality_id, municipality_ids))
            .order_by(processes.c.municipality_id, processes.c.programme)
        )
        return list(result.mappings())

    async def summaries_json(self, municipality_ids: Sequence[UUID], today: date, labels: dict[str, str]) -> str:
        """The summaries of every process of the municipalities as a JSON array, ordered like `processes_of`."""
        result = await self.session.execute(
            _SUMMARIES, {"ids": list(municipality_ids), "today": today, "labels": labels}
        )
        return str(result.scalar_one())

    # --- stages ---

    async def stages_of(self, process_ids: Sequence[UUID]) -> list[RowMapping]:
        result = await self.session.execute(
            select(stages)
            .where(among(stages.c.process_id, process_ids))
            .order_by(stages.c.process_id, stages.c.position)
        )
        return list(result.mappings())

    async def stage(self, process_id: UUID, stage: str) -> RowMapping:
        result = await self.session.execute(_STAGE, {"process_id": process_id, "stage": stage})
        return result.mappings().one()

    async def update_stage(self, process_id: UUID, stage: str, values: dict[str, Any]) -> RowMapping:
        statement = _stage_update(tuple(sorted(values)))
        given = {f"new_{name}": value for name, value in values.items()}
        result = await self.session.execute(statement, {**given, "which_process": process_id, "which_stage": stage})
        return result.mappings().one()

    async def start_stage(
        self, process_id: UUID, stage: str, previous: str | None, values: dict[str, Any]
    ) -> Record | None:
        """Set `values` on a stage not started yet whose stage `previous` (if any) is completed:
        the stage as it is then, or None (and nothing changed) if it may not start."""
        statement = _stage_start(tuple(sorted(values)), previous is not None)
        given = {f"new_{name}": value for name, value in values.items()}
        parameters = {**given, "which_process": process_id, "which_stage": stage}
        if previous is not None:
            parameters["previous"] = previous
        return await statement.fetchrow(self.session, parameters)

    async def complete_stage(
        self, process_id: UUID, stage: str, required: Sequence[str], values: dict[str, Any]
    ) -> Record | None:
        """Set `values` on a stage in progress whose checklist items `required` are all ticked:
        the stage as it is then, or None (and nothing changed) if it may not complete."""
        statement = _stage_completion(tuple(sorted(values)))
        given = {f"new_{name}": value for name, value in values.items()}
        parameters = {**given, "which_process": process_id, "which_stage": stage, "required": list(required)}
        return await statement.fetchrow(self.session, parameters)

    async def refresh_summary(self, process_id: UUID) -> None:
        await self.session.execute(_REFRESH_ONE_SUMMARY, {"which_process": process_id})

    async def refresh_all_summaries(self) -> None:
        """Re-derive every process's summary, after stages were loaded in bulk (a data migration, a repair)."""
        await self.session.execute(_refresh_summaries(true()))

    async def record_transition(
        self,
        process_id: UUID,
        stage: str,
        from_status: str,
        to_status: str,
        at: datetime,
        actor: str | None,
        reason: str | None,
        event: Mapping[str, Any],
    ) -> None:
        """Add a stage's change of status to the history, derive the process's summary again and
        record the change's `event` (the values `outbox.recording` gives)."""
        values = {
            "process_id": process_id,
            "stage": stage,
            "from_status": from_status,
            "to_status": to_status,
            "at": at,
            "actor": actor,
            "reason": reason,
        }
        await _RECORD_TRANSITION.fetch(
            self.session,
            {
                "which_process": process_id,
                **{f"transition_{name}": value for name, value in values.items()},
                **event,
            },
        )

    async def transitions(self, process_id: UUID) -> list[RowMapping]:
        result = await self.session.execute(
            select(stage_transitions)
            .where(stage_transitions.c.process_id == process_id)
            .order_by(stage_transitions.c.id)
        )
        return list(result.mappings())

    # --- checklists ---

    async def checklist_entries_of(self, process_ids: Sequence[UUID]) -> list[RowMapping]:
        result = await self.session.execute(_CHECKLIST_ENTRIES, {"process_ids": list(process_ids)})
        return list(result.mappings())

    async def checklist_entry(self, process_id: UUID, stage: str, key: str) -> RowMapping | None:
        result = await self.session.execute(
            select(checklist_entries).where(
                checklist_entries.c.process_id == process_id,
                checklist_entries.c.stage == stage,
                checklist_entries.c.key == key,
            )
        )
        return result.mappings().first()

    async def save_checklist_entry(self, values: dict[str, Any]) -> RowMapping:
        statement = insert(checklist_entries).values(**values, updated_at=func.now())
        result = await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[checklist_entries.c.process_id, checklist_entries.c.stage, checklist_entries.c.key],
                set_={
                    **{k: statement.excluded[k] for k in values if k not in ("process_id", "stage", "key")},
                    "updated_at": func.now(),
                },
            ).returning(*checklist_entries.c)
        )
        return result.mappings().one()

    async def facts_of(self, process_ids: Sequence[UUID]) -> dict[UUID, ProcessFacts]:
        """What the recorded data says per process, for the checklist items that follow from it."""
        result = await self.session.execute(_FACTS, {"process_ids": list(process_ids)})
        return {
            row.id: ProcessFacts(
                swot_kinds=row.swot_kinds,
                participation_events=row.participation_events,
                ideas=row.ideas,
                measures=row.measures,
                incomplete_measures=row.incomplete_measures,
            )
            for row in result
        }

    # --- overdue ---

    async def overdue_candidates(self, today: date, limit: int) -> list[RowMapping]:
        """Stages in progress past their due date whose overdue event was not yet recorded.

        Processes being changed right now are skipped (SKIP LOCKED) and caught on the next round,
        so a stage completed at this moment is never reported late.
        """
        noticed = exists().where(
            overdue_notices.c.process_id == stages.c.process_id,
            overdue_notices.c.stage == stages.c.stage,
            overdue_notices.c.due_date == stages.c.due_date,
        )
        result = await self.session.execute(
            select(
                stages.c.process_id,
                stages.c.stage,
                stages.c.status,
                stages.c.due_date,
                processes.c.municipality_id,
                processes.c.programme,
                municipalities.c.name,
            )
            .join(processes, processes.c.id == stages.c.process_id)
            .join(municipalities, municipalities.c.id == processes.c.municipality_id)
            .where(stages.c.status == "IN_PROGRESS", stages.c.due_date < today, processes.c.active, ~noticed)
            .order_by(stages.c.due_date, stages.c.process_id)
            .limit(limit)
            .with_for_update(of=processes, skip_locked=True)
        )
        return list(result.mappings())

    async def add_overdue_notice(self, process_id: UUID, stage: str, due_date: date) -> bool:
        """Record that a stage's overdue event was written; False if it already was."""
        result = await self.session.execute(
            insert(overdue_notices)
            .values(process_id=process_id, stage=stage, due_date=due_date)
            .on_conflict_do_nothing()
            .returning(overdue_notices.c.process_id)
        )
        return result.first() is not None

    async def overdue_notices_of(self, process_id: UUID) -> list[RowMapping]:
        result = await self.session.execute(
            select(overdue_notices)
            .where(overdue_notices.c.process_id == process_id)
            .order_by(overdue_notices.c.detected_at, overdue_notices.c.stage)
        )
        return list(result.mappings())
