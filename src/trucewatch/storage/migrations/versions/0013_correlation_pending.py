"""correlation pending: the reports filed with matching on and not matched yet

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 15:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import trucewatch.storage.base

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "correlation_pending",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("marked_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], ondelete="CASCADE",
                                name=op.f("fk_correlation_pending_report_id_reports")),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_correlation_pending")),
    )


def downgrade() -> None:
    op.drop_table("correlation_pending")
