"""What goes into the truces service."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from trucewatch.actors.schemas import SLUG


class RuleKind(StrEnum):
    UNANIMITY = "unanimity"
    K_OF_N = "k_of_n"


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: RuleKind = RuleKind.UNANIMITY
    k: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _k(self) -> RuleIn:
        if self.kind is RuleKind.K_OF_N and self.k is None:
            raise ValueError("a k_of_n rule needs k")
        if self.kind is RuleKind.UNANIMITY and self.k is not None:
            raise ValueError("unanimity takes no k")
        return self


class ZoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    geometry: dict[str, Any]


class TruceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: str = Field(pattern=SLUG.pattern)
    name: str = Field(min_length=1, max_length=300)
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None
    terms: str = ""
    rule: RuleIn = Field(default_factory=RuleIn)
    guarantors: list[str] = Field(min_length=1)
    parties: list[str] = Field(default_factory=list)
    excluded: list[str] = Field(default_factory=list)
    zones: list[ZoneIn] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> TruceIn:
        if self.ends_at is not None and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if self.rule.k is not None and self.rule.k > len(self.guarantors):
            raise ValueError(f"k={self.rule.k} but only {len(self.guarantors)} guarantors")
        return self


