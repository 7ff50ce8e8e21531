"""Ingestion: a text in, proposals out; proposals listed, read, accepted and rejected.
Guarantor officers and coordinators (``ingest.run``, ``proposal.decide``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from trucewatch.api.deps import PrincipalDep, SessionDep
from trucewatch.api.problems import COMMON

router = APIRouter(tags=["ingest"], responses=COMMON)
CONFLICT: dict[int | str, dict[str, Any]] = {409: COMMON[422] | {"description": "Conflict"}}
ProposalId = Annotated[int, Path(ge=1, le=2**62)]


class TextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=2_000_000, description="Plain text or HTML.")
    source: str = Field(default="api", min_length=1, max_length=300)
    published: date | None = Field(default=None, description="What 'on Friday' is resolved "
                                   "against (default: a DATE: header line, else today).")


class AcceptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    meeting: str | None = Field(default=None, max_length=80, description="For an invitation.")
    invitation: int | None = Field(default=None, ge=1, le=2**62, description="For a reply.")
    organisation: str | None = Field(default=None, max_length=300, description="For a report.")
    truce: str | None = Field(default=None, max_length=80, description="For a report.")


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=5000)


@router.post("/ingest", status_code=201, response_model=dict[str, Any], responses=CONFLICT)
def ingest(body: TextIn, session: SessionDep, who: PrincipalDep) -> dict[str, Any]:
    """Analyse a text into proposals (stored, all pending), each with its sentence, character
    offsets and confidence; with the lines dropped as page furniture, dates, places, conflicts."""
    from trucewatch.ingest import service

    done = service.ingest_text(session, principal=who, raw=body.text.encode("utf-8"),
                               source=body.source, published=body.published)
    view = done.extraction.as_json()
    view["text_id"] = done.text.id
    view["proposals"] = [service.proposal_view(p) for p in done.proposals]
    return view


@router.get("/proposals", response_model=list[dict[str, Any]])
def proposals(session: SessionDep, who: PrincipalDep,
              status: Annotated[str | None, Query(pattern="^(pending|accepted|rejected)$")] =
              "pending",
              kind: Annotated[str | None, Query(pattern="^(actor|affiliation|event|invitation|"
                                                        "reply|report)$")] = None,
              text: Annotated[int | None, Query(ge=1, le=2**62)] = None) -> list[dict[str, Any]]:
    """Proposals (pending ones unless another status is asked for)."""
    from trucewatch.ingest import service

    return [service.proposal_view(p) for p in service.list_proposals(
        session, principal=who, status=status, kind=kind, text_id=text)]


@router.get("/proposals/{proposal_id}", response_model=dict[str, Any])
def proposal(proposal_id: ProposalId, session: SessionDep, who: PrincipalDep) -> dict[str, Any]:
    """A proposal with its evidence and, once decided, who decided and what it made."""
    from trucewatch.ingest import service

    return service.proposal_view(service.get_proposal(session, proposal_id, principal=who))


@router.post("/proposals/{proposal_id}/accept", response_model=dict[str, Any],
             responses=CONFLICT)
def accept(proposal_id: ProposalId, body: AcceptIn, session: SessionDep,
           who: PrincipalDep) -> dict[str, Any]:
    """Make the record the proposal proposes, through the same functions as manual entry."""
    from trucewatch.ingest import acceptance, service

    row = acceptance.accept_proposal(session, principal=who, proposal_id=proposal_id,
                                     meeting=body.meeting, invitation=body.invitation,
                                     organisation=body.organisation, truce=body.truce)
    return service.proposal_view(row)


@router.post("/proposals/{proposal_id}/reject", response_model=dict[str, Any],
             responses=CONFLICT)
def reject(proposal_id: ProposalId, body: RejectIn, session: SessionDep,
           who: PrincipalDep) -> dict[str, Any]:
    """Reject a proposal; it is kept with the reason."""
    from trucewatch.ingest import acceptance, service

    return service.proposal_view(acceptance.reject_proposal(
        session, principal=who, proposal_id=proposal_id, reason=body.reason))
