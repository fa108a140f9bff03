"""municipality replica, processes, stages, outbox and inbox

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


def upgrade() -> None:
    op.create_table(
        "municipalities",
        sa.Column("id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column("ags", sa.String(12)),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("bundesland", sa.String(2), nullable=False),
        sa.Column("population", sa.Integer),
        sa.Column("programmes", postgresql.ARRAY(sa.String(8)), nullable=False, server_default="{}"),
        schema=SCHEMA,
    )
    op.create_table(
        "processes",
        sa.Column("id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column(
            "municipality_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey(f"{SCHEMA}.municipalities.id"),
            nullable=False,
        ),
        sa.Column("programme", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("municipality_id", "programme", name="uq_processes_municipality_id"),
        schema=SCHEMA,
    )
    op.create_table(
        "stages",
        sa.Column(
            "process_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey(f"{SCHEMA}.processes.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="NOT_STARTED"),
        sa.Column("due_date", sa.Date),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("process_id", "stage", name="pk_stages"),
        schema=SCHEMA,
    )
    create_outbox_table(SCHEMA)
    create_inbox_table(SCHEMA)


def downgrade() -> None:
    for table in ("inbox", "outbox", "stages", "processes", "municipalities"):
        op.drop_table(table, schema=SCHEMA)
