"""The tables of prozess, all in the schema `prozess`."""

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from zwk_common.db import service_metadata
from zwk_common.inbox import Inbox
from zwk_common.outbox import Outbox

SCHEMA = "prozess"
metadata = service_metadata(SCHEMA)
outbox = Outbox(metadata, source="/zwk/prozess")
inbox = Inbox(metadata)

# The local copy of what prozess needs of a participant; written from kommunen's events only.
municipalities = Table(
    "municipalities",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("ags", String(12)),
    Column("name", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("bundesland", String(2), nullable=False),
    Column("population", Integer),
    Column("programmes", ARRAY(String(8)), nullable=False, server_default="{}"),
    # The time of the newest kommunen event applied: an older one redelivered late changes nothing.
    Column("event_time", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

processes = Table(
    "processes",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("municipality_id", UUID(as_uuid=True), ForeignKey(municipalities.c.id), nullable=False),
    Column("programme", String(8), nullable=False),
    # False while the municipality no longer lists the programme; the record is kept.
    Column("active", Boolean, nullable=False, server_default=text("true")),
    # Kept in the transaction of every stage change, so the office's views need no scan of `stages`.
    Column("current_stage", String(32)),
    Column("open_due_date", Date),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("municipality_id", "programme"),
    Index(
        "ix_processes_current_stage",
        "programme",
        "current_stage",
        "municipality_id",
        postgresql_where=text("active"),
    ),
    Index(
        "ix_processes_open_due_date",
        "programme",
        "open_due_date",
        postgresql_where=text("active AND open_due_date IS NOT NULL"),
    ),
    Index("ix_processes_programme", "programme", "municipality_id", postgresql_where=text("active")),
)

stages = Table(
    "stages",
    metadata,
    Column("process_id", UUID(as_uuid=True), ForeignKey(processes.c.id, ondelete="CASCADE"), nullable=False),
    Column("stage", String(32), nullable=False),
    Column("position", Integer, nullable=False),
    Column("status", String(16), nullable=False, server_default="NOT_STARTED"),
    Column("planned_start", Date),
    Column("due_date", Date),
    Column("started_at", DateTime(timezone=True)),
    Column("started_by", String(200)),
    Column("completed_at", DateTime(timezone=True)),
    Column("completed_by", String(200)),
    PrimaryKeyConstraint("process_id", "stage"),
    CheckConstraint("due_date >= planned_start", name="due_not_before_start"),
    Index("ix_stages_in_progress_due", "due_date", postgresql_where=text("status = 'IN_PROGRESS'")),
)

# Every change of a stage's status: who, when, from, to, why.
stage_transitions = Table(
    "stage_transitions",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("process_id", UUID(as_uuid=True), ForeignKey(processes.c.id, ondelete="CASCADE"), nullable=False),
    Column("stage", String(32), nullable=False),
    Column("from_status", String(16), nullable=False),
    Column("to_status", String(16), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200)),
    Column("reason", Text),
    Index("ix_stage_transitions_process", "process_id", "id"),
)

# The manual checklist items a municipality has touched; their definitions live in code (checklists.py).
checklist_entries = Table(
    "checklist_entries",
    metadata,
    Column("process_id", UUID(as_uuid=True), ForeignKey(processes.c.id, ondelete="CASCADE"), nullable=False),
    Column("stage", String(32), nullable=False),
    Column("key", String(64), nullable=False),
    Column("done", Boolean, nullable=False),
    Column("evidence_text", Text),
    Column("evidence_link", String(2000)),
    Column("evidence_date", Date),
    Column("evidence_number", Float),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_by", String(200)),
    PrimaryKeyConstraint("process_id", "stage", "key"),
)

indicators = Table(
    "indicators",
    metadata,
    Column("process_id", UUID(as_uuid=True), ForeignKey(processes.c.id, ondelete="CASCADE"), nullable=False),
    Column("key", String(64), nullable=False),
    Column("label", String(200), nullable=False),
    Column("value", Float, nullable=False),
    Column("unit", String(40)),
    Column("year", Integer),
    Column("source", String(300)),
    # True while the value is the one copied from the municipality record, so updates may follow it.
    Column("prefilled", Boolean, nullable=False, server_default=text("false")),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_by", String(200)),
    PrimaryKeyConstraint("process_id", "key"),
)

swot_items = Table(
    "swot_items",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("process_id", UUID(as_uuid=True), ForeignKey(processes.c.id, ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("topics", ARRAY(String(64)), nullable=False, server_default="{}"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_by", String(200)),
    Index("ix_swot_items_process", "process_id", "created_at", "id"),
)

participation_events = Table(
    "participation_events",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("process_id", UUID(as_uuid=True), ForeignKey(processes.c.id, ondelete="CASCADE"), nullable=False),
    Column("title", String(200), nullable=False),
    Column("format", String(32), nullable=False),
    Column("held_on", Date, nullable=False),
    Column("place", String(200)),
    Column("participant_count", Integer),
    Column("groups_reached", ARRAY(String(40)), nullable=False, server_default="{}"),
    Column("documentation_link", String(2000)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_by", String(200)),
    CheckConstraint("participant_count >= 0", name="participants_not_negative"),
    Index("ix_participation_events_process", "process_id", "created_at", "id"),
)

# Measure ideas collected in the Zukunftswerkstatt, from which Werkstattplan measures grow.
ideas = Table(
    "ideas",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("process_id", UUID(as_uuid=True), ForeignKey(processes.c.id, ondelete="CASCADE"), nullable=False),
    Column("title", String(200), nullable=False),
    Column("description", Text),
    Column("topics", ARRAY(String(64)), nullable=False, server_default="{}"),
    Column("priority", Integer),
    Column(
        "participation_event_id",
        UUID(as_uuid=True),
        ForeignKey(participation_events.c.id),
    ),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_by", String(200)),
    Index("ix_ideas_process", "process_id", "created_at", "id"),
)

measures = Table(
    "measures",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("process_id", UUID(as_uuid=True), ForeignKey(processes.c.id, ondelete="CASCADE"), nullable=False),
    Column("title", String(200), nullable=False),
    Column("topic", String(64), nullable=False),
    Column("goal", Text),
    Column("responsible", String(200)),
    Column("period_start", Date),
    Column("period_end", Date),
    Column("budget_eur", Numeric(14, 2)),
    Column("budget_used_eur", Numeric(14, 2)),
    Column("funding_source", String(200)),
    Column("target_groups", ARRAY(String(40)), nullable=False, server_default="{}"),
    Column("status", String(16), nullable=False, server_default="PLANNED"),
    Column("milestones", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("origin_swot_item_id", UUID(as_uuid=True), ForeignKey(swot_items.c.id)),
    Column("origin_idea_id", UUID(as_uuid=True), ForeignKey(ideas.c.id)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_by", String(200)),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_by", String(200)),
    CheckConstraint("budget_eur >= 0", name="budget_not_negative"),
    CheckConstraint("budget_used_eur >= 0", name="budget_used_not_negative"),
    CheckConstraint("period_end >= period_start", name="period_in_order"),
    CheckConstraint("origin_swot_item_id IS NULL OR origin_idea_id IS NULL", name="one_origin"),
    Index("ix_measures_process", "process_id", "created_at", "id"),
)

# One row per stage and due date whose overdue event was recorded: a restart does not record it again.
overdue_notices = Table(
    "overdue_notices",
    metadata,
    Column("process_id", UUID(as_uuid=True), ForeignKey(processes.c.id, ondelete="CASCADE"), nullable=False),
    Column("stage", String(32), nullable=False),
    Column("due_date", Date, nullable=False),
    Column("detected_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("process_id", "stage", "due_date"),
)
