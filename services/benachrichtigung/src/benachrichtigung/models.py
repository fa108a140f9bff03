"""The tables of benachrichtigung, all in the schema `benachrichtigung`."""

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Column,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from zwk_common.db import service_metadata
from zwk_common.inbox import Inbox
from zwk_common.outbox import Outbox

SCHEMA = "benachrichtigung"
metadata = service_metadata(SCHEMA)
outbox = Outbox(metadata, source="/zwk/benachrichtigung")
inbox = Inbox(metadata)

# Who can be told: a person is keyed by their subject; a contact without an account by
# "contact:<id>"; an organisation's webhook endpoints together by "org:<municipality id>"
# or "org:office". Addresses are looked up when a message is sent, never copied into it.

contacts = Table(
    "contacts",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("municipality_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("function", String(200)),
    Column("email", String(320)),
    Column("subject", String(200), index=True),
    # Who the contact is told as: their account's subject, or `contact:<id>` without one.
    Column(
        "recipient_id",
        String(200),
        Computed("coalesce(subject, 'contact:' || id::text)", persisted=True),
        nullable=False,
        index=True,
    ),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

advisers = Table(
    "advisers",
    metadata,
    Column("municipality_id", UUID(as_uuid=True), nullable=False),
    Column("subject", String(200), nullable=False, index=True),
    PrimaryKeyConstraint("municipality_id", "subject"),
)

office_users = Table(
    "office_users",
    metadata,
    Column("subject", String(200), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# austausch owns follows; this is the copy fan-out reads, keyed for "everyone following X".
subscriptions = Table(
    "subscriptions",
    metadata,
    Column("target_kind", String(16), nullable=False),
    Column("target_id", String(200), nullable=False),
    Column("subject", String(200), nullable=False, index=True),
    Column("email", String(320)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("target_kind", "target_id", "subject"),
)

preferences = Table(
    "preferences",
    metadata,
    Column("recipient_id", String(200), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("frequency", String(16), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("recipient_id", "kind", "channel"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("recipient_id", String(200), nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("event_type", String(200), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("title", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("link", String(500)),
    Column("item_kind", String(32)),
    Column("item_id", String(200)),
    Column("item_title", String(300)),
    Column("municipality_id", UUID(as_uuid=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("read_at", DateTime(timezone=True)),
    # However often an event arrives, a recipient is told of it once.
    UniqueConstraint("recipient_id", "event_id", name="uq_notifications_recipient_event"),
    Index("ix_notifications_inbox", "recipient_id", text("created_at DESC"), text("id DESC")),
    Index("ix_notifications_unread", "recipient_id", postgresql_where=text("read_at IS NULL")),
    Index("ix_notifications_event_id", "event_id"),
)

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("organisation", String(64), nullable=False, index=True),
    Column("url", String(2048), nullable=False),
    Column("description", String(500)),
    Column("secret", String(100), nullable=False),
    Column("kinds", ARRAY(String(40)), nullable=False, server_default="{}"),
    Column("frequency", String(16), nullable=False, server_default="immediately"),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("created_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# A notification waiting for its recipient's (or endpoint's) daily or weekly digest.
digest_items = Table(
    "digest_items",
    metadata,
    Column("notification_id", UUID(as_uuid=True), ForeignKey(notifications.c.id, ondelete="CASCADE"), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("target", String(200), nullable=False),
    Column("endpoint_id", UUID(as_uuid=True), ForeignKey(webhook_endpoints.c.id, ondelete="CASCADE")),
    Column("frequency", String(16), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False, index=True),
    # The W3C trace context of the event that caused the entry (see deliveries).
    Column("trace_context", JSONB),
    PrimaryKeyConstraint("notification_id", "channel", "target"),
)

# The queue of messages to send: one row per e-mail or webhook call, retried until
# delivered or until its window closes. `target` is the recipient id (e-mail) or the
# endpoint id (webhook); `content` holds a digest's grouped lines.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("target", String(200), nullable=False),
    Column("endpoint_id", UUID(as_uuid=True), ForeignKey(webhook_endpoints.c.id, ondelete="CASCADE")),
    Column("notification_id", UUID(as_uuid=True), ForeignKey(notifications.c.id, ondelete="CASCADE")),
    Column("kind", String(40), nullable=False),
    Column("frequency", String(16), nullable=False),
    Column("content", JSONB),
    Column("status", String(16), nullable=False, server_default="queued"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("last_error", String(1000)),
    Column("last_status_code", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    # The W3C trace context of the consume span that queued it: the send continues that trace.
    Column("trace_context", JSONB),
    UniqueConstraint("notification_id", "channel", "target", name="uq_deliveries_notification_channel_target"),
    Index("ix_deliveries_due", "next_attempt_at", postgresql_where=text("status = 'queued'")),
    Index("ix_deliveries_endpoint", "endpoint_id", text("created_at DESC")),
    Index("ix_deliveries_log", text("created_at DESC"), text("id DESC")),
    Index("ix_deliveries_target", "channel", "target"),
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column(
        "delivery_id", UUID(as_uuid=True), ForeignKey(deliveries.c.id, ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("attempt", Integer, nullable=False),
    Column("attempted_at", DateTime(timezone=True), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("status_code", Integer),
    Column("error", String(1000)),
    Column("duration_ms", Integer, nullable=False),
)
