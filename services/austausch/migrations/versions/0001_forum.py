"""topics, municipality replica, practices, questions, comments, follows, moderation, search; outbox and inbox

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from zwk_common.migrations import create_inbox_table, create_outbox_table

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = "austausch"

# The Handlungsfelder as the programme names them, so the forum works before kommunen
# has sent a single topic event; kommunen's events overwrite labels and parents later.
TOPICS: list[tuple[str, str, str | None]] = [
    ("oeffentlichkeitsarbeit", "Öffentlichkeitsarbeit", None),
    ("wohnen", "Wohnen", None),
    ("kooperation", "Intra- und interkommunale Kooperationen", None),
    ("digitalisierung", "Digitalisierung", None),
    ("demokratiefoerderung", "Demokratieförderung", None),
    ("buergerbeteiligung", "Bürgerbeteiligung", None),
    ("engagement", "Bürgerschaftliches Engagement", None),
    ("begegnung", "Begegnung, Beratung, Selbsthilfe", None),
    ("foerdermittel", "Fördermittel", None),
    ("gesundheit-pflege", "Gesundheit und Pflege", None),
    ("arbeit-wirtschaft", "Arbeit und Wirtschaft", None),
    ("demografiestrategie", "Demografiestrategie", None),
    ("integration", "Integration", None),
    ("mobilitaet", "Mobilität", "kooperation"),
    ("nahversorgung", "Nahversorgung", "arbeit-wirtschaft"),
    ("wohnumfeld", "Wohnumfeld und Ortsmitte", "wohnen"),
    ("sicherheit", "Sicherheit", "demografiestrategie"),
    ("leben-im-alter", "Leben im Alter", "gesundheit-pflege"),
    ("kinder-jugend-familie", "Kinder, Jugend und Familie", "begegnung"),
    ("bildung", "Bildung", "begegnung"),
    ("kultur-freizeit", "Kultur und Freizeit", "begegnung"),
    ("fachkraefte", "Fachkräftesicherung", "arbeit-wirtschaft"),
    ("leerstand", "Leerstand und Innenentwicklung", "wohnen"),
]

# pg_trgm's padding ("  word "), built from core functions only: no extension is available.
WORD_TRIGRAMS = f"""
CREATE FUNCTION {SCHEMA}.word_trigrams(word text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(padded, i, 3)), '{{}}')
    FROM (SELECT '  ' || word || ' ' AS padded) AS p, generate_series(1, length(padded) - 2) AS i
