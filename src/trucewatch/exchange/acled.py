"""ACLED's event columns, read into report submissions and written back from reports.

A row becomes a report submission; whatever the report's own fields would not write back
exactly (ACLED's actor names and codes, its administrative units, its exact event date
inside a week or month) is kept verbatim in the report's exchange record, so a file read
in and written out again is identical in every ACLED column. The mapping: docs/exchange.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from trucewatch.errors import InvalidInput
from trucewatch.reports.taxonomy import BY_CODE

FORMAT = "acled"
KEY_PREFIX = "acled:"

# The ACLED codebook's columns, in its order.
COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
)
REQUIRED: tuple[str, ...] = ("event_id_cnty", "event_date", "time_precision", "event_type",
                             "sub_event_type", "location", "latitude", "longitude", "fatalities")
# Kept whenever present: names ACLED gives actors (a linked actor is trucewatch's own
# entry, named its own way) and the time ACLED last changed the row.
ALWAYS_KEPT = frozenset({"actor1", "actor2", "timestamp"})

TIME_PRECISION = {"1": "day", "2": "week", "3": "month"}
TIME_PRECISION_OUT = {"exact": "1", "day": "1", "week": "2", "month": "3"}
GEO_PRECISION = {"1": "exact", "2": "near", "3": "region"}
GEO_PRECISION_OUT = {"exact": "1", "near": "2", "district": "2", "region": "3"}

_B, _E = "Battles", "Explosions/Remote violence"
_V, _S = "Violence against civilians", "Strategic developments"
# (event type, sub-event type) → category; every pair of the codebook is here.
CATEGORY_OF: dict[tuple[str, str], str] = {
    (_B, "Armed clash"): "armed_clash",
    (_B, "Government regains territory"): "ground_assault",
    (_B, "Non-state actor overtakes territory"): "ground_assault",
    (_E, "Chemical weapon"): "other",
    (_E, "Air/drone strike"): "air_strike",
    (_E, "Suicide bomb"): "explosive_device",
    (_E, "Shelling/artillery/missile attack"): "shelling",
    (_E, "Remote explosive/landmine/IED"): "explosive_device",
    (_E, "Grenade"): "explosive_device",
    (_V, "Sexual violence"): "attack_on_civilians",
    (_V, "Attack"): "attack_on_civilians",
    (_V, "Abduction/forced disappearance"): "abduction_detention",
    (_S, "Agreement"): "other",
    (_S, "Arrests"): "abduction_detention",
    (_S, "Change to group/activity"): "other",
    (_S, "Disrupted weapons use"): "other",
    (_S, "Headquarters or base established"): "troop_buildup",
    (_S, "Looting/property destruction"): "property_destruction",
    (_S, "Non-violent transfer of territory"): "other",
    (_S, "Other"): "other",
    ("Protests", "Peaceful protest"): "other",
    ("Protests", "Protest with intervention"): "other",
    ("Protests", "Excessive force against protesters"): "attack_on_civilians",
    ("Riots", "Violent demonstration"): "other",
    ("Riots", "Mob violence"): "other",
}
EVENT_TYPES = frozenset(t for t, _ in CATEGORY_OF)

PLACE_MAX, SOURCE_MAX = 300, 2000  # ReportIn's limits; a longer text is cut and kept whole
FATALITIES_MAX = 1_000_000


@dataclass(frozen=True)
class Facts:
    """What a report says that ACLED's columns can carry: the same at import and at export."""

    key: str
    report_id: int | None
    occurred_start: datetime
    time_precision: str
    place_name: str
    latitude: float | None
    longitude: float | None
    geo_precision: str | None
    category: str
    alleged: str
    affected: str
    source_description: str
    narrative: str
    killed: int


