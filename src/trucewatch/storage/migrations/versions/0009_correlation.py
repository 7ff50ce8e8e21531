"""correlation: each truce's tuning and the candidate links between reports

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import trucewatch.storage.base

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.JSON:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "correlation_settings",
        sa.Column("truce_id", sa.Integer(), nullable=False),
        sa.Column("tuning", _json(), nullable=False),
        sa.Column("changed_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(["truce_id"], ["truces.id"],
                                name=op.f("fk_correlation_settings_truce_id_truces")),
        sa.PrimaryKeyConstraint("truce_id", name=op.f("pk_correlation_settings")),
    )
    op.create_table(
        "correlation_candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_a_id", sa.Integer(), nullable=False),
        sa.Column("report_b_id", sa.Integer(), nullable=False),
        sa.Column("truce_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", _json(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("decided_at", trucewatch.storage.base.UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("report_a_id < report_b_id",
                           name=op.f("ck_correlation_candidates_ordered")),
        sa.ForeignKeyConstraint(["report_a_id"], ["reports.id"],
                                name=op.f("fk_correlation_candidates_report_a_id_reports")),
        sa.ForeignKeyConstraint(["report_b_id"], ["reports.id"],
                                name=op.f("fk_correlation_candidates_report_b_id_reports")),
        sa.ForeignKeyConstraint(["truce_id"], ["truces.id"],
                                name=op.f("fk_correlation_candidates_truce_id_truces")),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"],
                                name=op.f("fk_correlation_candidates_incident_id_incidents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correlation_candidates")),
        sa.UniqueConstraint("report_a_id", "report_b_id", name="uq_correlation_candidates_pair"),
    )
    op.create_index("ix_correlation_candidates_status_id", "correlation_candidates",
                    ["status", "id"])
    op.create_index(op.f("ix_correlation_candidates_report_b_id"), "correlation_candidates",
                    ["report_b_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_correlation_candidates_report_b_id"),
                  table_name="correlation_candidates")
    op.drop_index("ix_correlation_candidates_status_id", table_name="correlation_candidates")
    op.drop_table("correlation_candidates")
    op.drop_table("correlation_settings")
