"""incident list covering indexes: a category's pages with their dates, active links

Chained after 0013 (correlation pending), the head when this was written.

A category's keyset page (``category = ? AND id > ? ORDER BY id``) with a date range read
every row of the category from the table to test its dates; with the dates in the index
the rows outside the range are skipped in the index (PostgreSQL: an index-only scan).
The public's pages have a partial twin of published incidents only. A page's linked
report ids (``incident_id = ? AND unlinked_at IS NULL``) are read from one index alone.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 15:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PUBLISHED = sa.text("published_at IS NOT NULL")
CATEGORY_PAGE = ["category", "id", "occurred_start", "occurred_end"]


def upgrade() -> None:
    # (category, id, occurred_start, occurred_end) serves every lookup (category, id) did.
    op.drop_index("ix_incidents_category_id", table_name="incidents")
    op.create_index("ix_incidents_category_id_occurred", "incidents", CATEGORY_PAGE)
    op.create_index("ix_incidents_published_category_id_occurred", "incidents", CATEGORY_PAGE,
                    sqlite_where=PUBLISHED, postgresql_where=PUBLISHED)
    # (incident_id, unlinked_at, report_id) serves every lookup (incident_id) did.
    op.drop_index("ix_incident_links_incident_id", table_name="incident_links")
    op.create_index("ix_incident_links_incident_unlinked_report", "incident_links",
                    ["incident_id", "unlinked_at", "report_id"])


def downgrade() -> None:
    op.drop_index("ix_incident_links_incident_unlinked_report", table_name="incident_links")
    op.create_index("ix_incident_links_incident_id", "incident_links", ["incident_id"])
    op.drop_index("ix_incidents_published_category_id_occurred", table_name="incidents")
    op.drop_index("ix_incidents_category_id_occurred", table_name="incidents")
    op.create_index("ix_incidents_category_id", "incidents", ["category", "id"])
