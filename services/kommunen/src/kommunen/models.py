"""The tables of kommunen, all in the schema `kommunen`."""

from sqlalchemy import ARRAY, Column, DateTime, Integer, String, Table, func
from sqlalchemy.dialects.postgresql import UUID

from zwk_common.db import service_metadata
from zwk_common.outbox import Outbox

SCHEMA = "kommunen"
metadata = service_metadata(SCHEMA)
outbox = Outbox(metadata, source="/zwk/kommunen")

municipalities = Table(
    "municipalities",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("ags", String(12), unique=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("bundesland", String(2), nullable=False),
    Column("population", Integer),
    Column("programmes", ARRAY(String(8)), nullable=False, server_default="{}"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
