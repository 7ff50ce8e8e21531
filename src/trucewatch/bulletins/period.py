"""The period a bulletin covers: a day, an ISO week (Monday to Sunday) or a calendar month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from trucewatch.errors import InvalidInput

TREND_DAYS = 28  # the trend chart shows at least four weeks, ending on the period's last day
AVERAGE_DAYS = 7


class PeriodKind(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    first: date  # inclusive
    last: date  # inclusive

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The instant after the period (exclusive)."""
        return datetime.combine(self.last + timedelta(days=1), time(), tzinfo=UTC)

    @property
    def trend_first(self) -> date:
        """The first day the trend chart shows."""
        return min(self.first, self.last - timedelta(days=TREND_DAYS - 1))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def label(self) -> str:
        if self.kind is PeriodKind.DAY:
            return self.first.isoformat()
        if self.kind is PeriodKind.WEEK:
            year, week, _ = self.first.isocalendar()
            return f"{year}-W{week:02d} ({self.first.isoformat()} – {self.last.isoformat()})"
        return self.first.strftime("%Y-%m")


def period_of(kind: str, day: str | date) -> Period:
    """The period of ``kind`` that holds ``day`` (YYYY-MM-DD)."""
    try:
        which = PeriodKind(kind)
    except ValueError:
        raise InvalidInput(f"{kind!r}: the period is day, week or month", field="period") from None
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            raise InvalidInput(f"{day!r} is not a date (YYYY-MM-DD)", field="date") from None
    if which is PeriodKind.DAY:
        return Period(which, day, day)
    if which is PeriodKind.WEEK:
        monday = day - timedelta(days=day.weekday())
        return Period(which, monday, monday + timedelta(days=6))
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(which, first, following - timedelta(days=1))
