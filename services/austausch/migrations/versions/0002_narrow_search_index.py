"""search: the rows a search visits hold no texts; the texts move beside them

A search visits every matching row of `search_documents`. With titles, summaries and bodies in
the same rows, 100,000 practices filled 142 MB (and 81 MB more of values kept out of line),
more than PostgreSQL's buffers hold while searches follow one another. The texts now live in
`search_texts`, read for the 20 hits of a page only: the rows searched fill 126 MB, and ranking
finds the word vector in the row. (PostgreSQL moves a value out of line only for a row over
about 2 kB, whatever `toast_tuple_target` says: only for such a row does the vector go, and the
short arrays stay, which facets read.)

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = "austausch"

# The weighting of the generated column it replaces: title before summary before topic labels before body.
SEARCH_DOCUMENT = (
    "setweight(to_tsvector('german'::regconfig, title), 'A') || "
    "setweight(to_tsvector('german'::regconfig, summary), 'B') || "
    "setweight(to_tsvector('german'::regconfig, topic_labels), 'C') || "
    "setweight(to_tsvector('german'::regconfig, body), 'D')"
)
SEARCH_DOCUMENT_FUNCTION = f"""
CREATE FUNCTION {SCHEMA}.search_document(title text, summary text, topic_labels text, body text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT {SEARCH_DOCUMENT} $$
"""


def upgrade() -> None:
    op.execute(SEARCH_DOCUMENT_FUNCTION)
    op.execute(f"ALTER TABLE {SCHEMA}.search_documents RENAME TO search_documents_wide")
    for name in ("document", "topics", "published", "municipality_id"):
        op.execute(f"ALTER INDEX {SCHEMA}.ix_search_documents_{name} RENAME TO ix_search_documents_wide_{name}")
    op.execute(
        f"ALTER TABLE {SCHEMA}.search_documents_wide RENAME CONSTRAINT pk_search_documents TO pk_search_documents_wide"
    )
    # For a row long enough to be shortened at all (over about 2 kB), the word vector goes out of
    # line first and the short arrays stay in it (MAIN), since counting facets reads them for every match.
    op.execute(
        f"""
        CREATE TABLE {SCHEMA}.search_documents (
            entry_kind varchar(16) NOT NULL,
            entry_id uuid NOT NULL,
            municipality_id uuid NOT NULL REFERENCES {SCHEMA}.municipalities (id),
            topics varchar(64)[] NOT NULL,
            target_groups varchar(32)[] NOT NULL DEFAULT '{{}}',
            published_at timestamptz NOT NULL,
            document tsvector NOT NULL,
            CONSTRAINT pk_search_documents PRIMARY KEY (entry_kind, entry_id)
        ) WITH (toast_tuple_target = 256)
        """
    )
    op.execute(f"ALTER TABLE {SCHEMA}.search_documents ALTER COLUMN document SET STORAGE EXTERNAL")
    op.execute(f"ALTER TABLE {SCHEMA}.search_documents ALTER COLUMN topics SET STORAGE MAIN")
    op.execute(f"ALTER TABLE {SCHEMA}.search_documents ALTER COLUMN target_groups SET STORAGE MAIN")
    op.execute(
        f"""
        CREATE TABLE {SCHEMA}.search_texts (
            entry_kind varchar(16) NOT NULL,
            entry_id uuid NOT NULL,
            title varchar(200) NOT NULL,
            summary varchar(1000) NOT NULL DEFAULT '',
            body text NOT NULL,
            topic_labels text NOT NULL DEFAULT '',
            CONSTRAINT pk_search_texts PRIMARY KEY (entry_kind, entry_id),
            CONSTRAINT fk_search_texts_document FOREIGN KEY (entry_kind, entry_id)
                REFERENCES {SCHEMA}.search_documents (entry_kind, entry_id) ON DELETE CASCADE
        )
        """
    )
    op.execute(
        f"""
        INSERT INTO {SCHEMA}.search_documents
            (entry_kind, entry_id, municipality_id, topics, target_groups, published_at, document)
        SELECT entry_kind, entry_id, municipality_id, topics, target_groups, published_at, document
        FROM {SCHEMA}.search_documents_wide
        """
    )
    op.execute(
        f"""
        INSERT INTO {SCHEMA}.search_texts (entry_kind, entry_id, title, summary, body, topic_labels)
        SELECT entry_kind, entry_id, title, summary, body, topic_labels FROM {SCHEMA}.search_documents_wide
        """
    )
    op.execute(f"DROP TABLE {SCHEMA}.search_documents_wide")
    op.execute(f"CREATE INDEX ix_search_documents_document ON {SCHEMA}.search_documents USING gin (document)")
    op.execute(f"CREATE INDEX ix_search_documents_topics ON {SCHEMA}.search_documents USING gin (topics)")
    op.execute(
        f"CREATE INDEX ix_search_documents_published ON {SCHEMA}.search_documents (published_at, entry_kind, entry_id)"
    )
    op.execute(f"CREATE INDEX ix_search_documents_municipality_id ON {SCHEMA}.search_documents (municipality_id)")


def downgrade() -> None:
    op.execute(f"ALTER TABLE {SCHEMA}.search_texts DROP CONSTRAINT fk_search_texts_document")
    for column, definition in (
        ("title", "varchar(200) NOT NULL DEFAULT ''"),
        ("summary", "varchar(1000) NOT NULL DEFAULT ''"),
        ("body", "text NOT NULL DEFAULT ''"),
        ("topic_labels", "text NOT NULL DEFAULT ''"),
    ):
        op.execute(f"ALTER TABLE {SCHEMA}.search_documents ADD COLUMN {column} {definition}")
    op.execute(
        f"""
        UPDATE {SCHEMA}.search_documents d
           SET title = t.title, summary = t.summary, body = t.body, topic_labels = t.topic_labels
          FROM {SCHEMA}.search_texts t
         WHERE t.entry_kind = d.entry_kind AND t.entry_id = d.entry_id
        """
    )
    op.execute(f"DROP TABLE {SCHEMA}.search_texts")
    op.execute(f"ALTER TABLE {SCHEMA}.search_documents DROP COLUMN document")
    op.execute(
        f"ALTER TABLE {SCHEMA}.search_documents ADD COLUMN document tsvector "
        f"GENERATED ALWAYS AS ({SEARCH_DOCUMENT}) STORED"
    )
    op.execute(f"CREATE INDEX ix_search_documents_document ON {SCHEMA}.search_documents USING gin (document)")
    op.execute(f"ALTER TABLE {SCHEMA}.search_documents RESET (toast_tuple_target)")
    op.execute(f"DROP FUNCTION {SCHEMA}.search_document(text, text, text, text)")
