"""correlation index: each report's features and block keys, and how far they are complete

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 13:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "correlation_features",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Float(), nullable=False),
        sa.Column("end", sa.Float(), nullable=False),
        sa.Column("time_precision", sa.SmallInteger(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("geo_precision", sa.SmallInteger(), nullable=False),
        sa.Column("place", sa.BigInteger(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("alleged", sa.BigInteger(), nullable=False),
        sa.Column("affected", sa.BigInteger(), nullable=False),
        sa.Column("killed_low", sa.Float(), nullable=True),
        sa.Column("killed_high", sa.Float(), nullable=True),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("has_text", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], ondelete="CASCADE",
                                name=op.f("fk_correlation_features_report_id_reports")),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_correlation_features")),
    )
    op.create_table(
        "correlation_keys",
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], ondelete="CASCADE",
                                name=op.f("fk_correlation_keys_report_id_reports")),
        sa.PrimaryKeyConstraint("key", "report_id", name=op.f("pk_correlation_keys")),
    )
    op.create_index(op.f("ix_correlation_keys_report_id"), "correlation_keys", ["report_id"])
    op.create_table(
        "correlation_index_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indexed_through", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correlation_index_state")),
    )


def downgrade() -> None:
    op.drop_table("correlation_index_state")
    op.drop_index(op.f("ix_correlation_keys_report_id"), table_name="correlation_keys")
    op.drop_table("correlation_keys")
    op.drop_table("correlation_features")
