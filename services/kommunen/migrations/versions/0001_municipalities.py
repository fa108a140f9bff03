"""participants: municipalities, their programme participations, advisers, contacts; the outbox

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from zwk_common.migrations import create_outbox_table

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = "kommunen"


def upgrade() -> None:
    op.create_table(
        "municipalities",
        sa.Column("id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column("ags", sa.String(9)),
        sa.Column("member_keys", postgresql.ARRAY(sa.String(9)), nullable=False, server_default="{}"),
        sa.Column("quarter", sa.String(200)),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("bundesland", sa.String(2), nullable=False),
        sa.Column("population", sa.Integer),
        sa.Column("kreis_key", sa.String(5)),
        sa.Column("urbanisation", sa.SmallInteger),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("ags", name="uq_municipalities_ags"),
        schema=SCHEMA,
    )
    op.create_index("ix_municipalities_name_id", "municipalities", ["name", "id"], schema=SCHEMA)
    op.create_index(
        "uq_municipalities_quarter",
        "municipalities",
        [sa.text("(member_keys[1])"), sa.text("lower(quarter)")],
        unique=True,
        schema=SCHEMA,
        postgresql_where=sa.text("kind = 'QUARTIER'"),
    )
    op.create_index(
        "uq_municipalities_verbund",
        "municipalities",
        [sa.text("lower(name)")],
        unique=True,
        schema=SCHEMA,
        postgresql_where=sa.text("kind = 'VERBUND'"),
    )
    municipality_id = sa.ForeignKey(f"{SCHEMA}.municipalities.id", ondelete="CASCADE")
    op.create_table(
        "participations",
        sa.Column("municipality_id", postgresql.UUID(as_uuid=True), municipality_id, nullable=False),
        sa.Column("programme", sa.String(8), nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date),
        sa.Column("cluster", sa.String(16)),
        sa.PrimaryKeyConstraint("municipality_id", "programme", name="pk_participations"),
        schema=SCHEMA,
    )
    op.create_index("ix_participations_programme", "participations", ["programme", "municipality_id"], schema=SCHEMA)
    op.create_table(
        "advisers",
        sa.Column(
            "municipality_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey(f"{SCHEMA}.municipalities.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("municipality_id", "subject", name="pk_advisers"),
        schema=SCHEMA,
    )
    op.create_table(
        "contacts",
        sa.Column("id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column(
            "municipality_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey(f"{SCHEMA}.municipalities.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("function", sa.String(200)),
        sa.Column("email", sa.String(254)),
        sa.Column("phone", sa.String(40)),
        sa.Column("subject", sa.String(200)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_index("ix_contacts_municipality_id", "contacts", ["municipality_id", "name", "id"], schema=SCHEMA)
    create_outbox_table(SCHEMA)


def downgrade() -> None:
    op.drop_table("outbox", schema=SCHEMA)
    op.drop_table("contacts", schema=SCHEMA)
    op.drop_table("advisers", schema=SCHEMA)
    op.drop_table("participations", schema=SCHEMA)
    op.drop_table("municipalities", schema=SCHEMA)
