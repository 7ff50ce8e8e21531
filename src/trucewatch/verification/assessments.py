"""Each guarantor's signed assessment in a round; a revision keeps the earlier version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trucewatch.actors.enums import ActorKind
from trucewatch.actors.models import Actor
from trucewatch.actors.service import find_actor
from trucewatch.auth.policy import Action
from trucewatch.auth.principal import Principal
from trucewatch.errors import Conflict, InvalidInput
from trucewatch.incidents.models import Incident
from trucewatch.keys.signing import Keystore
from trucewatch.log import service as log
from trucewatch.truces.models import Truce
from trucewatch.validation import parse
from trucewatch.verification.decisions import decide_round, get_round
from trucewatch.verification.models import Assessment, ReviewRound
from trucewatch.verification.schemas import AssessmentIn, Finding
from trucewatch.verification.seats import seat_of, slugs, truce_of
from trucewatch.verification.signatures import ASSESSMENT, body_bytes, seal


def file_assessment(session: Session, *, principal: Principal, round_id: int,
                    data: AssessmentIn | dict[str, Any], keystore: Keystore | None = None,
                    key_id: str | None = None, signature: str | None = None,
                    now: datetime | None = None) -> Assessment:
    """File (or revise) the caller's seat's assessment, signed with the keystore or on the client.

    When every seat then has a current assessment the round is decided in the same transaction.
    """
    spec = parse(AssessmentIn, data)
    log.lock(session)
    rnd, seat, responsible, version, body = _prepare(session, principal, round_id, spec)
    key, sig = seal(session, seat=seat, body=body, keystore=keystore, key_id=key_id,
                    signature=signature)
    previous = session.scalar(select(Assessment).where(
        Assessment.round_id == rnd.id, Assessment.guarantor_id == seat,
        Assessment.is_current.is_(True)))
    if previous is not None:
        previous.is_current = False
    row = Assessment(round_id=rnd.id, guarantor_id=seat, version=version, is_current=True,
                     finding=spec.finding.value,
                     responsible_actor_id=responsible.id if responsible else None,
                     confidence=spec.confidence.value, reasons=spec.reasons,
                     filed_by=principal.actor, signed_body=body.decode(), key_id=key,
                     signature=sig)
    if now is not None:
        row.filed_at = now
    session.add(row)
    session.flush()
    session.refresh(rnd, ["assessments"])
    log.append(session, kind="assessment.filed", subject=f"incident:{rnd.incident_id}",
               actor=principal.actor,
               payload={"round_id": rnd.id, "assessment_id": row.id, "signed_body": row.signed_body,
                        "key_id": key, "signature": sig})
    decide_round(session, rnd, actor=principal.actor, final=False, now=now)
    return row


def assessment_body(session: Session, *, principal: Principal, round_id: int,
                    data: AssessmentIn | dict[str, Any]) -> bytes:
    """The exact bytes the caller's seat must sign to file ``data`` now (for client signing)."""
    spec = parse(AssessmentIn, data)
    return _prepare(session, principal, round_id, spec)[4]


def _prepare(session: Session, principal: Principal, round_id: int,
             spec: AssessmentIn) -> tuple[ReviewRound, int, Actor | None, int, bytes]:
    rnd = get_round(session, round_id)
    seat = seat_of(principal, Action.ASSESSMENT_FILE, seats=rnd.guarantor_ids,
                   what=f"review round {rnd.id}")
    if rnd.status != "open":
        raise Conflict(f"review round {rnd.id} is {rnd.status}: assessments are filed while a "
                       "round is open (new evidence opens a new round)", field="round")
    responsible = _responsible(session, rnd, spec)
    version = 1 + (session.scalar(select(func.max(Assessment.version)).where(
        Assessment.round_id == rnd.id, Assessment.guarantor_id == seat)) or 0)
    names = slugs(session, [seat])
    body = body_bytes(ASSESSMENT, {
        "incident": rnd.incident_id,
        "round": rnd.number,
        "guarantor": names[seat],
        "version": version,
        "finding": spec.finding.value,
        "responsible": responsible.slug if responsible else None,
        "confidence": spec.confidence.value,
        "reasons": spec.reasons,
    })
    return rnd, seat, responsible, version, body


def _responsible(session: Session, rnd: ReviewRound, spec: AssessmentIn) -> Actor | None:
    """The party held responsible; for a violation it must be bound by the truce."""
    if spec.responsible is None:
        return None
    actor = find_actor(session, spec.responsible, field="responsible",
                       kind=ActorKind.ORGANISATION)
    if spec.finding is Finding.VIOLATION:
        truce = _truce_of_round(session, rnd)
        role = next((p.role for p in truce.participants if p.actor_id == actor.id), None)
        if role not in ("party", "guarantor"):
            why = ("is excluded from the truce: violence by an excluded group is not a violation "
                   "of it" if role == "excluded" else "is not bound by the truce")
            raise InvalidInput(f"{actor.slug} {why}", field="responsible")
    return actor


def _truce_of_round(session: Session, rnd: ReviewRound) -> Truce:
    incident = session.get(Incident, rnd.incident_id)
    assert incident is not None
    return truce_of(session, incident)
