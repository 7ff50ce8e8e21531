"""What a report submission must contain; everything is checked before anything is written."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from trucewatch.reports.enums import CasualtyGroup, GeoPrecision, Outcome, SourceKind, TimePrecision
from trucewatch.reports.taxonomy import BY_CODE, CODES


class CasualtyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    group: CasualtyGroup = CasualtyGroup.UNKNOWN
    low: int | None = Field(default=None, ge=0, le=1_000_000)
    best: int = Field(ge=0, le=1_000_000)
    high: int | None = Field(default=None, ge=0, le=1_000_000)

    @model_validator(mode="after")
    def _range(self) -> CasualtyIn:
        low = self.best if self.low is None else self.low
        high = self.best if self.high is None else self.high
        if not low <= self.best <= high:
            raise ValueError(f"need low ≤ best ≤ high, got {low} / {self.best} / {high}")
        self.low, self.high = low, high
        return self


class ConfidentialSourceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    identity: str = Field(min_length=1, max_length=2000)
    contact: str = Field(default="", max_length=2000)


class AttachmentIn(BaseModel):
    """An attachment's name and bytes; the media type is detected from the bytes, not trusted."""

    model_config = ConfigDict(extra="forbid")

    filename: str = Field(min_length=1, max_length=255)
    content: bytes


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    idempotency_key: str | None = Field(default=None, min_length=1, max_length=200,
                                        pattern=r"^[\x21-\x7e]+$")
    truce: str | None = None
    source_kind: SourceKind
    source_description: str = Field(default="", max_length=2000)
    occurred: str = Field(min_length=4, max_length=40)
    time_precision: TimePrecision | None = None
    place_name: str = Field(default="", max_length=300)
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: GeoPrecision | None = None
    category: str
    alleged_actor: str | None = Field(default=None, max_length=300)
    affected_actor: str | None = Field(default=None, max_length=300)
    casualties: list[CasualtyIn] = Field(default_factory=list, max_length=6)
    narrative: str = ""
    confidential_source: ConfidentialSourceIn | None = None
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=20)
    synthetic: bool = False

    @field_validator("category")
    @classmethod
    def _category(cls, value: str) -> str:
        if value not in BY_CODE:
            raise ValueError(f"{value!r} is not in the taxonomy ({', '.join(CODES)})")
        return value

    @field_validator("place_name", "source_description", "narrative")
    @classmethod
    def _text(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError("contains a NUL character")
        return value.strip()

    @model_validator(mode="after")
    def _where_and_casualties(self) -> ReportIn:
        if not self.place_name and self.latitude is None and self.longitude is None:
            raise ValueError("say where: a place name, coordinates, or both")
        if self.latitude is not None and self.geo_precision is None:
            self.geo_precision = GeoPrecision.EXACT
        cells = [(c.outcome, c.group) for c in self.casualties]
        if len(cells) != len(set(cells)):
            raise ValueError("casualties: each outcome and group may appear once")
        return self
