"""Correlation: run a pass or match one report, the queue of candidate links, split, tuning."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from trucewatch.api.deps import PrincipalDep, SessionDep
from trucewatch.api.problems import COMMON
from trucewatch.correlation.matcher import backlog
from trucewatch.correlation.queue import (
    candidate_view,
    confirm_candidate,
    list_candidates,
    reject_candidate,
    split_incident,
)
from trucewatch.correlation.service import correlate_all, match_report
from trucewatch.correlation.tunings import get_tuning, set_tuning
from trucewatch.incidents.service import incident_view
from trucewatch.truces.service import get_truce

router = APIRouter(prefix="/correlation", tags=["correlation"], responses=COMMON)


class RunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    report: int | None = Field(default=None, description="Match only this report.")
    truce: str | None = Field(default=None, description="A pass over this truce's reports.")


class OutcomeOut(BaseModel):
    scored: int
    linked: list[list[int]]
    queued: list[list[int]]
    incidents: list[int]


class CandidateOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: int
    reports: list[int]
    score: float
    status: str
    reasons: dict[str, Any]


class BacklogOut(BaseModel):
    waiting: int = Field(description="Reports filed and not matched yet.")
    given_up: int = Field(description="Reports whose match failed too often: `trucewatch "
                          "correlate run --report ID` retries one.")
    oldest_marked_at: str | None = Field(description="When the oldest waiting report was filed.")
    behind_seconds: float | None = Field(description="How long it has waited.")


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=2000)


class SplitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reports: list[int] = Field(min_length=1)
    reason: str = Field(min_length=1, max_length=2000)


@router.post("/runs", response_model=OutcomeOut)
def run(body: RunIn, session: SessionDep, who: PrincipalDep) -> dict[str, object]:
    if body.report is not None:
        done = match_report(session, report_id=body.report, actor=who.actor, principal=who)
    else:
        truce_id = get_truce(session, body.truce).id if body.truce else None
        done = correlate_all(session, actor=who.actor, principal=who, truce_id=truce_id)
    return done.as_dict()


@router.get("/waiting", response_model=BacklogOut)
def waiting(session: SessionDep, who: PrincipalDep) -> dict[str, object]:
    """How far matching after filing is behind (docs/correlation.md "Filings first")."""
    return backlog(session, principal=who).as_dict()


@router.get("/candidates", response_model=list[CandidateOut])
def queue(session: SessionDep, who: PrincipalDep, status: str = "pending",
          after: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=1000)
          ) -> list[dict[str, Any]]:
    return [candidate_view(c) for c in list_candidates(session, status=status, after_id=after,
                                                        limit=limit, principal=who)]


@router.post("/candidates/{candidate_id}/confirm", response_model=CandidateOut)
def confirm(candidate_id: int, body: DecisionIn, session: SessionDep,
            who: PrincipalDep) -> dict[str, Any]:
    return candidate_view(confirm_candidate(session, candidate_id=candidate_id, actor=who.actor,
                                            reason=body.reason, principal=who))


@router.post("/candidates/{candidate_id}/reject", response_model=CandidateOut)
def reject(candidate_id: int, body: DecisionIn, session: SessionDep,
           who: PrincipalDep) -> dict[str, Any]:
    return candidate_view(reject_candidate(session, candidate_id=candidate_id, actor=who.actor,
                                           reason=body.reason, principal=who))


@router.post("/incidents/{incident_id}/split", status_code=201)
def split(incident_id: int, body: SplitIn, session: SessionDep,
          who: PrincipalDep) -> dict[str, Any]:
    new = split_incident(session, incident_id=incident_id, report_ids=body.reports,
                         actor=who.actor, reason=body.reason, principal=who)
    return incident_view(new, report_ids=body.reports)


@router.get("/tuning/{truce}")
def tuning(truce: str, session: SessionDep, who: PrincipalDep) -> dict[str, float]:
    return get_tuning(session, truce=truce).as_dict()


@router.patch("/tuning/{truce}")
def tune(truce: str, body: dict[str, float], session: SessionDep,
         who: PrincipalDep) -> dict[str, float]:
    return set_tuning(session, truce=truce, values=body, actor=who.actor,
                      principal=who).as_dict()
