"""UCDP GED event rows (codebook 19.1) read into report submissions.

UCDP's numbers may come written as floats (``214797.0``: the R export of the public
extract). Columns the report's fields take are listed in :data:`MAPPED`; every other
column is kept verbatim in the report's exchange record. The mapping: docs/exchange.md.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from trucewatch.errors import InvalidInput

FORMAT = "ucdp"
KEY_PREFIX = "ucdp:"

REQUIRED: tuple[str, ...] = ("id", "type_of_violence", "side_a", "side_b", "where_prec",
                             "where_coordinates", "latitude", "longitude", "date_prec",
                             "date_start", "date_end", "low", "best", "high")
# The columns a report's own fields hold; the others are kept as read. side_a and side_b are
# kept too (a linked actor is trucewatch's entry, named its own way).
# date_start is kept as well: a report of a week or a month starts on its Monday or its 1st.
MAPPED = frozenset({"id", "type_of_violence", "where_prec", "where_coordinates", "latitude",
                    "longitude", "low", "best", "high", "source_office", "source_headline"})

CATEGORY = {1: "armed_clash", 2: "armed_clash", 3: "attack_on_civilians"}
# where_prec: 1 exact place, 2 within 25 km, 3 second-order unit (district), 4 first-order
# unit (governorate), 5 a line between places or an ambiguous spot, 6 the country, 7 waters.
GEO_PRECISION = {1: "exact", 2: "near", 3: "district", 4: "region", 5: "region", 6: "region",
                 7: "region"}
PLACE_MAX, SOURCE_MAX = 300, 2000


def row_to_submission(row: dict[str, str], *, source_kind: str,
                      truce: str | None) -> dict[str, Any]:
    """The report submission one GED row asks for (actors are linked later, by name)."""
    event_id = _whole(row["id"], "id")
    violence = _whole(row["type_of_violence"], "type_of_violence")
    if violence not in CATEGORY:
        raise InvalidInput(f"{violence} is not 1, 2 or 3", field="type_of_violence")
    where = _whole(row["where_prec"], "where_prec")
    if where not in GEO_PRECISION:
        raise InvalidInput(f"{where} is not from 1 to 7", field="where_prec")
    start, end = _day(row["date_start"], "date_start"), _day(row["date_end"], "date_end")
    if end < start:
        raise InvalidInput(f"{end} is before date_start {start}", field="date_end")
    occurred, precision = occurred_of(start, end)
    low, best, high = (_whole(row[c], c) for c in ("low", "best", "high"))
    # Some GED rows break their own order (best below low or above high): the report holds
    # the range widened to all three figures, the figures as read are kept (kept_columns).
    low, high = min(low, best, high), max(low, best, high)
    return {
        "idempotency_key": f"{KEY_PREFIX}{event_id}",
        "truce": truce,
        "source_kind": source_kind,
        "source_description": row.get("source_office", "")[:SOURCE_MAX],
        "occurred": occurred,
        "time_precision": precision,
        "place_name": row["where_coordinates"][:PLACE_MAX],
        "latitude": _float(row["latitude"], "latitude"),
        "longitude": _float(row["longitude"], "longitude"),
        "geo_precision": GEO_PRECISION[where],
        "category": CATEGORY[violence],
        "casualties": [{"outcome": "killed", "group": "unknown",
                        "low": low, "best": best, "high": high}],
        "narrative": row.get("source_headline", ""),
    }


def occurred_of(start: date, end: date) -> tuple[str, str]:
    """The narrowest interval trucewatch can name that holds ``start``: its day when the event
    took one day, its ISO week or month when ``end`` falls in it, else ``start``'s month
    (the end is then kept with the other columns)."""
    if start == end:
        return start.isoformat(), "day"
    if start.isocalendar()[:2] == end.isocalendar()[:2]:
        return start.isoformat(), "week"
    return start.isoformat(), "month"


def kept_columns(row: dict[str, str]) -> dict[str, str]:
    """Every column the report's fields do not hold, and texts they hold only in part."""
    kept = {name: value for name, value in row.items() if name not in MAPPED}
    for name, limit in (("where_coordinates", PLACE_MAX), ("source_office", SOURCE_MAX)):
        value = row.get(name, "")
        if len(value) > limit or value != value.strip():
            kept[name] = value
    if row.get("source_headline", "") != row.get("source_headline", "").strip():
        kept["source_headline"] = row["source_headline"]
    low, best, high = (_whole(row[c], c) for c in ("low", "best", "high"))
    if not low <= best <= high:
        kept["low"], kept["high"] = row["low"], row["high"]
    return kept


def _whole(text: str, field: str) -> int:
    value = _float(text, field)
    if value is None or value != int(value) or not 0 <= value <= 10**12:
        raise InvalidInput(f"{text!r} is not a whole number", field=field)
    return int(value)


def _float(text: str, field: str) -> float | None:
    text = text.strip()
    if not text or text == "NA":
        return None
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a number", field=field) from None
    if not math.isfinite(value):
        raise InvalidInput(f"{text!r} is not a finite number", field=field)
    return value


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date (YYYY-MM-DD)", field=field) from None
