"""search: one GIN index over words and topics instead of one each

A search with a topic filter matched its words in one index and its topics in the other, and
intersected the two: a topic with the topics below it names some 20,000 documents, which took
longer to list than the few thousand its words match. In one index over both, PostgreSQL skips
through the topics' entries to the documents the words found. The index serves a condition on
either column alone as well.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "austausch"


def upgrade() -> None:
    op.execute(
        f"CREATE INDEX ix_search_documents_words_topics ON {SCHEMA}.search_documents USING gin (document, topics)"
    )
    op.execute(f"DROP INDEX {SCHEMA}.ix_search_documents_document")
    op.execute(f"DROP INDEX {SCHEMA}.ix_search_documents_topics")


def downgrade() -> None:
    op.execute(f"CREATE INDEX ix_search_documents_document ON {SCHEMA}.search_documents USING gin (document)")
    op.execute(f"CREATE INDEX ix_search_documents_topics ON {SCHEMA}.search_documents USING gin (topics)")
    op.execute(f"DROP INDEX {SCHEMA}.ix_search_documents_words_topics")
