"""The source columns an imported report keeps, and event files imported as datasets."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, Date, Float, ForeignKey, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from trucewatch.log import state
from trucewatch.storage.base import Base, UTCDateTime

if TYPE_CHECKING:
    from trucewatch.log.audit import AuditReport


class ExchangeRecord(Base):
    """An imported report's columns that its own fields do not reproduce exactly, as JSON."""

    __tablename__ = "report_exchange_records"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    format: Mapped[str] = mapped_column(String(10))  # acled | ucdp
    fields: Mapped[str] = mapped_column(Text)  # a JSON object: column name → text as read


class DatasetImport(Base):
    """One event file imported as an external reference dataset (not as reports)."""

    __tablename__ = "dataset_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    format: Mapped[str] = mapped_column(String(10))  # acled
    file_name: Mapped[str] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64))  # of the file's bytes as given
    columns: Mapped[str] = mapped_column(Text)  # the file's header, a JSON list, in its order
    rows: Mapped[int] = mapped_column(Integer)  # rows stored
    rejected: Mapped[int] = mapped_column(Integer)  # rows set aside (skip_bad)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    imported_by: Mapped[str] = mapped_column(String(80))  # the actor the log names


class DatasetAcledEvent(Base):
    """One ACLED row of a dataset: the codebook's 31 columns, typed where the codebook types
    them, and the source text of any value whose type would not give it back as it was."""

    __tablename__ = "dataset_acled_events"
    # On SQLite the rows live in the primary key's B-tree itself: one tree to insert into,
    # not a table and its key's index (a fifth less time per row in bench/import.py).
    __table_args__ = {"sqlite_with_rowid": False}

    import_id: Mapped[int] = mapped_column(
        ForeignKey("dataset_imports.id", ondelete="CASCADE"), primary_key=True)
    line: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    event_id_cnty: Mapped[str] = mapped_column(String(40))
    event_date: Mapped[date] = mapped_column(Date)
    year: Mapped[int | None] = mapped_column(Integer)
    time_precision: Mapped[int] = mapped_column(SmallInteger)
    disorder_type: Mapped[str | None] = mapped_column(Text)
    event_type: Mapped[str] = mapped_column(Text)
    sub_event_type: Mapped[str] = mapped_column(Text)
    actor1: Mapped[str | None] = mapped_column(Text)
    assoc_actor_1: Mapped[str | None] = mapped_column(Text)
    inter1: Mapped[int | None] = mapped_column(Integer)
    actor2: Mapped[str | None] = mapped_column(Text)
    assoc_actor_2: Mapped[str | None] = mapped_column(Text)
    inter2: Mapped[int | None] = mapped_column(Integer)
    interaction: Mapped[int | None] = mapped_column(Integer)
    civilian_targeting: Mapped[str | None] = mapped_column(Text)
    iso: Mapped[int | None] = mapped_column(Integer)
    region: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(Text)
    admin1: Mapped[str | None] = mapped_column(Text)
    admin2: Mapped[str | None] = mapped_column(Text)
    admin3: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    geo_precision: Mapped[int | None] = mapped_column(SmallInteger)
    source: Mapped[str | None] = mapped_column(Text)
    source_scale: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    fatalities: Mapped[int] = mapped_column(Integer)
    tags: Mapped[str | None] = mapped_column(Text)
    timestamp: Mapped[int | None] = mapped_column(BigInteger)
    verbatim: Mapped[str | None] = mapped_column(Text)  # JSON: column → source text, or null
    extra: Mapped[str | None] = mapped_column(Text)  # JSON: non-codebook column → text, or null


# A dataset's rows are not snapshotted one by one in the log (a million rows would double
# the log): each chunk's log entry holds a digest of its stored values instead, and the
# audit recomputes those digests (exchange/dataset_audit.py).
DIGESTED = frozenset({DatasetAcledEvent.__tablename__})
state.UNTRACKED = state.UNTRACKED | DIGESTED


def _check_dataset_chunks(session: Session, report: AuditReport) -> None:
    from trucewatch.exchange.dataset_audit import check_chunks

    check_chunks(session, report)


state.DIGEST_CHECKS.append(_check_dataset_chunks)
