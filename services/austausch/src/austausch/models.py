"""The tables of austausch, all in the schema `austausch`."""

from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR, UUID

from zwk_common.db import service_metadata
from zwk_common.inbox import Inbox
from zwk_common.outbox import Outbox

SCHEMA = "austausch"
metadata = service_metadata(SCHEMA)
outbox = Outbox(metadata, source="/zwk/austausch")
inbox = Inbox(metadata)


def _moderation() -> list[Column[Any]]:
    # Hidden content is kept: the office may restore it, and the author is told why.
    return [
        Column("hidden_at", DateTime(timezone=True)),
        Column("hidden_reason", String(1000)),
        Column("hidden_by", String(200)),
    ]


# The Handlungsfelder: seeded by the first migration, then kept from kommunen's topic events.
topics = Table(
    "topics",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("label", String(200), nullable=False),
    Column("parent", String(64)),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# The local copy of what austausch needs of a municipality; written from kommunen's events only.
municipalities = Table(
    "municipalities",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("ags", String(12)),
    Column("name", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("bundesland", String(2), nullable=False),
    Column("population", Integer),
    Column("urbanisation", SmallInteger),
    Column("kreis_key", String(5)),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("topics", ARRAY(String(64)), nullable=False, server_default="{}"),
    Column("programmes", ARRAY(String(8)), nullable=False, server_default="{}"),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

practices = Table(
    "practices",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("municipality_id", UUID(as_uuid=True), ForeignKey(municipalities.c.id), nullable=False),
    Column("author_subject", String(200), nullable=False),
    Column("author_name", String(200)),
    Column("status", String(16), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("title", String(200), nullable=False),
    Column("summary", String(1000), nullable=False),
    Column("body", Text, nullable=False),
    Column("topics", ARRAY(String(64)), nullable=False),
    Column("target_groups", ARRAY(String(32)), nullable=False, server_default="{}"),
    Column("tool_kind", String(32), nullable=False),
    Column("effort", String(16)),
    Column("cost", String(16)),
    Column("cost_note", String(500)),
    Column("contact", JSONB),
    Column("measure_id", UUID(as_uuid=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("published_at", DateTime(timezone=True)),
    Column("archived_at", DateTime(timezone=True)),
    *_moderation(),
    Index("ix_practices_municipality_id", "municipality_id", "status"),
    Index("ix_practices_created", "created_at", "id"),
)

practice_revisions = Table(
    "practice_revisions",
    metadata,
    Column("practice_id", UUID(as_uuid=True), ForeignKey(practices.c.id, ondelete="CASCADE"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("editor_subject", String(200), nullable=False),
    Column("edited_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("content", JSONB, nullable=False),
    PrimaryKeyConstraint("practice_id", "revision"),
)

# The transfer ledger: which municipality took up which practice, with what result.
adoptions = Table(
    "adoptions",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("practice_id", UUID(as_uuid=True), ForeignKey(practices.c.id), nullable=False),
    Column("municipality_id", UUID(as_uuid=True), ForeignKey(municipalities.c.id), nullable=False),
    Column("result", String(2000), nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("practice_id", "municipality_id"),
    Index("ix_adoptions_municipality_id", "municipality_id"),
)

questions = Table(
    "questions",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("municipality_id", UUID(as_uuid=True), ForeignKey(municipalities.c.id), nullable=False),
    Column("author_subject", String(200), nullable=False),
    Column("author_name", String(200)),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("topics", ARRAY(String(64)), nullable=False),
    Column("accepted_answer_id", UUID(as_uuid=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    *_moderation(),
    Index("ix_questions_created", "created_at", "id"),
    Index("ix_questions_municipality_id", "municipality_id"),
)

answers = Table(
    "answers",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("question_id", UUID(as_uuid=True), ForeignKey(questions.c.id), nullable=False),
    Column("municipality_id", UUID(as_uuid=True), ForeignKey(municipalities.c.id)),
    Column("author_subject", String(200), nullable=False),
    Column("author_name", String(200)),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    *_moderation(),
    Index("ix_answers_question_id", "question_id", "created_at"),
)

comments = Table(
    "comments",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("practice_id", UUID(as_uuid=True), ForeignKey(practices.c.id), nullable=False),
    Column("parent_id", UUID(as_uuid=True), ForeignKey("austausch.comments.id")),
    Column("municipality_id", UUID(as_uuid=True), ForeignKey(municipalities.c.id)),
    Column("author_subject", String(200), nullable=False),
    Column("author_name", String(200)),
    Column("body", String(5000), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    *_moderation(),
    Index("ix_comments_practice_id", "practice_id", "created_at"),
)

follows = Table(
    "follows",
    metadata,
    Column("subject", String(200), nullable=False),
    Column("target_kind", String(16), nullable=False),
    Column("target_id", String(64), nullable=False),
    Column("email", String(320)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("subject", "target_kind", "target_id"),
)

bookmarks = Table(
    "bookmarks",
    metadata,
    Column("subject", String(200), nullable=False),
    Column("target_kind", String(16), nullable=False),
    Column("target_id", UUID(as_uuid=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("subject", "target_kind", "target_id"),
)

reports = Table(
    "reports",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("target_kind", String(16), nullable=False),
    Column("target_id", UUID(as_uuid=True), nullable=False),
    Column("reason", String(1000), nullable=False),
    Column("reporter_subject", String(200), nullable=False),
    Column("status", String(16), nullable=False, server_default="OPEN"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("resolved_at", DateTime(timezone=True)),
    Column("resolved_by", String(200)),
    Column("resolution_note", String(1000)),
    Index("ix_reports_status", "status", "created_at", "id"),
    Index("ix_reports_target", "target_kind", "target_id"),
    # One open report per person and thing: reporting again waits for the office's decision.
    Index(
        "uq_reports_open",
        "reporter_subject",
        "target_kind",
        "target_id",
        unique=True,
        postgresql_where=text("status = 'OPEN'"),
    ),
)

# The one search index over practices and questions: a row per visible entry, holding only what
# matching, counting and ranking read (migration 0002). The texts of an entry, which a page of
# hits shows, are beside it in search_texts.
search_documents = Table(
    "search_documents",
    metadata,
    Column("entry_kind", String(16), nullable=False),
    Column("entry_id", UUID(as_uuid=True), nullable=False),
    Column("municipality_id", UUID(as_uuid=True), ForeignKey(municipalities.c.id), nullable=False),
    Column("topics", ARRAY(String(64)), nullable=False),
    Column("target_groups", ARRAY(String(32)), nullable=False, server_default="{}"),
    Column("published_at", DateTime(timezone=True), nullable=False),
    # austausch.search_document(title, summary, topic_labels, body): weighted A to D.
    Column("document", TSVECTOR, nullable=False),
    PrimaryKeyConstraint("entry_kind", "entry_id"),
    # Words and topics in one index (migration 0003): a search with a topic filter finds the
    # documents that have both without listing every document of the topics.
    Index("ix_search_documents_words_topics", "document", "topics", postgresql_using="gin"),
    Index("ix_search_documents_published", "published_at", "entry_kind", "entry_id"),
    Index("ix_search_documents_municipality_id", "municipality_id"),
)

search_texts = Table(
    "search_texts",
    metadata,
    Column("entry_kind", String(16), nullable=False),
    Column("entry_id", UUID(as_uuid=True), nullable=False),
    Column("title", String(200), nullable=False),
    Column("summary", String(1000), nullable=False, server_default=""),
    Column("body", Text, nullable=False),
    Column("topic_labels", Text, nullable=False, server_default=""),
    PrimaryKeyConstraint("entry_kind", "entry_id"),
    ForeignKeyConstraint(
        ["entry_kind", "entry_id"],
        [search_documents.c.entry_kind, search_documents.c.entry_id],
        name="fk_search_texts_document",
        ondelete="CASCADE",
    ),
)

# Every word the index has seen, with its trigrams: the dictionary that corrects misspellings.
search_words = Table(
    "search_words",
    metadata,
    Column("word", String(64), primary_key=True),
    Column("trigrams", ARRAY(Text), nullable=False),
    Index("ix_search_words_trigrams", "trigrams", postgresql_using="gin"),
)
