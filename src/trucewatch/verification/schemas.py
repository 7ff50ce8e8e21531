"""What goes into joint verification: the words of findings, grades and measures, and the inputs."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Finding(StrEnum):
    """A guarantor's answer to "was this a violation of the truce?"."""

    VIOLATION = "violation"
    NOT_VIOLATION = "not_violation"
    CANNOT_DETERMINE = "cannot_determine"


class Confidence(StrEnum):
    """How strongly the evidence supports a finding, strongest first (docs/verification.md).

    Adapted from Airwars' grading of civilian-harm claims (airwars.org/about/methodology):
    its ``discounted`` grade is a finding here (``not_violation``), not a grade.
    """

    CONFIRMED = "confirmed"
    FAIR = "fair"
    WEAK = "weak"
    CONTESTED = "contested"


CONFIDENCE_MEANING: dict[Confidence, str] = {
    Confidence.CONFIRMED: "Established by the mechanism's own monitors (a site visit, direct "
                          "observation), or accepted by the party held responsible.",
    Confidence.FAIR: "Two or more credible, independent sources agree on what happened, and "
                     "the evidence (place, time, weapon, damage) fits their account.",
    Confidence.WEAK: "A single source, or several that are not independent of each other.",
    Confidence.CONTESTED: "Credible sources contradict each other on what happened or on "
                          "who did it.",
}


class Decision(StrEnum):
    CONFIRMED = "confirmed"
    NOT_CONFIRMED = "not_confirmed"
    DISPUTED = "disputed"


class SiteVisit(StrEnum):
    NOT_ATTEMPTED = "not_attempted"
    MADE = "made"
    DENIED = "denied"


class InvestigationResult(StrEnum):
    ATTRIBUTED = "attributed"
    COULD_NOT_BE_ATTRIBUTED = "could_not_be_attributed"
    NO_VIOLATION_FOUND = "no_violation_found"
    INCONCLUSIVE = "inconclusive"


class DenialKind(StrEnum):
    ACCESS = "access"  # monitors refused entry to a site
    MOVEMENT = "movement"  # monitors stopped or turned back on the way


class MeasureKind(StrEnum):
    DEMARCHE = "demarche"
    WARNING = "warning"
    SANCTION = "sanction"


class Vote(StrEnum):
    AGREE = "agree"
    DISAGREE = "disagree"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RoundIn(_In):
    """Open a review round on an incident."""

    incident: int
    deadline: AwareDatetime | None = None
    days: int | None = Field(default=None, ge=1, le=90)
    reason: str = ""
    new_reports: list[int] = Field(default_factory=list)


class AssessmentIn(_In):
    finding: Finding
    responsible: str | None = None
    confidence: Confidence
    reasons: str = Field(min_length=1, max_length=20000)


class EvidenceIn(_In):
    kind: str = Field(default="document", pattern=r"^(report|document|photo|video|testimony|"
                                                   r"imagery|other)$")
    description: str = Field(min_length=1, max_length=2000)
    reference: str = Field(default="", max_length=1000)


class InvestigationIn(_In):
    incident: int
    assignee: str = Field(min_length=1, max_length=200)
    due_on: date


class AccessDenialIn(_In):
    denied_by: str
    kind: DenialKind
    occurred_at: AwareDatetime
    incident: int | None = None
    investigation: int | None = None
    truce: str | None = None
    place_name: str = Field(default="", max_length=300)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    description: str = Field(default="", max_length=20000)


class InvestigationUpdateIn(_In):
    status: str | None = None
    site_visit: SiteVisit | None = None
    interviews: str | None = Field(default=None, max_length=100000)
    findings: str | None = Field(default=None, max_length=100000)
    evidence: list[EvidenceIn] = Field(default_factory=list)  # added; never removed
    result: InvestigationResult | None = None
    responsible: str | None = None
    denial: AccessDenialIn | None = None  # with site_visit=denied: who refused, and how


class MeasureIn(_In):
    incident: int
    kind: MeasureKind
    description: str = Field(min_length=1, max_length=20000)
    against: str | None = None  # default: the party the decision holds responsible
