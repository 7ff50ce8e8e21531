"""verification: signed decisions, denials per truce, measures per round

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 05:30:17.691815
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import trucewatch.storage.base

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "decision_signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("guarantor_id", sa.Integer(), nullable=False),
        sa.Column("signed_by", sa.String(length=80), nullable=False),
        sa.Column("signed_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["guarantor_id"], ["actors.id"], name=op.f("fk_decision_signatures_guarantor_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["review_rounds.id"], name=op.f("fk_decision_signatures_round_id_review_rounds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_signatures")),
        sa.UniqueConstraint("round_id", "guarantor_id", name="uq_decision_signatures_guarantor"),
    )
    with op.batch_alter_table("decision_signatures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_signatures_round_id"), ["round_id"], unique=False)

    with op.batch_alter_table("access_denials", schema=None) as batch_op:
        batch_op.add_column(sa.Column("truce_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_access_denials_truce_id"), ["truce_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_access_denials_truce_id_truces"), "truces", ["truce_id"], ["id"]
        )
    # A denial recorded against an incident belongs to that incident's truce.
    op.execute(
        "UPDATE access_denials SET truce_id = "
        "(SELECT incidents.truce_id FROM incidents WHERE incidents.id = access_denials.incident_id) "
        "WHERE truce_id IS NULL AND incident_id IS NOT NULL"
    )

    with op.batch_alter_table("measures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("round_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_measures_round_id_review_rounds"), "review_rounds", ["round_id"], ["id"]
        )

    with op.batch_alter_table("review_rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decision_body", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("closed_by", sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("review_rounds", schema=None) as batch_op:
        batch_op.drop_column("closed_by")
        batch_op.drop_column("decision_body")

    with op.batch_alter_table("measures", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_measures_round_id_review_rounds"), type_="foreignkey")
        batch_op.drop_column("round_id")

    with op.batch_alter_table("access_denials", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_access_denials_truce_id_truces"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_access_denials_truce_id"))
        batch_op.drop_column("truce_id")

    with op.batch_alter_table("decision_signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_signatures_round_id"))

    op.drop_table("decision_signatures")
