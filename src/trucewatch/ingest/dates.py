"""Dates in text resolved against the publication date, with a precision and an explanation.

A weekday alone points back or forward depending on the sentence: "On Wednesday Lavrov told"
is the last Wednesday, "talks on Friday" that someone is invited to attend is the next one.
``direction`` is chosen per mention by :func:`direction_of` (tense and context), never once
for the whole text, and explicit dates go to ``dateparser`` with that direction.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

import dateparser

Direction = Literal["past", "future"]
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = (r"(?:january|february|march|april|may|june|july|august|september|october|november|"
           r"december|(?:jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\b\.?)(?!\w)")
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a": 1, "an": 1,
                 "48": 2, "72": 3}
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365, "hour": 0}

DATE_EXPRESSION = re.compile(
    r"\b(?:"
    rf"(?:{_MONTHS}\s+\d{{1,2}}(?!\d)(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?)"  # January 18, 2017
    rf"|(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}(?:,?\s+\d{{4}})?)"  # 18 January 2017
    r"|(?:\d{4}-\d{2}-\d{2})"
    rf"|(?:(?:early|mid|late)[- ])?{_MONTHS}\s+\d{{4}}"  # December 2016
    r"|(?:(?:this|last|next|past|coming)\s+(?:week|weekend|month|year))"
    r"|(?:(?:last|next|this)\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"(?:\s+(?:morning|afternoon|evening|night))?"
    r"|yesterday|today|tonight|tomorrow|last\s+night"
    r"|(?:\w+|\d+)\s+(?:days|weeks|months|years)\s+ago"
    r"|(?:\w+|\d+)[- ](?:day|week|month|year|hour)(?:s)?(?=[- ](?:long\s+)?(?:truce|ceasefire|"
    r"cease-fire|pause|halt|period|deadline|lull|window|talks|campaign|siege|offensive|"
    r"suspension))"
    r")(?:'s|’s)?",
    re.I)


@dataclass(frozen=True)
class DateResolution:
    text: str
    start: str | None  # ISO date: the first day meant
    end: str | None  # ISO date: the last day meant
    precision: str  # day, week, month, year, duration, unresolved
    explanation: str
    days: int | None = None  # for a duration

    def as_json(self) -> dict[str, object]:
        view: dict[str, object] = {"text": self.text, "from": self.start, "to": self.end,
                                   "precision": self.precision, "explanation": self.explanation}
        if self.days is not None:
            view["days"] = self.days
        return view


def _day_name(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()].capitalize()} {day.isoformat()}"


def resolve(text: str, *, published: date, direction: Direction, why: str = "") -> DateResolution:
    """Resolve one date expression found by :data:`DATE_EXPRESSION`."""
    raw = text
    text = re.sub(r"('s|’s)$", "", text.strip())
    low = " ".join(text.casefold().split())
    because = f" ({why})" if why else ""
    duration = re.match(r"^(\w+|\d+)[- ](day|week|month|year|hour)s?$", low)
    if duration and not re.match(r"^(this|last|next|past|coming)$", duration.group(1)):
        count = _NUMBER_WORDS.get(duration.group(1)) or (
            int(duration.group(1)) if duration.group(1).isdigit() else None)
        unit = duration.group(2)
        days = None if count is None else count * _UNIT_DAYS[unit] or None
        return DateResolution(raw, None, None, "duration",
                              f"'{text}' is a length of time, not a date", days)
    weekday = re.match(r"^(?:(last|next|this)\s+)?(" + "|".join(WEEKDAYS) +
                       r")(?:\s+(?:morning|afternoon|evening|night))?$", low)
    if weekday:
        return _weekday(raw, weekday.group(2), weekday.group(1), published, direction, because)
    period = re.match(r"^(this|last|next|past|coming)\s+(week|weekend|month|year)$", low)
    if period:
        return _period(raw, period.group(1), period.group(2), published)
    parsed = _parse(text, published, direction)
    if parsed is None:
        return DateResolution(raw, None, None, "unresolved", f"dateparser could not read '{text}'")
    day = parsed.date()
    has_year = re.search(r"\d{4}", low) is not None
    has_day = re.search(r"\b\d{1,2}(st|nd|rd|th)?\b", re.sub(r"\d{4}", "", low)) is not None or \
        low in ("yesterday", "today", "tonight", "tomorrow", "last night") or "ago" in low
    if not has_day:
        first = day.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return DateResolution(raw, first.isoformat(), last.isoformat(), "month",
                              f"'{text}': a month; the {direction} one nearest the publication "
                              f"date {published.isoformat()}{because}")
    how = "with its year" if has_year else (
        f"no year given: the {direction} one nearest the publication date "
        f"{published.isoformat()}{because}")
    return DateResolution(raw, day.isoformat(), day.isoformat(), "day", f"'{text}' {how}")


@functools.lru_cache(maxsize=4096)
def _parse(text: str, published: date, direction: Direction) -> datetime | None:
    # dateparser takes tens of milliseconds a call; texts repeat their dates.
    return dateparser.parse(text, languages=["en"], settings={
        "RELATIVE_BASE": datetime.combine(published, datetime.min.time()),
        "PREFER_DATES_FROM": "past" if direction == "past" else "future",
        "PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False,
        "REQUIRE_PARTS": []})


def _weekday(raw: str, name: str, modifier: str | None, published: date, direction: Direction,
             because: str) -> DateResolution:
    target = WEEKDAYS.index(name)
    if modifier == "last":
        direction, because = "past", " ('last')"
    elif modifier == "next":
        direction, because = "future", " ('next')"
    delta = (target - published.weekday()) % 7
    if delta == 0:
        day = published
        how = f"the publication day itself, {_day_name(published)}"
    elif direction == "future":
        day = published + timedelta(days=delta)
        how = f"the next {name.capitalize()} after the publication date {_day_name(published)}"
    else:
        day = published - timedelta(days=7 - delta)
        how = f"the last {name.capitalize()} before the publication date {_day_name(published)}"
    return DateResolution(raw, day.isoformat(), day.isoformat(), "day", f"{how}{because}")


def _period(raw: str, modifier: str, unit: str, published: date) -> DateResolution:
    shift = {"this": 0, "coming": 1, "next": 1, "last": -1, "past": -1}[modifier]
    if unit in ("week", "weekend"):
        monday = published - timedelta(days=published.weekday()) + timedelta(weeks=shift)
        first, last = (monday, monday + timedelta(days=6)) if unit == "week" else (
            monday + timedelta(days=5), monday + timedelta(days=6))
        precision = "week"
    elif unit == "month":
        month = published.month - 1 + shift
        first = date(published.year + month // 12, month % 12 + 1, 1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        precision = "month"
    else:
        first, last = date(published.year + shift, 1, 1), date(published.year + shift, 12, 31)
        precision = "year"
    return DateResolution(raw, first.isoformat(), last.isoformat(), precision,
                          f"'{raw}': the {unit} {'of' if shift == 0 else 'next to'} the "
                          f"publication date {published.isoformat()} (Monday to Sunday)"
                          if unit == "week" else
                          f"'{raw}' relative to the publication date {published.isoformat()}")
