"""ingest: texts analysed, proposals with their evidence, places users import

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import trucewatch.storage.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.JSON:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "ingested_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("published", sa.Date(), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("dropped", _json(), nullable=False),
        sa.Column("pipeline", _json(), nullable=False),
        sa.Column("ingested_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("ingested_by", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingested_texts")),
        sa.UniqueConstraint("sha256", name=op.f("uq_ingested_texts_sha256")),
    )
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("payload", _json(), nullable=False),
        sa.Column("sentence", sa.Text(), nullable=False),
        sa.Column("sentence_start", sa.Integer(), nullable=False),
        sa.Column("sentence_end", sa.Integer(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=False),
        sa.Column("evidence_end", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("notes", _json(), nullable=False),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.Column("decided_at", trucewatch.storage.base.UTCDateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("record", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["text_id"], ["ingested_texts.id"],
                                name=op.f("fk_proposals_text_id_ingested_texts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
    )
    op.create_index(op.f("ix_proposals_text_id"), "proposals", ["text_id"], unique=False)
    op.create_index("ix_proposals_status_kind", "proposals", ["status", "kind"], unique=False)
    op.create_table(
        "gazetteer_places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("normalised", sa.String(length=300), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("imported_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("imported_by", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gazetteer_places")),
    )
    op.create_index(op.f("ix_gazetteer_places_normalised"), "gazetteer_places", ["normalised"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_gazetteer_places_normalised"), table_name="gazetteer_places")
    op.drop_table("gazetteer_places")
    op.drop_index("ix_proposals_status_kind", table_name="proposals")
    op.drop_index(op.f("ix_proposals_text_id"), table_name="proposals")
    op.drop_table("proposals")
    op.drop_table("ingested_texts")
