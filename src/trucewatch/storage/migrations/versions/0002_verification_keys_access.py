"""verification, keys, roles and tokens, tree heads, publication

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 05:22:31.534795
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import trucewatch.storage.base

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "tree_heads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("timestamp", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tree_heads")),
        sa.UniqueConstraint("size", name=op.f("uq_tree_heads_size")),
    )
    op.create_table(
        "public_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", trucewatch.storage.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["actors.id"], name=op.f("fk_public_keys_organisation_id_actors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_keys")),
        sa.UniqueConstraint("key_id", name=op.f("uq_public_keys_key_id")),
    )
    with op.batch_alter_table("public_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_public_keys_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "tree_head_countersignatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tree_head_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("signed_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["actors.id"],
            name=op.f("fk_tree_head_countersignatures_organisation_id_actors"),
        ),
        sa.ForeignKeyConstraint(
            ["tree_head_id"],
            ["tree_heads.id"],
            name=op.f("fk_tree_head_countersignatures_tree_head_id_tree_heads"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tree_head_countersignatures")),
        sa.UniqueConstraint("tree_head_id", "key_id", name="uq_countersign_key"),
    )
    with op.batch_alter_table("tree_head_countersignatures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tree_head_countersignatures_tree_head_id"), ["tree_head_id"], unique=False
        )

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("expires_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", trucewatch.storage.base.UTCDateTime(), nullable=True),
        sa.Column("last_used_at", trucewatch.storage.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "investigations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("tasked_by", sa.String(length=80), nullable=False),
        sa.Column("tasked_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("guarantor_id", sa.Integer(), nullable=False),
        sa.Column("assignee", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("site_visit", sa.String(length=20), nullable=False),
        sa.Column("interviews", sa.Text(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column(
            "evidence",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("result", sa.String(length=30), nullable=True),
        sa.Column("responsible_actor_id", sa.Integer(), nullable=True),
        sa.Column("completed_at", trucewatch.storage.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["guarantor_id"], ["actors.id"], name=op.f("fk_investigations_guarantor_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_investigations_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["responsible_actor_id"],
            ["actors.id"],
            name=op.f("fk_investigations_responsible_actor_id_actors"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_investigations")),
    )
    with op.batch_alter_table("investigations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_investigations_incident_id"), ["incident_id"], unique=False)

    op.create_table(
        "measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("against_actor_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("proposed_by", sa.String(length=80), nullable=False),
        sa.Column("proposed_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("rule_kind", sa.String(length=20), nullable=False),
        sa.Column("rule_k", sa.Integer(), nullable=False),
        sa.Column(
            "guarantor_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["against_actor_id"], ["actors.id"], name=op.f("fk_measures_against_actor_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_measures_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measures")),
    )
    with op.batch_alter_table("measures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measures_against_actor_id"), ["against_actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_measures_incident_id"), ["incident_id"], unique=False)

    op.create_table(
        "review_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("opened_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("opened_by", sa.String(length=80), nullable=False),
        sa.Column("deadline", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("rule_kind", sa.String(length=20), nullable=False),
        sa.Column("rule_k", sa.Integer(), nullable=False),
        sa.Column(
            "guarantor_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.Column("decided_at", trucewatch.storage.base.UTCDateTime(), nullable=True),
        sa.Column("responsible_actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_review_rounds_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["responsible_actor_id"], ["actors.id"], name=op.f("fk_review_rounds_responsible_actor_id_actors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_rounds")),
        sa.UniqueConstraint("incident_id", "number", name="uq_review_rounds_number"),
    )
    with op.batch_alter_table("review_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_rounds_incident_id"), ["incident_id"], unique=False)

    op.create_table(
        "user_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("granted_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("granted_by", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_roles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_roles")),
        sa.UniqueConstraint("user_id", "role", name="uq_user_roles_user_role"),
    )
    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_roles_user_id"), ["user_id"], unique=False)

    op.create_table(
        "access_denials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("investigation_id", sa.Integer(), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("denied_by_actor_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("occurred_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("place_name", sa.String(length=300), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        sa.Column("recorded_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["denied_by_actor_id"], ["actors.id"], name=op.f("fk_access_denials_denied_by_actor_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_access_denials_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["investigation_id"],
            ["investigations.id"],
            name=op.f("fk_access_denials_investigation_id_investigations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_denials")),
    )
    with op.batch_alter_table("access_denials", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_access_denials_denied_by_actor_id"), ["denied_by_actor_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_access_denials_incident_id"), ["incident_id"], unique=False)

    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("guarantor_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("finding", sa.String(length=30), nullable=False),
        sa.Column("responsible_actor_id", sa.Integer(), nullable=True),
        sa.Column("confidence", sa.String(length=20), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("filed_by", sa.String(length=80), nullable=False),
        sa.Column("filed_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("signed_body", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["guarantor_id"], ["actors.id"], name=op.f("fk_assessments_guarantor_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["responsible_actor_id"], ["actors.id"], name=op.f("fk_assessments_responsible_actor_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["review_rounds.id"], name=op.f("fk_assessments_round_id_review_rounds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
        sa.UniqueConstraint("round_id", "guarantor_id", "version", name="uq_assessments_version"),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessments_round_id"), ["round_id"], unique=False)

    op.create_table(
        "measure_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=False),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("changed_by", sa.String(length=80), nullable=False),
        sa.Column("changed_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measures.id"], name=op.f("fk_measure_status_changes_measure_id_measures")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_status_changes")),
    )
    with op.batch_alter_table("measure_status_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_measure_status_changes_measure_id"), ["measure_id"], unique=False
        )

    op.create_table(
        "measure_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("guarantor_id", sa.Integer(), nullable=False),
        sa.Column("vote", sa.String(length=10), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("cast_by", sa.String(length=80), nullable=False),
        sa.Column("cast_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("signed_body", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["guarantor_id"], ["actors.id"], name=op.f("fk_measure_votes_guarantor_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measures.id"], name=op.f("fk_measure_votes_measure_id_measures")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_votes")),
    )
    with op.batch_alter_table("measure_votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measure_votes_measure_id"), ["measure_id"], unique=False)

    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_at", trucewatch.storage.base.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("published_by", sa.String(length=80), nullable=True))
        batch_op.create_index(batch_op.f("ix_incidents_published_at"), ["published_at"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_hash", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("is_active", sa.Boolean(), nullable=False, server_default=sa.true()))

    # The log's head row exists from the start, so the first two writers on a new
    # PostgreSQL database both find a row to lock instead of racing to insert it.
    op.execute(
        "INSERT INTO log_head (id, size, chain_hash) SELECT 1, 0, "
        "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' "
        "WHERE NOT EXISTS (SELECT 1 FROM log_head)"
    )

def downgrade() -> None:

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("is_active")
        batch_op.drop_column("password_hash")

    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incidents_published_at"))
        batch_op.drop_column("published_by")
        batch_op.drop_column("published_at")

    with op.batch_alter_table("measure_votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_votes_measure_id"))

    op.drop_table("measure_votes")
    with op.batch_alter_table("measure_status_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_status_changes_measure_id"))

    op.drop_table("measure_status_changes")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_round_id"))

    op.drop_table("assessments")
    with op.batch_alter_table("access_denials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_denials_incident_id"))
        batch_op.drop_index(batch_op.f("ix_access_denials_denied_by_actor_id"))

    op.drop_table("access_denials")
    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_roles_user_id"))

    op.drop_table("user_roles")
    with op.batch_alter_table("review_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_rounds_incident_id"))

    op.drop_table("review_rounds")
    with op.batch_alter_table("measures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measures_incident_id"))
        batch_op.drop_index(batch_op.f("ix_measures_against_actor_id"))

    op.drop_table("measures")
    with op.batch_alter_table("investigations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_investigations_incident_id"))

    op.drop_table("investigations")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))

    op.drop_table("api_tokens")
    with op.batch_alter_table("tree_head_countersignatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tree_head_countersignatures_tree_head_id"))

    op.drop_table("tree_head_countersignatures")
    with op.batch_alter_table("public_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_public_keys_organisation_id"))

    op.drop_table("public_keys")
    op.drop_table("tree_heads")
