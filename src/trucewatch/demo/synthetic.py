"""Synthetic example reports for the demo: made-up events at real places, each reported 1–3 times.

Every report is marked ``synthetic`` and its narrative says so. The generator is
seeded, so the demo is the same on every machine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

# Real places (OCHA gazetteer spelling where it has one), with approximate coordinates.
PLACES: tuple[tuple[str, float, float], ...] = (
    ("Douma", 33.5711, 36.4017),
    ("Harasta", 33.5586, 36.3650),
    ("Jobar", 33.5320, 36.3340),
    ("Ein Elfijeh (Wadi Barada)", 33.6300, 36.1800),
    ("Ar-Rastan", 34.9236, 36.7325),
    ("Talbiseh", 34.8400, 36.7300),
    ("Idleb", 35.9306, 36.6339),
    ("Khan Shaykun", 35.4414, 36.6464),
    ("Ariha", 35.8126, 36.6096),
    ("Dar'a", 32.6189, 36.1021),
    ("Nawa", 32.8897, 36.0431),
    ("Quneitra", 33.1259, 35.8244),
    ("Hama", 35.1318, 36.7578),
    ("Atareb", 36.1383, 36.8297),
)

CATEGORIES = (("shelling", 5), ("air_strike", 3), ("ground_assault", 2), ("sniper_fire", 2),
              ("explosive_device", 1), ("denial_humanitarian_access", 1), ("troop_buildup", 1),
              ("abduction_detention", 1))
FILERS = (("syrian-government", "gov-reporter", "party"),
          ("armed-opposition", "opp-reporter", "party"),
          ("joint-group", "jg-monitor", "monitor"),
          ("example-wire", "wire-desk", "media"))
FIRST_DAY = date(2016, 12, 30)
LAST_DAY = date(2017, 1, 25)


@dataclass(frozen=True)
class DemoReport:
    organisation: str
    user: str
    event: int
    data: dict[str, Any]


def demo_reports(events: int = 18, seed: int = 20170123) -> list[DemoReport]:
    rng = random.Random(seed)
    out: list[DemoReport] = []
    span = (LAST_DAY - FIRST_DAY).days
    for event in range(1, events + 1):
        place, lat, lon = rng.choice(PLACES)
        category = rng.choices([c for c, _ in CATEGORIES], [w for _, w in CATEGORIES])[0]
        day = FIRST_DAY + timedelta(days=rng.randint(0, span))
        hour = rng.randint(4, 21)
        alleged, affected = rng.choice((("syrian-government", "armed-opposition"),
                                        ("armed-opposition", "syrian-government"),
                                        ("syrian-government", "armed-opposition")))
        # Violence by or against the excluded groups is not a truce violation, so the
        # synthetic reports only ever accuse a party to the truce.
        killed = rng.choice((0, 0, 1, 2, 3, 5))
        injured = rng.choice((0, 1, 2, 4, 7))
        filers = rng.sample(FILERS, rng.choice((1, 1, 2, 2, 3)))
        for n, (org, user, kind) in enumerate(filers, start=1):
            exact = kind == "monitor"
            jitter_lat = 0 if exact else rng.uniform(-0.01, 0.01)
            jitter_lon = 0 if exact else rng.uniform(-0.01, 0.01)
            reported_killed = max(0, killed + rng.choice((0, 0, 1, -1)))
            casualties = []
            if reported_killed:
                casualties.append({"outcome": "killed", "group": "civilian",
                                   "low": max(0, reported_killed - 1), "best": reported_killed,
                                   "high": reported_killed + 2})
            if injured:
                casualties.append({"outcome": "injured", "group": "unknown", "best": injured})
            occurred = (f"{day.isoformat()}T{hour:02d}:{rng.randint(0, 59):02d}:00+02:00"
                        if exact else day.isoformat())
            out.append(DemoReport(org, user, event, {
                "idempotency_key": f"demo-{event:03d}-{n}",
                "truce": "syria-2016-12-30",
                "source_kind": kind,
                "source_description": "synthetic example",
                "occurred": occurred,
                "place_name": place,
                "latitude": round(lat + jitter_lat, 5),
                "longitude": round(lon + jitter_lon, 5),
                "geo_precision": "exact" if exact else "near",
                "category": category,
                "alleged_actor": alleged if org != alleged else affected,
                "affected_actor": affected if org != alleged else alleged,
                "casualties": casualties,
                "narrative": (f"[SYNTHETIC EXAMPLE — not a real report] {category.replace('_', ' ')} "
                              f"reported at {place} on {day.isoformat()} (event {event}, "
                              f"account {n} of {len(filers)})."),
                "synthetic": True,
            }))
    return out
