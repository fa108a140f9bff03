"""Alembic per service: one schema each, its own version table, run from code or the CLI."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from zwk_common.db import async_url
from zwk_common.settings import ServiceSettings


def run_env(metadata: MetaData) -> None:
    """The body of every service's `migrations/env.py`."""
    schema = metadata.schema
    if schema is None:
        raise RuntimeError("service metadata must name its schema")
    url = context.config.attributes.get("database_url") or ServiceSettings().database_url
    if context.is_offline_mode():
        context.configure(
            url=str(async_url(url)),
            target_metadata=metadata,
            version_table_schema=schema,
            include_schemas=True,
            literal_binds=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(url, metadata, schema))


async def _run_online(url: str, metadata: MetaData, schema: str) -> None:
    engine = create_async_engine(async_url(url), poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            # Two replicas starting at once must not migrate the same schema twice.
            await connection.execute(text("SELECT pg_advisory_lock(hashtext(:s))"), {"s": f"migrate:{schema}"})
            await connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            await connection.commit()
            await connection.run_sync(_migrate, metadata, schema)
            await connection.commit()
            await connection.execute(text("SELECT pg_advisory_unlock(hashtext(:s))"), {"s": f"migrate:{schema}"})
    finally:
        await engine.dispose()


def _migrate(connection: Connection, metadata: MetaData, schema: str) -> None:
    def only_this_schema(name: str | None, type_: str, parent_names: object) -> bool:
        return type_ != "schema" or name == schema

    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table_schema=schema,
        include_schemas=True,
        include_name=only_this_schema,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def alembic_config(script_location: Path, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["database_url"] = database_url
    return config


def upgrade(script_location: Path, database_url: str, revision: str = "head") -> None:
    """Migrate one service's schema; blocking (alembic runs its own event loop)."""
    command.upgrade(alembic_config(script_location, database_url), revision)


def downgrade(script_location: Path, database_url: str, revision: str = "base") -> None:
    """Take one service's schema back to `revision`; blocking, like `upgrade`."""
    command.downgrade(alembic_config(script_location, database_url), revision)


def create_outbox_table(schema: str) -> None:
    """The outbox of `zwk_common.outbox.Outbox`, for a service's first migration."""
    import sqlalchemy as sa
    from alembic import op
    from sqlalchemy.dialects import postgresql

    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("type", sa.String(200), nullable=False),
        sa.Column("envelope", postgresql.JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        schema=schema,
    )
    op.create_index(
        "ix_outbox_pending", "outbox", ["id"], schema=schema, postgresql_where=sa.text("published_at IS NULL")
    )


def create_inbox_table(schema: str) -> None:
    """The inbox of `zwk_common.inbox.Inbox`, for a service's first migration."""
    import sqlalchemy as sa
    from alembic import op

    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(100), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox"),
        schema=schema,
    )
