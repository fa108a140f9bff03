"""municipality replica, processes, stages and their history, checklists, Kommunalprofil,
participation events, ideas, measures, overdue notices, outbox and inbox

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from zwk_common.migrations import create_inbox_table, create_outbox_table

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = "prozess"
UUID = postgresql.UUID(as_uuid=True)


def _process_fk() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("process_id", UUID, sa.ForeignKey(f"{SCHEMA}.processes.id", ondelete="CASCADE"), nullable=False)


def _created() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("created_by", sa.String(200)),
    ]


def upgrade() -> None:
    op.create_table(
        "municipalities",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("ags", sa.String(12)),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("bundesland", sa.String(2), nullable=False),
        sa.Column("population", sa.Integer),
        sa.Column("programmes", postgresql.ARRAY(sa.String(8)), nullable=False, server_default="{}"),
        sa.Column("event_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_table(
        "processes",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("municipality_id", UUID, sa.ForeignKey(f"{SCHEMA}.municipalities.id"), nullable=False),
        sa.Column("programme", sa.String(8), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.text("true")),
        sa.Column("current_stage", sa.String(32)),
        sa.Column("open_due_date", sa.Date),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("municipality_id", "programme", name="uq_processes_municipality_id"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_processes_current_stage",
        "processes",
        ["programme", "current_stage", "municipality_id"],
        schema=SCHEMA,
        postgresql_where=sa.text("active"),
    )
    op.create_index(
        "ix_processes_open_due_date",
        "processes",
        ["programme", "open_due_date"],
        schema=SCHEMA,
        postgresql_where=sa.text("active AND open_due_date IS NOT NULL"),
    )
    op.create_index(
        "ix_processes_programme",
        "processes",
        ["programme", "municipality_id"],
        schema=SCHEMA,
        postgresql_where=sa.text("active"),
    )
    op.create_table(
        "stages",
        _process_fk(),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="NOT_STARTED"),
        sa.Column("planned_start", sa.Date),
        sa.Column("due_date", sa.Date),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("started_by", sa.String(200)),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
        sa.Column("completed_by", sa.String(200)),
        sa.PrimaryKeyConstraint("process_id", "stage", name="pk_stages"),
        sa.CheckConstraint("due_date >= planned_start", name="ck_stages_due_not_before_start"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_stages_in_progress_due",
        "stages",
        ["due_date"],
        schema=SCHEMA,
        postgresql_where=sa.text("status = 'IN_PROGRESS'"),
    )
    op.create_table(
        "stage_transitions",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        _process_fk(),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=False),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200)),
        sa.Column("reason", sa.Text),
        schema=SCHEMA,
    )
    op.create_index("ix_stage_transitions_process", "stage_transitions", ["process_id", "id"], schema=SCHEMA)
    op.create_table(
        "checklist_entries",
        _process_fk(),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("done", sa.Boolean, nullable=False),
        sa.Column("evidence_text", sa.Text),
        sa.Column("evidence_link", sa.String(2000)),
        sa.Column("evidence_date", sa.Date),
        sa.Column("evidence_number", sa.Float),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_by", sa.String(200)),
        sa.PrimaryKeyConstraint("process_id", "stage", "key", name="pk_checklist_entries"),
        schema=SCHEMA,
    )
    op.create_table(
        "indicators",
        _process_fk(),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("unit", sa.String(40)),
        sa.Column("year", sa.Integer),
        sa.Column("source", sa.String(300)),
        sa.Column("prefilled", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_by", sa.String(200)),
        sa.PrimaryKeyConstraint("process_id", "key", name="pk_indicators"),
        schema=SCHEMA,
    )
    op.create_table(
        "swot_items",
        sa.Column("id", UUID, primary_key=True),
        _process_fk(),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("topics", postgresql.ARRAY(sa.String(64)), nullable=False, server_default="{}"),
        *_created(),
        schema=SCHEMA,
    )
    op.create_index("ix_swot_items_process", "swot_items", ["process_id", "created_at", "id"], schema=SCHEMA)
    op.create_table(
        "participation_events",
        sa.Column("id", UUID, primary_key=True),
        _process_fk(),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("held_on", sa.Date, nullable=False),
        sa.Column("place", sa.String(200)),
        sa.Column("participant_count", sa.Integer),
        sa.Column("groups_reached", postgresql.ARRAY(sa.String(40)), nullable=False, server_default="{}"),
        sa.Column("documentation_link", sa.String(2000)),
        *_created(),
        sa.CheckConstraint("participant_count >= 0", name="ck_participation_events_participants_not_negative"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_participation_events_process", "participation_events", ["process_id", "created_at", "id"], schema=SCHEMA
    )
    op.create_table(
        "ideas",
        sa.Column("id", UUID, primary_key=True),
        _process_fk(),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("topics", postgresql.ARRAY(sa.String(64)), nullable=False, server_default="{}"),
        sa.Column("priority", sa.Integer),
        sa.Column(
            "participation_event_id",
            UUID,
            sa.ForeignKey(f"{SCHEMA}.participation_events.id"),
        ),
        *_created(),
        schema=SCHEMA,
    )
    op.create_index("ix_ideas_process", "ideas", ["process_id", "created_at", "id"], schema=SCHEMA)
    op.create_table(
        "measures",
        sa.Column("id", UUID, primary_key=True),
        _process_fk(),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("goal", sa.Text),
        sa.Column("responsible", sa.String(200)),
        sa.Column("period_start", sa.Date),
        sa.Column("period_end", sa.Date),
        sa.Column("budget_eur", sa.Numeric(14, 2)),
        sa.Column("budget_used_eur", sa.Numeric(14, 2)),
        sa.Column("funding_source", sa.String(200)),
        sa.Column("target_groups", postgresql.ARRAY(sa.String(40)), nullable=False, server_default="{}"),
        sa.Column("status", sa.String(16), nullable=False, server_default="PLANNED"),
        sa.Column("milestones", postgresql.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("origin_swot_item_id", UUID, sa.ForeignKey(f"{SCHEMA}.swot_items.id")),
        sa.Column("origin_idea_id", UUID, sa.ForeignKey(f"{SCHEMA}.ideas.id")),
        *_created(),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_by", sa.String(200)),
        sa.CheckConstraint("budget_eur >= 0", name="ck_measures_budget_not_negative"),
        sa.CheckConstraint("budget_used_eur >= 0", name="ck_measures_budget_used_not_negative"),
        sa.CheckConstraint("period_end >= period_start", name="ck_measures_period_in_order"),
        sa.CheckConstraint("origin_swot_item_id IS NULL OR origin_idea_id IS NULL", name="ck_measures_one_origin"),
        schema=SCHEMA,
    )
    op.create_index("ix_measures_process", "measures", ["process_id", "created_at", "id"], schema=SCHEMA)
    op.create_table(
        "overdue_notices",
        _process_fk(),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("process_id", "stage", "due_date", name="pk_overdue_notices"),
        schema=SCHEMA,
    )
    create_outbox_table(SCHEMA)
    create_inbox_table(SCHEMA)


def downgrade() -> None:
    for table in (
        "inbox",
        "outbox",
        "overdue_notices",
        "measures",
        "ideas",
        "participation_events",
        "swot_items",
        "indicators",
        "checklist_entries",
        "stage_transitions",
        "stages",
        "processes",
        "municipalities",
    ):
        op.drop_table(table, schema=SCHEMA)
