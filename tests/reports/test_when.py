"""When an event happened: forms, precision, widening, and impossible or future dates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from trucewatch.errors import InvalidInput
from trucewatch.reports.enums import TimePrecision
from trucewatch.reports.when import parse_when


@pytest.mark.parametrize("text, precision, start, end", [
    ("2017-01-20T14:30:00+02:00", "exact", "2017-01-20T12:30:00", "2017-01-20T12:30:01"),
    ("2017-01-20T12:30Z", "exact", "2017-01-20T12:30:00", "2017-01-20T12:30:01"),
    ("2017-01-20", "day", "2017-01-20T00:00:00", "2017-01-21T00:00:00"),
    ("2017-W03", "week", "2017-01-16T00:00:00", "2017-01-23T00:00:00"),
    ("2016-12", "month", "2016-12-01T00:00:00", "2017-01-01T00:00:00"),
])
def test_forms(text: str, precision: str, start: str, end: str) -> None:
    when = parse_when(text)
    assert when.precision.value == precision
    assert when.start == datetime.fromisoformat(start).replace(tzinfo=UTC)
    assert when.end == datetime.fromisoformat(end).replace(tzinfo=UTC)


def test_a_day_given_as_week_is_widened_to_its_week() -> None:
    when = parse_when("2017-01-20", "week")
    assert (when.precision, when.label()) == (TimePrecision.WEEK, "2017-W03")


def test_narrowing_is_refused() -> None:
    with pytest.raises(InvalidInput, match="cannot be given as exact"):
        parse_when("2017-01", "exact")


@pytest.mark.parametrize("text, message", [
    ("2017-02-30", "not a valid date"),
    ("2017-13", "not a valid date"),
    ("2017-W54", "not a valid date"),
    ("yesterday", "not a valid date"),
    ("2017-01-20T14:30", "no time zone"),
    ("1850-01-01", "before 1900"),
    ("2999-01-01", "in the future"),
])
def test_bad_dates(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as err:
        parse_when(text)
    assert err.value.field == "occurred"


def test_unknown_precision_names_its_field() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_when("2017-01-20", "fortnight")
    assert err.value.field == "time_precision"
