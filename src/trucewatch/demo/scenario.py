"""The truce of 30 December 2016 and the users who work on it in the demo."""

from __future__ import annotations

from typing import Any


def _box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


TRUCE: dict[str, Any] = {
    "slug": "syria-2016-12-30",
    "name": "Nationwide ceasefire in Syria of 30 December 2016",
    # Midnight on 30 December in Damascus (UTC+2).
    "starts_at": "2016-12-29T22:00:00+00:00",
    "terms": (
        "A nationwide cessation of hostilities from midnight on 30 December 2016, brokered by "
        "Russia and Turkey with Iran joining as a third guarantor, and welcomed by UN Security "
        "Council resolution 2336 (31 December 2016). Groups designated as terrorist (the "
        "Islamic State group and Jabhat Fateh al-Sham) are excluded. The package of 29 "
        "December provides a mechanism to record violations and a regime of sanctions "
        "against violators; at Astana (23–24 January 2017) the guarantors agreed to set up a "
        "trilateral mechanism to observe and ensure full compliance with the ceasefire."
    ),
    "rule": {"kind": "unanimity"},
    "guarantors": ["russia", "turkey", "iran"],
    "parties": ["syrian-government", "armed-opposition", "jaysh-al-islam", "faylaq-al-sham"],
    "excluded": ["islamic-state", "jabhat-fateh-al-sham"],
    # Rough outlines for the demo only, drawn around the areas that became the four
    # de-escalation zones in May 2017; not the agreed maps.
    "zones": [
        {"name": "Idlib and surroundings", "geometry": _box(35.95, 35.25, 37.20, 36.30)},
        {"name": "Northern Homs", "geometry": _box(36.60, 34.72, 36.95, 35.02)},
        {"name": "Eastern Ghouta", "geometry": _box(36.30, 33.45, 36.62, 33.66)},
        {"name": "South (Daraa and Quneitra)", "geometry": _box(35.60, 32.30, 36.70, 33.30)},
    ],
}

USERS: tuple[tuple[str, str, str], ...] = (
    ("gov-reporter", "syrian-government", "Reporting officer, government side"),
    ("opp-reporter", "armed-opposition", "Reporting officer, armed opposition"),
    ("jg-monitor", "joint-group", "Field monitor of the Joint Group"),
    ("wire-desk", "example-wire", "Desk editor (synthetic source)"),
    ("ru-officer", "russia", "Guarantor officer, Russia"),
    ("tr-officer", "turkey", "Guarantor officer, Turkey"),
    ("ir-officer", "iran", "Guarantor officer, Iran"),
    ("un-coordinator", "united-nations", "Coordinator, mediator's office"),
    ("admin", "joint-group", "Administrator of the mechanism"),
)

# The role each demo user holds (trucewatch.auth.principal.Role values).
ROLES: dict[str, str] = {
    "gov-reporter": "reporter",
    "opp-reporter": "reporter",
    "jg-monitor": "reporter",
    "wire-desk": "reporter",
    "ru-officer": "guarantor_officer",
    "tr-officer": "guarantor_officer",
    "ir-officer": "guarantor_officer",
    "un-coordinator": "coordinator",
    "admin": "administrator",
}
