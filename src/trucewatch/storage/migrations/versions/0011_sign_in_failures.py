"""sign-in failures: the sign-in limit's counts, shared by every server process (not logged)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 14:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import trucewatch.storage.base

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failures")),
    )
    op.create_index("ix_sign_in_failures_key_at", "sign_in_failures", ["key", "at"])
    op.create_index(op.f("ix_sign_in_failures_at"), "sign_in_failures", ["at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sign_in_failures_at"), table_name="sign_in_failures")
    op.drop_index("ix_sign_in_failures_key_at", table_name="sign_in_failures")
    op.drop_table("sign_in_failures")
