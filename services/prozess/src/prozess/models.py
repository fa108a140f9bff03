"""The tables of prozess, all in the schema `prozess`."""

from sqlalchemy import (
    ARRAY,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import UUID

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
)

processes = Table(
    "processes",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("municipality_id", UUID(as_uuid=True), ForeignKey(municipalities.c.id), nullable=False),
    Column("programme", String(8), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("municipality_id", "programme"),
)

stages = Table(
    "stages",
    metadata,
    Column("process_id", UUID(as_uuid=True), ForeignKey(processes.c.id, ondelete="CASCADE"), nullable=False),
    Column("stage", String(32), nullable=False),
    Column("position", Integer, nullable=False),
    Column("status", String(16), nullable=False, server_default="NOT_STARTED"),
    Column("due_date", Date),
    Column("started_at", DateTime(timezone=True)),
    Column("completed_at", DateTime(timezone=True)),
    PrimaryKeyConstraint("process_id", "stage"),
)
