"""What goes into and out of the actors service."""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from trucewatch.actors.enums import ActorKind, OrganisationType

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


class NameIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=300)
    lang: str = Field(default="en", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
    primary: bool = False

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("name is blank")
        return value


class ActorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: str
    kind: ActorKind
    organisation_type: OrganisationType | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    description: str = Field(default="", max_length=5000)
    names: list[NameIn] = Field(min_length=1)

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError("use lower-case letters, digits and hyphens (at most 80)")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ActorIn:
        if self.kind is ActorKind.ORGANISATION and self.organisation_type is None:
            raise ValueError("an organisation needs organisation_type")
        if self.kind is ActorKind.PERSON and self.organisation_type is not None:
            raise ValueError("a person has no organisation_type")
        if not any(n.primary for n in self.names):
            self.names[0].primary = True
        return self


class AffiliationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person: str
    organisation: str
    role: str = Field(min_length=1, max_length=120)
    valid_from: date | None = None
    valid_to: date | None = None
    source: str = ""

    @model_validator(mode="after")
    def _period(self) -> AffiliationIn:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self
