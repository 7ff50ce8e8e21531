"""Parse when an event happened into a UTC interval with a precision.

Accepted forms (ISO 8601): ``2017-01-20T14:30Z`` or with an offset (exact),
``2017-01-20`` (day), ``2017-W03`` (ISO week), ``2017-01`` (month). A time with
no offset is refused rather than guessed.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from trucewatch.errors import InvalidInput
from trucewatch.reports.enums import TimePrecision

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
CLOCK_SKEW = timedelta(minutes=10)

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class When:
    start: datetime
    end: datetime  # exclusive
    precision: TimePrecision
    _label: str = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Written once: parsed intervals are shared (see _interval), and a batch filing
        # logs the label of every report.
        object.__setattr__(self, "_label", self._text())

    def label(self) -> str:
        return self._label

    def _text(self) -> str:
        if self.precision is TimePrecision.EXACT:
            return self.start.isoformat().replace("+00:00", "Z")
        if self.precision is TimePrecision.DAY:
            return self.start.date().isoformat()
        if self.precision is TimePrecision.WEEK:
            year, week, _ = self.start.date().isocalendar()
            return f"{year}-W{week:02d}"
        return self.start.strftime("%Y-%m")


def parse_when(text: str, precision: TimePrecision | str | None = None, *,
               now: datetime | None = None, field: str = "occurred") -> When:
    """Parse ``text``; an explicit ``precision`` widens it (a day given as 'week' → its week)."""
    try:
        wanted = TimePrecision(precision) if precision is not None else None
    except ValueError:
        options = ", ".join(p.value for p in TimePrecision)
        raise InvalidInput(f"{precision!r} is not a time precision ({options})",
                           field="time_precision") from None
    found = _interval(text, wanted)
    if isinstance(found, str):
        raise InvalidInput(found, field=field)
    _check_range(found, now or datetime.now(UTC), field)
    return found


@lru_cache(maxsize=4096)  # bulk filings repeat days and times; a When is immutable
def _interval(text: str, wanted: TimePrecision | None) -> When | str:
    """The interval ``text`` names, widened to ``wanted``, or why there is none."""
    found = _parse_text(text.strip())
    if isinstance(found, str) or wanted is None or wanted is found.precision:
        return found
    return _widen(found, wanted)


def _parse_text(text: str) -> When | str:
    """The interval ``text`` names, or why it names none."""
    try:
        if "T" not in text:  # a week, a month or a day; with a T it can only be a time
            if m := _WEEK.match(text):
                monday = date.fromisocalendar(int(m[1]), int(m[2]), 1)
                return _span(monday, TimePrecision.WEEK)
            if m := _MONTH.match(text):
                return _span(date(int(m[1]), int(m[2]), 1), TimePrecision.MONTH)
            if _DAY.match(text):
                return _span(date.fromisoformat(text), TimePrecision.DAY)
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError as exc:
        return f"{text!r} is not a valid date ({exc})"
    if moment.tzinfo is None:
        return f"{text!r} has no time zone: add Z or an offset such as +03:00"
    moment = moment.astimezone(UTC)
    return When(moment, moment + timedelta(seconds=1), TimePrecision.EXACT)


def _span(day: date, precision: TimePrecision) -> When:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    if precision is TimePrecision.DAY:
        end = start + timedelta(days=1)
    elif precision is TimePrecision.WEEK:
        start -= timedelta(days=day.weekday())
        end = start + timedelta(days=7)
    else:
        start = start.replace(day=1)
        end = start.replace(year=start.year + (start.month == 12), month=start.month % 12 + 1)
    return When(start, end, precision)


_ORDER = [TimePrecision.EXACT, TimePrecision.DAY, TimePrecision.WEEK, TimePrecision.MONTH]


def _widen(when: When, wanted: TimePrecision) -> When | str:
    if _ORDER.index(wanted) < _ORDER.index(when.precision):
        return (f"a {when.precision.value} ({when.label()}) cannot be given as {wanted.value}: "
                "give the exact time")
    return _span(when.start.date(), wanted)


def _check_range(when: When, now: datetime, field: str) -> None:
    if when.start < EARLIEST:
        raise InvalidInput(f"{when.label()} is before 1900", field=field)
    if when.start > now + CLOCK_SKEW:
        raise InvalidInput(f"{when.label()} is in the future", field=field)
