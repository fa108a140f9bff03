"""the official register of territorial units, and which version of it was imported

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = "kommunen"


def upgrade() -> None:
    op.create_table(
        "register_units",
        # "C" collation: a key or name prefix is a plain range on the index,
        # whatever the database's locale (no pg_trgm, no text_pattern_ops needed).
        sa.Column("key", sa.String(12, collation="C"), primary_key=True),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("type_code", sa.SmallInteger),
        sa.Column("type_label", sa.String(60), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("search_name", sa.String(200, collation="C"), nullable=False),
        sa.Column("parent_key", sa.String(12)),
        sa.Column("land_key", sa.String(2), nullable=False),
        sa.Column("bundesland", sa.String(2), nullable=False),
        sa.Column("kreis_key", sa.String(5)),
        sa.Column("verband_key", sa.String(9)),
        sa.Column("ags", sa.String(8)),
        sa.Column("ars", sa.String(12)),
        sa.Column("area_km2", sa.Numeric(10, 2)),
        sa.Column("population_2019", sa.Integer),
        sa.Column("population_2022", sa.Integer),
        sa.Column("postcode", sa.String(5)),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("urbanisation", sa.SmallInteger),
        schema=SCHEMA,
    )
    op.create_index("ix_register_units_search_name", "register_units", ["search_name"], schema=SCHEMA)
    op.create_index("ix_register_units_parent_key", "register_units", ["parent_key"], schema=SCHEMA)
    op.create_table(
        "register_imports",
        sa.Column("id", sa.SmallInteger, primary_key=True),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("units", sa.Integer, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("id = 1", name="ck_register_imports_single_row"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("register_imports", schema=SCHEMA)
    op.drop_table("register_units", schema=SCHEMA)