def row_to_submission(row: dict[str, str], *, source_kind: str,
                      truce: str | None) -> dict[str, Any]:
    """The report submission one ACLED row asks for (actors are linked later, by name)."""
    event_id = row["event_id_cnty"].strip()
    if not event_id or any(not 0x21 <= ord(c) <= 0x7e for c in event_id):
        raise InvalidInput("required, printable ASCII without spaces", field="event_id_cnty")
    precision = TIME_PRECISION.get(row["time_precision"].strip())
    if precision is None:
        raise InvalidInput(f"{row['time_precision']!r} is not 1, 2 or 3", field="time_precision")
    category = CATEGORY_OF.get((row["event_type"], row["sub_event_type"]))
    if category is None:
        if row["event_type"] not in EVENT_TYPES:
            raise InvalidInput(f"{row['event_type']!r} is not an ACLED event type",
                               field="event_type")
        raise InvalidInput(f"{row['sub_event_type']!r} is not a sub-event type of "
                           f"{row['event_type']}", field="sub_event_type")
    geo = row.get("geo_precision", "").strip()
    if geo and geo not in GEO_PRECISION:
        raise InvalidInput(f"{geo!r} is not 1, 2 or 3", field="geo_precision")
    latitude = _coordinate(row["latitude"], "latitude")
    longitude = _coordinate(row["longitude"], "longitude")
    return {
        "idempotency_key": KEY_PREFIX + event_id,
        "truce": truce,
        "source_kind": source_kind,
        "source_description": row.get("source", "")[:SOURCE_MAX],
        "occurred": _event_date(row["event_date"]),
        "time_precision": precision,
        "place_name": row["location"][:PLACE_MAX],
        "latitude": latitude,
        "longitude": longitude,
        "geo_precision": GEO_PRECISION[geo] if geo and latitude is not None else None,
        "category": category,
        "casualties": [{"outcome": "killed", "group": "unknown",
                        "best": _count(row["fatalities"], "fatalities")}],
        "narrative": row.get("notes", ""),
    }


def _event_date(text: str) -> str:
    """ACLED writes ``2017-01-24`` (its API) or ``24 January 2017`` (older exports)."""
    text = text.strip()
    try:
        return date.fromisoformat(text).isoformat()  # the common case, without strptime
    except ValueError:
        pass
    for pattern in ("%d %B %Y", "%d-%B-%Y"):
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    raise InvalidInput(f"{text!r} is not a date (2017-01-24 or 24 January 2017)",
                       field="event_date")


def _coordinate(text: str, field: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a number", field=field) from None
    if not math.isfinite(value):
        raise InvalidInput(f"{text!r} is not a finite number", field=field)
    return value


def _count(text: str, field: str) -> int:
    text = text.strip()
    if not text.isascii() or not text.isdigit() or int(text) > FATALITIES_MAX:
        raise InvalidInput(f"{text!r} is not a whole number from 0 to {FATALITIES_MAX:,}",
                           field=field)
    return int(text)


def render(f: Facts) -> dict[str, str]:
    """The ACLED row of a report's own fields (before its kept columns are laid over it)."""
    category = BY_CODE[f.category]
    event_type = category.acled_event_type
    return {
        "event_id_cnty": (f.key.removeprefix(KEY_PREFIX) if f.key.startswith(KEY_PREFIX)
                          else f"TW{f.report_id}"),
        "event_date": f.occurred_start.date().isoformat(),
        "year": str(f.occurred_start.year),
        "time_precision": TIME_PRECISION_OUT[f.time_precision],
        "disorder_type": _S if event_type == _S else "Political violence",
        "event_type": event_type,
        "sub_event_type": category.acled_sub_event_type,
        "actor1": f.alleged,
        "assoc_actor_1": "",
        "inter1": "",
        "actor2": f.affected,
        "assoc_actor_2": "",
        "inter2": "",
        "interaction": "",
        "civilian_targeting": "Civilian targeting" if event_type == _V else "",
        "iso": "",
        "region": "",
        "country": "",
        "admin1": "",
        "admin2": "",
        "admin3": "",
        "location": f.place_name,
        "latitude": _number(f.latitude),
        "longitude": _number(f.longitude),
        "geo_precision": GEO_PRECISION_OUT[f.geo_precision] if f.geo_precision else "",
        "source": f.source_description,
        "source_scale": "",
        "notes": f.narrative,
        "fatalities": str(f.killed),
        "tags": "",
        "timestamp": "",
    }


def _number(value: float | None) -> str:
    if value is None:
        return ""
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def kept_columns(row: dict[str, str], facts: Facts) -> dict[str, str]:
    """The columns of ``row`` that the report's fields would not write back as they are."""
    rendered = render(facts)
    return {name: value for name, value in row.items()
            if name in ALWAYS_KEPT or rendered.get(name) != value}


def export_row(facts: Facts, kept: dict[str, str]) -> list[str]:
    rendered = render(facts)
    return [kept.get(name, rendered[name]) for name in COLUMNS]
