"""Closed vocabularies of a report: source kinds, time and place precision, casualty cells."""

from __future__ import annotations

from enum import StrEnum


class SourceKind(StrEnum):
    PARTY = "party"
    MONITOR = "monitor"
    MEDIA = "media"
    PUBLIC = "public"


class TimePrecision(StrEnum):
    """How exactly the time of an event is known (ACLED's 1 day, 2 week, 3 month, plus exact)."""

    EXACT = "exact"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class GeoPrecision(StrEnum):
    """How exactly the place is known: the point itself, near it, its district, its region."""

    EXACT = "exact"
    NEAR = "near"
    DISTRICT = "district"
    REGION = "region"


class Outcome(StrEnum):
    KILLED = "killed"
    INJURED = "injured"


class CasualtyGroup(StrEnum):
    CIVILIAN = "civilian"
    COMBATANT = "combatant"
    UNKNOWN = "unknown"
