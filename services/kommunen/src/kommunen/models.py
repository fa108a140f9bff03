"""The tables of kommunen, all in the schema `kommunen`."""

from sqlalchemy import (
    ARRAY,
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
    SmallInteger,
    String,
    Table,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import UUID

from zwk_common.db import service_metadata
from zwk_common.outbox import Outbox

SCHEMA = "kommunen"
metadata = service_metadata(SCHEMA)
outbox = Outbox(metadata, source="/zwk/kommunen")

# The official register: every Land, Regierungsbezirk, Kreis, Gemeindeverband
# and Gemeinde. Reference data, replaced as a whole by an import. Keys and the
# search name use the "C" collation so that a prefix is a plain index range.
register_units = Table(
    "register_units",
    metadata,
    Column("key", String(12, collation="C"), primary_key=True),
    Column("level", String(20), nullable=False),
    Column("type_code", SmallInteger),
    Column("type_label", String(60), nullable=False),
    Column("name", String(200), nullable=False),
    Column("search_name", String(200, collation="C"), nullable=False),
    Column("parent_key", String(12)),
    Column("land_key", String(2), nullable=False),
    Column("bundesland", String(2), nullable=False),
    Column("kreis_key", String(5)),
    Column("verband_key", String(9)),
    Column("ags", String(8)),
    Column("ars", String(12)),
    Column("area_km2", Numeric(10, 2)),
    Column("population_2019", Integer),
    Column("population_2022", Integer),
    Column("postcode", String(5)),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("urbanisation", SmallInteger),
    Index("ix_register_units_search_name", "search_name"),
    Index("ix_register_units_parent_key", "parent_key"),
)

# Which version of the shipped files the register holds (one row).
register_imports = Table(
    "register_imports",
    metadata,
    Column("id", SmallInteger, primary_key=True),
    Column("version", String(64), nullable=False),
    Column("units", Integer, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("id = 1", name="single_row"),
)

topics = Table(
    "topics",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("label", String(120), nullable=False),
    Column("parent_key", String(64), ForeignKey(f"{SCHEMA}.topics.key")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

municipalities = Table(
    "municipalities",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("ags", String(9), unique=True),
    Column("member_keys", ARRAY(String(9)), nullable=False, server_default="{}"),
    Column("quarter", String(200)),
    Column("name", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("bundesland", String(2), nullable=False),
    Column("population", Integer),
    Column("kreis_key", String(5)),
    Column("urbanisation", SmallInteger),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_municipalities_name_id", "name", "id"),
    # A quarter is one per city and name; an alliance one per name.
    Index(
        "uq_municipalities_quarter",
        text("(member_keys[1])"),
        text("lower(quarter)"),
        unique=True,
        postgresql_where=text("kind = 'QUARTIER'"),
    ),
    Index("uq_municipalities_verbund", text("lower(name)"), unique=True, postgresql_where=text("kind = 'VERBUND'")),
)

participations = Table(
    "participations",
    metadata,
    Column("municipality_id", UUID(as_uuid=True), ForeignKey(f"{SCHEMA}.municipalities.id", ondelete="CASCADE")),
    Column("programme", String(8), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date),
    Column("cluster", String(16)),
    PrimaryKeyConstraint("municipality_id", "programme", name="pk_participations"),
    Index("ix_participations_programme", "programme", "municipality_id"),
)

municipality_topics = Table(
    "municipality_topics",
    metadata,
    Column("municipality_id", UUID(as_uuid=True), ForeignKey(f"{SCHEMA}.municipalities.id", ondelete="CASCADE")),
    Column("topic_key", String(64), ForeignKey(f"{SCHEMA}.topics.key"), nullable=False),
    PrimaryKeyConstraint("municipality_id", "topic_key", name="pk_municipality_topics"),
    Index("ix_municipality_topics_topic_key", "topic_key", "municipality_id"),
)

advisers = Table(
    "advisers",
    metadata,
    Column("municipality_id", UUID(as_uuid=True), ForeignKey(f"{SCHEMA}.municipalities.id", ondelete="CASCADE")),
    Column("subject", String(200), nullable=False),
    PrimaryKeyConstraint("municipality_id", "subject", name="pk_advisers"),
)

contacts = Table(
    "contacts",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column(
        "municipality_id",
        UUID(as_uuid=True),
        ForeignKey(f"{SCHEMA}.municipalities.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("name", String(200), nullable=False),
    Column("function", String(200)),
    Column("email", String(254)),
    Column("phone", String(40)),
    Column("subject", String(200)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_contacts_municipality_id", "municipality_id", "name", "id"),
)
