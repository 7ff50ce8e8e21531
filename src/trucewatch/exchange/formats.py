"""The import formats: how each reads a row, what it keeps, and whom it names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from trucewatch.errors import InvalidInput
from trucewatch.exchange import acled, ucdp
from trucewatch.reports.schemas import ReportIn
from trucewatch.reports.when import When


@dataclass(frozen=True)
class ImportFormat:
    name: str
    required: tuple[str, ...]
    to_submission: Callable[..., dict[str, Any]]
    kept: Callable[[dict[str, str], ReportIn, When], dict[str, str]]
    actor_columns: tuple[str, str]  # alleged, affected
    organisation: tuple[str, str]  # the default filer: slug, name
    column_of: dict[str, str]  # a report field → the column it comes from, for error messages


def acled_facts(spec: ReportIn, when: When, *, report_id: int | None = None,
                alleged: str = "", affected: str = "") -> acled.Facts:
    killed = sum(c.best for c in spec.casualties if c.outcome.value == "killed")
    return acled.Facts(
        key=spec.idempotency_key or "", report_id=report_id, occurred_start=when.start,
        time_precision=when.precision.value, place_name=spec.place_name,
        latitude=spec.latitude, longitude=spec.longitude,
        geo_precision=spec.geo_precision.value if spec.geo_precision else None,
        category=spec.category, alleged=alleged, affected=affected,
        source_description=spec.source_description, narrative=spec.narrative, killed=killed)


def _acled_kept(row: dict[str, str], spec: ReportIn, when: When) -> dict[str, str]:
    return acled.kept_columns(row, acled_facts(spec, when))


def _ucdp_kept(row: dict[str, str], spec: ReportIn, when: When) -> dict[str, str]:
    return ucdp.kept_columns(row)


FORMATS: dict[str, ImportFormat] = {
    acled.FORMAT: ImportFormat(
        acled.FORMAT, acled.REQUIRED, acled.row_to_submission, _acled_kept,
        ("actor1", "actor2"), ("acled", "Armed Conflict Location & Event Data (ACLED)"),
        {"idempotency_key": "event_id_cnty", "occurred": "event_date",
         "time_precision": "time_precision", "place_name": "location", "narrative": "notes",
         "source_description": "source", "casualties": "fatalities",
         "category": "sub_event_type"}),
    ucdp.FORMAT: ImportFormat(
        ucdp.FORMAT, ucdp.REQUIRED, ucdp.row_to_submission, _ucdp_kept,
        ("side_a", "side_b"), ("ucdp", "Uppsala Conflict Data Program (UCDP)"),
        {"idempotency_key": "id", "occurred": "date_start", "time_precision": "date_end",
         "place_name": "where_coordinates", "narrative": "source_headline",
         "source_description": "source_office", "casualties": "best",
         "category": "type_of_violence"}),
}


def import_format(name: str) -> ImportFormat:
    found = FORMATS.get(name)
    if found is None:
        raise InvalidInput(f"{name!r} is not an import format ({', '.join(FORMATS)})",
                           field="format")
    return found
