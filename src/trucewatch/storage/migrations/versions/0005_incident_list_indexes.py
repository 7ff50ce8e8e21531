"""incident list indexes: keyset pages per category and status, published ones, map boxes

Chained after 0004 (talks), the head when this was written (0003 → 0006 → 0004 → 0005).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 09:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PUBLISHED = sa.text("published_at IS NOT NULL")


def upgrade() -> None:
    # (status, id) replaces (status): the same lookups, and a status's page in id order.
    op.drop_index("ix_incidents_status", table_name="incidents")
    op.create_index("ix_incidents_status_id", "incidents", ["status", "id"])
    op.create_index("ix_incidents_category_id", "incidents", ["category", "id"])
    # The public's pages: published incidents only, of one status (a status no published
    # incident has is then an empty range, not a scan of that status).
    op.create_index("ix_incidents_published_id", "incidents", ["id"],
                    sqlite_where=PUBLISHED, postgresql_where=PUBLISHED)
    op.create_index("ix_incidents_published_status_id", "incidents", ["status", "id"],
                    sqlite_where=PUBLISHED, postgresql_where=PUBLISHED)
    op.create_index("ix_incidents_lon_lat", "incidents", ["longitude", "latitude"])


def downgrade() -> None:
    op.drop_index("ix_incidents_lon_lat", table_name="incidents")
    op.drop_index("ix_incidents_published_status_id", table_name="incidents")
    op.drop_index("ix_incidents_published_id", table_name="incidents")
    op.drop_index("ix_incidents_category_id", table_name="incidents")
    op.drop_index("ix_incidents_status_id", table_name="incidents")
    op.create_index("ix_incidents_status", "incidents", ["status"])
