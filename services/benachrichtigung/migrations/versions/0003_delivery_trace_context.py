"""the trace context stored with each queued delivery and digest entry

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "benachrichtigung"


def upgrade() -> None:
    for table in ("deliveries", "digest_items"):
        op.add_column(table, sa.Column("trace_context", postgresql.JSONB), schema=SCHEMA)


def downgrade() -> None:
    for table in ("digest_items", "deliveries"):
        op.drop_column(table, "trace_context", schema=SCHEMA)
