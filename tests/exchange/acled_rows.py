"""ACLED rows for tests: a valid row to override, and CSV text of many."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable

from trucewatch.exchange import acled

_ids = itertools.count(1)


def row(**overrides: str) -> dict[str, str]:
    values = dict.fromkeys(acled.COLUMNS, "") | {
        "event_id_cnty": f"SYR{next(_ids)}", "event_date": "2017-01-20", "year": "2017",
        "time_precision": "1", "disorder_type": "Political violence", "event_type": "Battles",
        "sub_event_type": "Armed clash", "actor1": "Military Forces of Syria (2000-)",
        "inter1": "1", "actor2": "Jabhat Fateh al-Sham", "inter2": "2", "interaction": "12",
        "iso": "760", "region": "Middle East", "country": "Syria", "admin1": "Rural Damascus",
        "admin2": "Az-Zabdani", "admin3": "Ain al Fija", "location": "Wadi Barada",
        "latitude": "33.6667", "longitude": "36.1000", "geo_precision": "1",
        "source": "Syrian Observatory for Human Rights", "source_scale": "National",
        "notes": "Clashes between regime forces and JFS in Wadi Barada.", "fatalities": "3",
        "tags": "", "timestamp": "1485273600"}
    values.update(overrides)
    return values


def to_csv(rows: Iterable[dict[str, str]], columns: Iterable[str] = acled.COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, list(columns), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def varied() -> list[dict[str, str]]:
    """Rows that exercise every mapping: precisions, date forms, places, texts, categories."""
    return [
        row(),
        row(time_precision="2", event_date="2017-01-25"),  # a week, not starting on its Monday
        row(time_precision="3", event_date="14 February 2017", year="2017"),
        row(event_type="Explosions/Remote violence", sub_event_type="Air/drone strike",
            actor1="Military Forces of Russia (2000-)", actor2="Civilians (Syria)",
            civilian_targeting="Civilian targeting", fatalities="12", latitude="35.9306",
            longitude="36.6339", location="Idleb", geo_precision="2"),
        row(event_type="Violence against civilians", sub_event_type="Abduction/forced disappearance",
            civilian_targeting="Civilian targeting", fatalities="0", notes="  padded  \n two lines"),
        row(event_type="Strategic developments", sub_event_type="Agreement",
            disorder_type="Strategic developments", latitude="", longitude="", geo_precision="",
            actor2="", fatalities="0", location="Astana"),
        row(event_type="Protests", sub_event_type="Peaceful protest",
            disorder_type="Demonstrations", location="Saraqib, \"the free city\"",
            latitude="35.8646", longitude="36.8055", notes="Protesters chanted «حرية».",
            tags="crowd size=no report", geo_precision="3"),
        row(latitude="33.66670", longitude="36.1", location="x" * 320),  # beyond the field's limit
        row(source="; ".join(["Local source"] * 200), fatalities="1000"),
    ]
