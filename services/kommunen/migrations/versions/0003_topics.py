"""topics (Handlungsfelder) as data, seeded with the toolbox's 13 categories and their sub-topics

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from zwk_common.events import Envelope

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "kommunen"

# The 13 categories of the programme's toolbox.
CATEGORIES = [
    ("oeffentlichkeitsarbeit", "Öffentlichkeitsarbeit"),
    ("wohnen", "Wohnen"),
    ("kooperation", "Intra- und interkommunale Kooperationen"),
    ("digitalisierung", "Digitalisierung"),
    ("demokratiefoerderung", "Demokratieförderung"),
    ("buergerbeteiligung", "Bürgerbeteiligung"),
    ("engagement", "Bürgerschaftliches Engagement"),
    ("begegnung", "Begegnung, Beratung, Selbsthilfe"),
    ("foerdermittel", "Fördermittel"),
    ("gesundheit-pflege", "Gesundheit und Pflege"),
    ("arbeit-wirtschaft", "Arbeit und Wirtschaft"),
    ("demografiestrategie", "Demografiestrategie"),
    ("integration", "Integration"),
]

# The topics of the municipalities' own plans, each under the closest category.
# Mobility is organised across municipal borders (transport associations,
# Bürgerbus networks), local supply is a matter of the local economy; the office
# re-parents any of these as its toolbox evolves.
SUB_TOPICS = [
    ("mobilitaet", "Mobilität", "kooperation"),
    ("nahversorgung", "Nahversorgung", "arbeit-wirtschaft"),
    ("wohnumfeld", "Wohnumfeld und Ortsmitte", "wohnen"),
    ("sicherheit", "Sicherheit", "wohnen"),
    ("leben-im-alter", "Leben im Alter", "gesundheit-pflege"),
    ("kinder-jugend-familie", "Kinder, Jugend und Familie", "begegnung"),
    ("bildung", "Bildung", "begegnung"),
    ("kultur-freizeit", "Kultur und Freizeit", "begegnung"),
    ("fachkraefte", "Fachkräftesicherung", "arbeit-wirtschaft"),
    ("leerstand", "Leerstand und Innenentwicklung", "wohnen"),
]


def upgrade() -> None:
    topics = op.create_table(
        "topics",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("label", sa.String(120), nullable=False),
        sa.Column("parent_key", sa.String(64), sa.ForeignKey(f"{SCHEMA}.topics.key")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_table(
        "municipality_topics",
        sa.Column(
            "municipality_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey(f"{SCHEMA}.municipalities.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("topic_key", sa.String(64), sa.ForeignKey(f"{SCHEMA}.topics.key"), nullable=False),
        sa.PrimaryKeyConstraint("municipality_id", "topic_key", name="pk_municipality_topics"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_municipality_topics_topic_key", "municipality_topics", ["topic_key", "municipality_id"], schema=SCHEMA
    )
    seeded = [(key, label, None) for key, label in CATEGORIES] + SUB_TOPICS
    op.bulk_insert(topics, [{"key": key, "label": label, "parent_key": parent} for key, label, parent in seeded])
    # Consumers learn the seeded topics the way they learn every other one.
    outbox = sa.table(
        "outbox",
        sa.column("event_id", sa.String),
        sa.column("type", sa.String),
        sa.column("envelope", postgresql.JSONB),
        schema=SCHEMA,
    )
    events = [
        Envelope(
            source="/zwk/kommunen",
            type="zwk.kommunen.topic.added",
            data={"key": key, "label": label, "parent": parent},
        )
        for key, label, parent in seeded
    ]
    op.bulk_insert(
        outbox,
        [{"event_id": e.id, "type": e.type, "envelope": e.model_dump(mode="json", exclude_none=True)} for e in events],
    )


def downgrade() -> None:
    op.drop_table("municipality_topics", schema=SCHEMA)
    op.drop_table("topics", schema=SCHEMA)
