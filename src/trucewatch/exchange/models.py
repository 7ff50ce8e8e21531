"""The source columns an imported report keeps because trucewatch has no field for them."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from trucewatch.storage.base import Base


class ExchangeRecord(Base):
    """An imported report's columns that its own fields do not reproduce exactly, as JSON."""

    __tablename__ = "report_exchange_records"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    format: Mapped[str] = mapped_column(String(10))  # acled | ucdp
    fields: Mapped[str] = mapped_column(Text)  # a JSON object: column name → text as read
