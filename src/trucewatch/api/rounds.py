"""Review rounds and assessments: open, read, assess (server keystore or client-signed), close, sign."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from trucewatch.api.deps import KeystoreDep, PrincipalDep, SessionDep
from trucewatch.api.problems import COMMON
from trucewatch.auth.principal import Principal
from trucewatch.errors import NotFound, PermissionDenied
from trucewatch.incidents.listing import sees_unpublished
from trucewatch.incidents.service import get_incident
from trucewatch.keys.signing import Keystore
from trucewatch.verification.models import ReviewRound
from trucewatch.verification.schemas import AssessmentIn, RoundIn
from trucewatch.verification.service import (
    assessment_body,
    close_round,
    file_assessment,
    open_round,
    read_round,
    round_view,
    rounds_of_incident,
    sign_decision,
)

router = APIRouter(tags=["review rounds"], responses=COMMON)
CONFLICT: dict[int | str, dict[str, Any]] = {409: COMMON[422] | {"description": "Conflict"}}


class RoundOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: int
    incident: int
    number: int
    status: str
    assessments: list[dict[str, Any]]
    decision: dict[str, Any] | None


class ClientSignature(BaseModel):
    """Signed on the client: the seat's registered key and its signature over the body.
    Leave both out to have the server sign with the seat's key in its keystore."""

    key_id: str | None = Field(default=None, max_length=200)
    signature: str | None = Field(default=None, max_length=500)


class AssessmentBody(AssessmentIn, ClientSignature):
    pass


class BodyToSign(BaseModel):
    body: str = Field(description="RFC 8785 JSON: sign these exact UTF-8 bytes with Ed25519.")


def _round(session: Session, who: Principal, round_id: int) -> ReviewRound:
    try:
        return read_round(session, principal=who, round_id=round_id)
    except PermissionDenied:
        if sees_unpublished(who):
            raise
        raise NotFound(f"no review round {round_id}", field="round") from None


def _signer(body: ClientSignature, keystore: Keystore) -> dict[str, Any]:
    if body.key_id is None and body.signature is None:
        return {"keystore": keystore}
    return {"key_id": body.key_id, "signature": body.signature}


@router.get("/incidents/{incident_id}/rounds", response_model=list[RoundOut])
def of_incident(incident_id: int, session: SessionDep, who: PrincipalDep) -> list[dict[str, Any]]:
    """The incident's review rounds the caller may read (others: those published)."""
    get_incident(session, incident_id, principal=who)
    return [round_view(session, r) for r in
            rounds_of_incident(session, principal=who, incident_id=incident_id)]


@router.post("/rounds", status_code=201, response_model=RoundOut, responses=CONFLICT)
def open_(body: RoundIn, session: SessionDep, who: PrincipalDep,
          response: Response) -> dict[str, Any]:
    """Open the next review round on an incident (a guarantor of its truce)."""
    rnd = open_round(session, principal=who, data=body)
    response.headers["Location"] = f"/api/v1/rounds/{rnd.id}"
    return round_view(session, rnd)


@router.get("/rounds/{round_id}", response_model=RoundOut)
def read(round_id: int, session: SessionDep, who: PrincipalDep) -> dict[str, Any]:
    """One review round with its assessments (every version), decision and signatures."""
    return round_view(session, _round(session, who, round_id))


@router.post("/rounds/{round_id}/assessments/body", response_model=BodyToSign)
def body_to_sign(round_id: int, body: AssessmentIn, session: SessionDep,
                 who: PrincipalDep) -> dict[str, str]:
    """The exact bytes the caller's seat signs to file this assessment on the client."""
    return {"body": assessment_body(session, principal=who, round_id=round_id,
                                    data=body).decode()}


@router.post("/rounds/{round_id}/assessments", status_code=201, response_model=RoundOut,
             responses=CONFLICT)
def assess(round_id: int, body: AssessmentBody, session: SessionDep, who: PrincipalDep,
           keystore: KeystoreDep, response: Response) -> dict[str, Any]:
    """File (or revise) the caller's seat's signed assessment; the round is decided when every
    seat has assessed."""
    data = AssessmentIn.model_validate(body.model_dump(exclude={"key_id", "signature"}))
    file_assessment(session, principal=who, round_id=round_id, data=data,
                    **_signer(body, keystore))
    response.headers["Location"] = f"/api/v1/rounds/{round_id}"
    return round_view(session, _round(session, who, round_id))


@router.post("/rounds/{round_id}/close", response_model=RoundOut, responses=CONFLICT)
def close(round_id: int, session: SessionDep, who: PrincipalDep,
          keystore: KeystoreDep) -> dict[str, Any]:
    """Close a round past its deadline: the rule decides on what was filed."""
    return round_view(session, close_round(session, principal=who, round_id=round_id,
                                           keystore=keystore))


@router.post("/rounds/{round_id}/decision-signatures", status_code=201,
             response_model=RoundOut, responses=CONFLICT)
def sign(round_id: int, body: ClientSignature, session: SessionDep, who: PrincipalDep,
         keystore: KeystoreDep) -> dict[str, Any]:
    """Sign the round's decision record for the caller's seat (the body is the round's
    ``decision`` in RFC 8785 form)."""
    sign_decision(session, principal=who, round_id=round_id, **_signer(body, keystore))
    return round_view(session, _round(session, who, round_id))
