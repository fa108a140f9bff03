"""recipients, notifications, preferences, webhook endpoints, digests, the delivery queue and its log

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = "benachrichtigung"
UUID = postgresql.UUID(as_uuid=True)


def _now() -> sa.TextClause:
    return sa.text("now()")


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("municipality_id", UUID, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("function", sa.String(200)),
        sa.Column("email", sa.String(320)),
        sa.Column("subject", sa.String(200)),
        sa.Column(
            "recipient_id",
            sa.String(200),
            sa.Computed("coalesce(subject, 'contact:' || id::text)", persisted=True),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.PrimaryKeyConstraint("id", name="pk_contacts"),
        schema=SCHEMA,
    )
    op.create_index("ix_contacts_municipality_id", "contacts", ["municipality_id"], schema=SCHEMA)
    op.create_index("ix_contacts_subject", "contacts", ["subject"], schema=SCHEMA)
    op.create_index("ix_contacts_recipient_id", "contacts", ["recipient_id"], schema=SCHEMA)

    op.create_table(
        "advisers",
        sa.Column("municipality_id", UUID, nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("municipality_id", "subject", name="pk_advisers"),
        schema=SCHEMA,
    )
    op.create_index("ix_advisers_subject", "advisers", ["subject"], schema=SCHEMA)

    op.create_table(
        "office_users",
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.PrimaryKeyConstraint("subject", name="pk_office_users"),
        schema=SCHEMA,
    )

    op.create_table(
        "subscriptions",
        sa.Column("target_kind", sa.String(16), nullable=False),
        sa.Column("target_id", sa.String(200), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.PrimaryKeyConstraint("target_kind", "target_id", "subject", name="pk_subscriptions"),
        schema=SCHEMA,
    )
    op.create_index("ix_subscriptions_subject", "subscriptions", ["subject"], schema=SCHEMA)

    op.create_table(
        "preferences",
        sa.Column("recipient_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("frequency", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.PrimaryKeyConstraint("recipient_id", "kind", "channel", name="pk_preferences"),
        sa.CheckConstraint("channel IN ('email', 'webhook')", name="channel"),
        sa.CheckConstraint("frequency IN ('immediately', 'daily', 'weekly', 'never')", name="frequency"),
        schema=SCHEMA,
    )

    op.create_table(
        "notifications",
        sa.Column("id", UUID, nullable=False),
        sa.Column("recipient_id", sa.String(200), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("link", sa.String(500)),
        sa.Column("item_kind", sa.String(32)),
        sa.Column("item_id", sa.String(200)),
        sa.Column("item_title", sa.String(300)),
        sa.Column("municipality_id", UUID),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"),
        sa.UniqueConstraint("recipient_id", "event_id", name="uq_notifications_recipient_event"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_notifications_inbox",
        "notifications",
        ["recipient_id", sa.text("created_at DESC"), sa.text("id DESC")],
        schema=SCHEMA,
    )
    op.create_index(
        "ix_notifications_unread",
        "notifications",
        ["recipient_id"],
        schema=SCHEMA,
        postgresql_where=sa.text("read_at IS NULL"),
    )
    op.create_index("ix_notifications_event_id", "notifications", ["event_id"], schema=SCHEMA)

    op.create_table(
        "webhook_endpoints",
        sa.Column("id", UUID, nullable=False),
        sa.Column("organisation", sa.String(64), nullable=False),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("description", sa.String(500)),
        sa.Column("secret", sa.String(100), nullable=False),
        sa.Column("kinds", postgresql.ARRAY(sa.String(40)), nullable=False, server_default="{}"),
        sa.Column("frequency", sa.String(16), nullable=False, server_default="immediately"),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.text("true")),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_endpoints"),
        sa.CheckConstraint("frequency IN ('immediately', 'daily', 'weekly', 'never')", name="frequency"),
        schema=SCHEMA,
    )
    op.create_index("ix_webhook_endpoints_organisation", "webhook_endpoints", ["organisation"], schema=SCHEMA)

    op.create_table(
        "digest_items",
        sa.Column(
            "notification_id",
            UUID,
            sa.ForeignKey(f"{SCHEMA}.notifications.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("endpoint_id", UUID, sa.ForeignKey(f"{SCHEMA}.webhook_endpoints.id", ondelete="CASCADE")),
        sa.Column("frequency", sa.String(16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("notification_id", "channel", "target", name="pk_digest_items"),
        schema=SCHEMA,
    )
    op.create_index("ix_digest_items_due_at", "digest_items", ["due_at"], schema=SCHEMA)
    op.create_index("ix_digest_items_endpoint_id", "digest_items", ["endpoint_id"], schema=SCHEMA)

    op.create_table(
        "deliveries",
        sa.Column("id", UUID, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("endpoint_id", UUID, sa.ForeignKey(f"{SCHEMA}.webhook_endpoints.id", ondelete="CASCADE")),
        sa.Column("notification_id", UUID, sa.ForeignKey(f"{SCHEMA}.notifications.id", ondelete="CASCADE")),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("frequency", sa.String(16), nullable=False),
        sa.Column("content", postgresql.JSONB),
        sa.Column("status", sa.String(16), nullable=False, server_default="queued"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(1000)),
        sa.Column("last_status_code", sa.Integer),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
        # One message per notification, channel and target, however often it is queued.
        sa.UniqueConstraint("notification_id", "channel", "target", name="uq_deliveries_notification_channel_target"),
        sa.CheckConstraint("status IN ('queued', 'delivered', 'failed')", name="status"),
        sa.CheckConstraint("channel IN ('email', 'webhook')", name="channel"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_deliveries_due",
        "deliveries",
        ["next_attempt_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("status = 'queued'"),
    )
    op.create_index("ix_deliveries_endpoint", "deliveries", ["endpoint_id", sa.text("created_at DESC")], schema=SCHEMA)
    op.create_index("ix_deliveries_log", "deliveries", [sa.text("created_at DESC"), sa.text("id DESC")], schema=SCHEMA)
    op.create_index("ix_deliveries_target", "deliveries", ["channel", "target"], schema=SCHEMA)

    op.create_table(
        "delivery_attempts",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column(
            "delivery_id",
            UUID,
            sa.ForeignKey(f"{SCHEMA}.deliveries.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("status_code", sa.Integer),
        sa.Column("error", sa.String(1000)),
        sa.Column("duration_ms", sa.Integer, nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_delivery_attempts_delivery_id", "delivery_attempts", ["delivery_id"], schema=SCHEMA)


def downgrade() -> None:
    for table in (
        "delivery_attempts",
        "deliveries",
        "digest_items",
        "webhook_endpoints",
        "notifications",
        "preferences",
        "subscriptions",
        "office_users",
        "advisers",
        "contacts",
    ):
        op.drop_table(table, schema=SCHEMA)
