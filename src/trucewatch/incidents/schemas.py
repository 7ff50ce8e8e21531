"""What goes into the incidents service."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from trucewatch.reports.enums import GeoPrecision


class IncidentIn(BaseModel):
    """A new incident from one or more reports; when/where/what default to the first report's."""

    model_config = ConfigDict(extra="forbid")

    reports: list[int] = Field(min_length=1, max_length=1000)
    title: str | None = Field(default=None, min_length=1, max_length=300)
    category: str | None = None
    place_name: str | None = Field(default=None, max_length=300)
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: GeoPrecision | None = None
    occurred: str | None = None
    reason: str = Field(default="", max_length=2000)
