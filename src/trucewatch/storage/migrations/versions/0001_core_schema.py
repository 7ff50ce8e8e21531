"""core schema: actors, truces, reports, incidents, log

Revision ID: 0001
Revises:
Create Date: 2026-11-29 05:02:51.877352
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import trucewatch.storage.base

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "actors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("organisation_type", sa.String(length=40), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actors")),
        sa.UniqueConstraint("slug", name=op.f("uq_actors_slug")),
    )
    op.create_table(
        "attachment_blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_attachment_blobs")),
    )
    op.create_table(
        "log_entries",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("recorded_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("leaf_hash", sa.String(length=64), nullable=False),
        sa.Column("chain_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_log_entries")),
    )
    with op.batch_alter_table("log_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_log_entries_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_log_entries_subject"), ["subject"], unique=False)

    op.create_table(
        "log_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("chain_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_head")),
    )
    op.create_table(
        "truces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("starts_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("ends_at", trucewatch.storage.base.UTCDateTime(), nullable=True),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("rule_kind", sa.String(length=20), nullable=False),
        sa.Column("rule_k", sa.Integer(), nullable=True),
        sa.Column("created_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_truces")),
        sa.UniqueConstraint("slug", name=op.f("uq_truces_slug")),
    )
    op.create_table(
        "actor_names",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("normalised", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actors.id"],
            name=op.f("fk_actor_names_actor_id_actors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actor_names")),
        sa.UniqueConstraint("actor_id", "lang", "name", name="uq_actor_names_actor_lang_name"),
    )
    with op.batch_alter_table("actor_names", schema=None) as batch_op:
        batch_op.create_index("ix_actor_names_normalised", ["normalised"], unique=False)

    op.create_table(
        "affiliations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=120), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["actors.id"], name=op.f("fk_affiliations_organisation_id_actors")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["actors.id"], name=op.f("fk_affiliations_person_id_actors")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affiliations")),
    )
    with op.batch_alter_table("affiliations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_affiliations_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_affiliations_person_id"), ["person_id"], unique=False)

    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("truce_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("occurred_start", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("occurred_end", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("time_precision", sa.String(length=10), nullable=False),
        sa.Column("place_name", sa.String(length=300), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("geo_precision", sa.String(length=10), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("created_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["truce_id"], ["truces.id"], name=op.f("fk_incidents_truce_id_truces")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incidents_occurred_start"), ["occurred_start"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_truce_id"), ["truce_id"], unique=False)

    op.create_table(
        "truce_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("truce_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actors.id"], name=op.f("fk_truce_participants_actor_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["truce_id"],
            ["truces.id"],
            name=op.f("fk_truce_participants_truce_id_truces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_truce_participants")),
        sa.UniqueConstraint("truce_id", "actor_id", name="uq_truce_participants_actor"),
    )
    op.create_table(
        "truce_zones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("truce_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "geometry",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["truce_id"],
            ["truces.id"],
            name=op.f("fk_truce_zones_truce_id_truces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_truce_zones")),
        sa.UniqueConstraint("truce_id", "name", name="uq_truce_zones_name"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["actors.id"], name=op.f("fk_users_organisation_id_actors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "incident_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=False),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("changed_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=80), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_status_changes_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_status_changes")),
    )
    with op.batch_alter_table("incident_status_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_status_changes_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("truce_id", sa.Integer(), nullable=True),
        sa.Column("filed_by_org_id", sa.Integer(), nullable=False),
        sa.Column("filed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("source_kind", sa.String(length=20), nullable=False),
        sa.Column("source_description", sa.Text(), nullable=False),
        sa.Column("received_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("occurred_start", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("occurred_end", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("time_precision", sa.String(length=10), nullable=False),
        sa.Column("place_name", sa.String(length=300), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("geo_precision", sa.String(length=10), nullable=True),
        sa.Column("zone_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("alleged_actor_id", sa.Integer(), nullable=True),
        sa.Column("affected_actor_id", sa.Integer(), nullable=True),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "latitude IS NULL OR (latitude >= -90 AND latitude <= 90)", name=op.f("ck_reports_lat")
        ),
        sa.CheckConstraint(
            "longitude IS NULL OR (longitude >= -180 AND longitude <= 180)",
            name=op.f("ck_reports_lon"),
        ),
        sa.ForeignKeyConstraint(
            ["affected_actor_id"], ["actors.id"], name=op.f("fk_reports_affected_actor_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["alleged_actor_id"], ["actors.id"], name=op.f("fk_reports_alleged_actor_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["filed_by_org_id"], ["actors.id"], name=op.f("fk_reports_filed_by_org_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["filed_by_user_id"], ["users.id"], name=op.f("fk_reports_filed_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(["truce_id"], ["truces.id"], name=op.f("fk_reports_truce_id_truces")),
        sa.ForeignKeyConstraint(["zone_id"], ["truce_zones.id"], name=op.f("fk_reports_zone_id_truce_zones")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("filed_by_org_id", "idempotency_key", name="uq_reports_idempotency"),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reports_alleged_actor_id"), ["alleged_actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_filed_by_org_id"), ["filed_by_org_id"], unique=False)
        batch_op.create_index("ix_reports_lat_lon", ["latitude", "longitude"], unique=False)
        batch_op.create_index("ix_reports_occurred_start", ["occurred_start"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_truce_id"), ["truce_id"], unique=False)

    op.create_table(
        "incident_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", trucewatch.storage.base.UTCDateTime(), nullable=False),
        sa.Column("linked_by", sa.String(length=80), nullable=False),
        sa.Column("link_reason", sa.Text(), nullable=False),
        sa.Column("unlinked_at", trucewatch.storage.base.UTCDateTime(), nullable=True),
        sa.Column("unlinked_by", sa.String(length=80), nullable=True),
        sa.Column("unlink_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_links_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_incident_links_report_id_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_links")),
    )
    with op.batch_alter_table("incident_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_links_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_links_report_id"), ["report_id"], unique=False)
        batch_op.create_index(
            "uq_incident_links_active_report",
            ["report_id"],
            unique=True,
            sqlite_where=sa.text("unlinked_at IS NULL"),
            postgresql_where=sa.text("unlinked_at IS NULL"),
        )

    op.create_table(
        "report_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_attachments_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sha256"],
            ["attachment_blobs.sha256"],
            name=op.f("fk_report_attachments_sha256_attachment_blobs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_attachments")),
    )
    with op.batch_alter_table("report_attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_attachments_report_id"), ["report_id"], unique=False)

    op.create_table(
        "report_casualties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("group", sa.String(length=12), nullable=False),
        sa.Column("low", sa.Integer(), nullable=False),
        sa.Column("best", sa.Integer(), nullable=False),
        sa.Column("high", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "low >= 0 AND low <= best AND best <= high", name=op.f("ck_report_casualties_range")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_casualties_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_casualties")),
        sa.UniqueConstraint("report_id", "outcome", "group", name="uq_report_casualties_cell"),
    )
    with op.batch_alter_table("report_casualties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_casualties_report_id"), ["report_id"], unique=False)

    op.create_table(
        "report_confidential_sources",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("identity", sa.Text(), nullable=False),
        sa.Column("contact", sa.Text(), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_confidential_sources_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_report_confidential_sources")),
    )


def downgrade() -> None:

    op.drop_table("report_confidential_sources")
    with op.batch_alter_table("report_casualties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_casualties_report_id"))

    op.drop_table("report_casualties")
    with op.batch_alter_table("report_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_attachments_report_id"))

    op.drop_table("report_attachments")
    with op.batch_alter_table("incident_links", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_incident_links_active_report",
            sqlite_where=sa.text("unlinked_at IS NULL"),
            postgresql_where=sa.text("unlinked_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_incident_links_report_id"))
        batch_op.drop_index(batch_op.f("ix_incident_links_incident_id"))

    op.drop_table("incident_links")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_truce_id"))
        batch_op.drop_index("ix_reports_occurred_start")
        batch_op.drop_index("ix_reports_lat_lon")
        batch_op.drop_index(batch_op.f("ix_reports_filed_by_org_id"))
        batch_op.drop_index(batch_op.f("ix_reports_category"))
        batch_op.drop_index(batch_op.f("ix_reports_alleged_actor_id"))

    op.drop_table("reports")
    with op.batch_alter_table("incident_status_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_status_changes_incident_id"))

    op.drop_table("incident_status_changes")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_organisation_id"))

    op.drop_table("users")
    op.drop_table("truce_zones")
    op.drop_table("truce_participants")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incidents_truce_id"))
        batch_op.drop_index(batch_op.f("ix_incidents_status"))
        batch_op.drop_index(batch_op.f("ix_incidents_occurred_start"))

    op.drop_table("incidents")
    with op.batch_alter_table("affiliations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_affiliations_person_id"))
        batch_op.drop_index(batch_op.f("ix_affiliations_organisation_id"))

    op.drop_table("affiliations")
    with op.batch_alter_table("actor_names", schema=None) as batch_op:
        batch_op.drop_index("ix_actor_names_normalised")

    op.drop_table("actor_names")
    op.drop_table("truces")
    op.drop_table("log_head")
    with op.batch_alter_table("log_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_log_entries_subject"))
        batch_op.drop_index(batch_op.f("ix_log_entries_kind"))

    op.drop_table("log_entries")
    op.drop_table("attachment_blobs")
    op.drop_table("actors")
