"""Tables of incidents, their report links (never overwritten) and status history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trucewatch.reports.models import Report
from trucewatch.storage.base import Base, UTCDateTime, utcnow


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        # Keyset pages (id order) of one status, of one category, of the published ones;
        # the map's boxes (schema 0005). A category's pages carry the dates, so that a
        # date range is tested in the index, and have a published twin (schema 0014).
        Index("ix_incidents_status_id", "status", "id"),
        Index("ix_incidents_category_id_occurred", "category", "id", "occurred_start",
              "occurred_end"),
        Index("ix_incidents_published_category_id_occurred", "category", "id",
              "occurred_start", "occurred_end", sqlite_where=text("published_at IS NOT NULL"),
              postgresql_where=text("published_at IS NOT NULL")),
        Index("ix_incidents_published_id", "id", sqlite_where=text("published_at IS NOT NULL"),
              postgresql_where=text("published_at IS NOT NULL")),
        Index("ix_incidents_published_status_id", "status", "id",
              sqlite_where=text("published_at IS NOT NULL"),
              postgresql_where=text("published_at IS NOT NULL")),
        Index("ix_incidents_lon_lat", "longitude", "latitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    truce_id: Mapped[int | None] = mapped_column(ForeignKey("truces.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default="open")
    occurred_start: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    occurred_end: Mapped[datetime] = mapped_column(UTCDateTime)
    time_precision: Mapped[str] = mapped_column(String(10))
    place_name: Mapped[str] = mapped_column(String(300), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    geo_precision: Mapped[str | None] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    published_by: Mapped[str | None] = mapped_column(String(80))

    links: Mapped[list[IncidentLink]] = relationship(
        back_populates="incident", order_by="IncidentLink.id"
    )

    @property
    def active_links(self) -> list[IncidentLink]:
        return [link for link in self.links if link.unlinked_at is None]


class IncidentLink(Base):
    """A report's membership of an incident; unlinking closes the row, it never deletes it."""

    __tablename__ = "incident_links"
    __table_args__ = (
        # A report belongs to at most one incident at a time.
        Index(
            "uq_incident_links_active_report",
            "report_id",
            unique=True,
            sqlite_where=text("unlinked_at IS NULL"),
            postgresql_where=text("unlinked_at IS NULL"),
        ),
        # An incident's reports linked now, from the index alone (schema 0014).
        Index("ix_incident_links_incident_unlinked_report", "incident_id", "unlinked_at",
              "report_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    linked_by: Mapped[str] = mapped_column(String(80))
    link_reason: Mapped[str] = mapped_column(Text, default="")
    unlinked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unlinked_by: Mapped[str | None] = mapped_column(String(80))
    unlink_reason: Mapped[str | None] = mapped_column(Text)

    incident: Mapped[Incident] = relationship(back_populates="links")
    report: Mapped[Report] = relationship()


class IncidentStatusChange(Base):
    __tablename__ = "incident_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text, default="")