$$
"""

SEARCH_DOCUMENT = (
    "setweight(to_tsvector('german'::regconfig, title), 'A') || "
    "setweight(to_tsvector('german'::regconfig, summary), 'B') || "
    "setweight(to_tsvector('german'::regconfig, topic_labels), 'C') || "
    "setweight(to_tsvector('german'::regconfig, body), 'D')"
)


def _uuid(name: str, *args: object, **kwargs: object) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, postgresql.UUID(as_uuid=True), *args, **kwargs)  # type: ignore[arg-type]


def _at(name: str, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    if nullable:
        return sa.Column(name, sa.DateTime(timezone=True))
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def _moderation() -> list[sa.Column]:  # type: ignore[type-arg]
    return [_at("hidden_at"), sa.Column("hidden_reason", sa.String(1000)), sa.Column("hidden_by", sa.String(200))]


def _keys(name: str, length: int = 64) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, postgresql.ARRAY(sa.String(length)), nullable=False, server_default="{}")


def upgrade() -> None:
    municipality_fk = f"{SCHEMA}.municipalities.id"
    topics = op.create_table(
        "topics",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("parent", sa.String(64)),
        _at("updated_at", nullable=False),
        schema=SCHEMA,
    )
    op.bulk_insert(topics, [{"key": k, "label": label, "parent": p} for k, label, p in TOPICS])
    op.create_table(
        "municipalities",
        _uuid("id", primary_key=True),
        sa.Column("ags", sa.String(12)),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("bundesland", sa.String(2), nullable=False),
        sa.Column("population", sa.Integer),
        sa.Column("urbanisation", sa.SmallInteger),
        sa.Column("kreis_key", sa.String(5)),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        _keys("topics"),
        _keys("programmes", 8),
        _at("updated_at", nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "practices",
        _uuid("id", primary_key=True),
        _uuid("municipality_id", sa.ForeignKey(municipality_fk), nullable=False),
        sa.Column("author_subject", sa.String(200), nullable=False),
        sa.Column("author_name", sa.String(200)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("summary", sa.String(1000), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        _keys("topics"),
        _keys("target_groups", 32),
        sa.Column("tool_kind", sa.String(32), nullable=False),
        sa.Column("effort", sa.String(16)),
        sa.Column("cost", sa.String(16)),
        sa.Column("cost_note", sa.String(500)),
        sa.Column("contact", postgresql.JSONB),
        _uuid("measure_id"),
        _at("created_at", nullable=False),
        _at("updated_at", nullable=False),
        _at("published_at"),
        _at("archived_at"),
        *_moderation(),
        schema=SCHEMA,
    )
    op.create_index("ix_practices_municipality_id", "practices", ["municipality_id", "status"], schema=SCHEMA)
    op.create_index("ix_practices_created", "practices", ["created_at", "id"], schema=SCHEMA)
    op.create_table(
        "practice_revisions",
        _uuid("practice_id", sa.ForeignKey(f"{SCHEMA}.practices.id", ondelete="CASCADE"), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("editor_subject", sa.String(200), nullable=False),
        _at("edited_at", nullable=False),
        sa.Column("content", postgresql.JSONB, nullable=False),
        sa.PrimaryKeyConstraint("practice_id", "revision", name="pk_practice_revisions"),
        schema=SCHEMA,
    )
    op.create_table(
        "adoptions",
        _uuid("id", primary_key=True),
        _uuid("practice_id", sa.ForeignKey(f"{SCHEMA}.practices.id"), nullable=False),
        _uuid("municipality_id", sa.ForeignKey(municipality_fk), nullable=False),
        sa.Column("result", sa.String(2000), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        _at("created_at", nullable=False),
        sa.UniqueConstraint("practice_id", "municipality_id", name="uq_adoptions_practice_id"),
        schema=SCHEMA,
    )
    op.create_index("ix_adoptions_municipality_id", "adoptions", ["municipality_id"], schema=SCHEMA)
    op.create_table(
        "questions",
        _uuid("id", primary_key=True),
        _uuid("municipality_id", sa.ForeignKey(municipality_fk), nullable=False),
        sa.Column("author_subject", sa.String(200), nullable=False),
        sa.Column("author_name", sa.String(200)),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        _keys("topics"),
        _uuid("accepted_answer_id"),
        _at("created_at", nullable=False),
        _at("updated_at", nullable=False),
        *_moderation(),
        schema=SCHEMA,
    )
    op.create_index("ix_questions_created", "questions", ["created_at", "id"], schema=SCHEMA)
    op.create_index("ix_questions_municipality_id", "questions", ["municipality_id"], schema=SCHEMA)
    op.create_table(
        "answers",
        _uuid("id", primary_key=True),
        _uuid("question_id", sa.ForeignKey(f"{SCHEMA}.questions.id"), nullable=False),
        _uuid("municipality_id", sa.ForeignKey(municipality_fk)),
        sa.Column("author_subject", sa.String(200), nullable=False),
        sa.Column("author_name", sa.String(200)),
        sa.Column("body", sa.Text, nullable=False),
        _at("created_at", nullable=False),
        *_moderation(),
        schema=SCHEMA,
    )
    op.create_index("ix_answers_question_id", "answers", ["question_id", "created_at"], schema=SCHEMA)
    op.create_table(
        "comments",
        _uuid("id", primary_key=True),
        _uuid("practice_id", sa.ForeignKey(f"{SCHEMA}.practices.id"), nullable=False),
        _uuid("parent_id", sa.ForeignKey(f"{SCHEMA}.comments.id")),
        _uuid("municipality_id", sa.ForeignKey(municipality_fk)),
        sa.Column("author_subject", sa.String(200), nullable=False),
        sa.Column("author_name", sa.String(200)),
        sa.Column("body", sa.String(5000), nullable=False),
        _at("created_at", nullable=False),
        *_moderation(),
        schema=SCHEMA,
    )
    op.create_index("ix_comments_practice_id", "comments", ["practice_id", "created_at"], schema=SCHEMA)
    op.create_table(
        "follows",
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("target_kind", sa.String(16), nullable=False),
        sa.Column("target_id", sa.String(64), nullable=False),
        sa.Column("email", sa.String(320)),
        _at("created_at", nullable=False),
        sa.PrimaryKeyConstraint("subject", "target_kind", "target_id", name="pk_follows"),
        schema=SCHEMA,
    )
    op.create_table(
        "bookmarks",
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("target_kind", sa.String(16), nullable=False),
        _uuid("target_id", nullable=False),
        _at("created_at", nullable=False),
        sa.PrimaryKeyConstraint("subject", "target_kind", "target_id", name="pk_bookmarks"),
        schema=SCHEMA,
    )
    op.create_table(
        "reports",
        _uuid("id", primary_key=True),
        sa.Column("target_kind", sa.String(16), nullable=False),
        _uuid("target_id", nullable=False),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.Column("reporter_subject", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="OPEN"),
        _at("created_at", nullable=False),
        _at("resolved_at"),
        sa.Column("resolved_by", sa.String(200)),
        sa.Column("resolution_note", sa.String(1000)),
        schema=SCHEMA,
    )
    op.create_index("ix_reports_status", "reports", ["status", "created_at", "id"], schema=SCHEMA)
    op.create_index("ix_reports_target", "reports", ["target_kind", "target_id"], schema=SCHEMA)
    op.create_index(
        "uq_reports_open",
        "reports",
        ["reporter_subject", "target_kind", "target_id"],
        unique=True,
        schema=SCHEMA,
        postgresql_where=sa.text("status = 'OPEN'"),
    )
    op.create_table(
        "search_documents",
        sa.Column("entry_kind", sa.String(16), nullable=False),
        _uuid("entry_id", nullable=False),
        _uuid("municipality_id", sa.ForeignKey(municipality_fk), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("summary", sa.String(1000), nullable=False, server_default=""),
        sa.Column("body", sa.Text, nullable=False),
        _keys("topics"),
        sa.Column("topic_labels", sa.Text, nullable=False, server_default=""),
        _keys("target_groups", 32),
        _at("published_at", nullable=False),
        sa.Column("document", postgresql.TSVECTOR, sa.Computed(SEARCH_DOCUMENT, persisted=True)),
        sa.PrimaryKeyConstraint("entry_kind", "entry_id", name="pk_search_documents"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_search_documents_document", "search_documents", ["document"], schema=SCHEMA, postgresql_using="gin"
    )
    op.create_index("ix_search_documents_topics", "search_documents", ["topics"], schema=SCHEMA, postgresql_using="gin")
    op.create_index(
        "ix_search_documents_published",
        "search_documents",
        ["published_at", "entry_kind", "entry_id"],
        schema=SCHEMA,
    )
    op.create_index("ix_search_documents_municipality_id", "search_documents", ["municipality_id"], schema=SCHEMA)
    op.execute(WORD_TRIGRAMS)
    op.create_table(
        "search_words",
        sa.Column("word", sa.String(64), primary_key=True),
        sa.Column("trigrams", postgresql.ARRAY(sa.Text), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_search_words_trigrams", "search_words", ["trigrams"], schema=SCHEMA, postgresql_using="gin")
    create_outbox_table(SCHEMA)
    create_inbox_table(SCHEMA)


def downgrade() -> None:
    for table in (
        "inbox",
        "outbox",
        "search_words",
        "search_documents",
        "reports",
        "bookmarks",
        "follows",
        "comments",
        "answers",
        "questions",
        "adoptions",
        "practice_revisions",
        "practices",
        "municipalities",
        "topics",
    ):
        op.drop_table(table, schema=SCHEMA)
    op.execute(f"DROP FUNCTION {SCHEMA}.word_trigrams(text)")
