"""Deciding a round by the rule, the signed decision body, and checking a round's signatures."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trucewatch.auth.policy import Action
from trucewatch.auth.principal import Principal
from trucewatch.errors import Conflict, NotFound
from trucewatch.incidents.service import change_status
from trucewatch.keys.signing import Keystore
from trucewatch.log import service as log
from trucewatch.storage.base import utcnow
from trucewatch.verification import rules
from trucewatch.verification.models import Assessment, DecisionSignature, ReviewRound
from trucewatch.verification.schemas import Confidence, Finding
from trucewatch.verification.seats import iso, seat_of, slugs
from trucewatch.verification.signatures import DECISION, body_bytes, seal, signature_holds
from trucewatch.verification.workflow import ROUND


def get_round(session: Session, round_id: int) -> ReviewRound:
    rnd = session.get(ReviewRound, round_id)
    if rnd is None:
        raise NotFound(f"no review round {round_id}", field="round")
    return rnd


def current_assessments(session: Session, rnd: ReviewRound) -> dict[int, Assessment]:
    rows = session.scalars(select(Assessment).where(Assessment.round_id == rnd.id,
                                                    Assessment.is_current.is_(True)))
    return {a.guarantor_id: a for a in rows}


def positions_of(current: dict[int, Assessment]) -> dict[int, rules.Position]:
    return {seat: rules.Position(Finding(a.finding), a.responsible_actor_id,
                                 Confidence(a.confidence)) for seat, a in current.items()}


def decide_round(session: Session, rnd: ReviewRound, *, actor: str, final: bool,
                 closed_by: str | None = None, now: datetime | None = None) -> bool:
    """Apply the rule; when it decides, record the decision and move the incident. Decided?"""
    current = current_assessments(session, rnd)
    outcome = rules.decide(seats=rnd.guarantor_ids, k=rnd.rule_k, positions=positions_of(current),
                           final=final)
    if outcome is None:
        return False
    ROUND.check(rnd.status, "decided")
    rnd.status = "decided"
    rnd.decision = outcome.decision.value
    rnd.decided_at = now or utcnow()
    rnd.responsible_actor_id = outcome.responsible
    rnd.closed_by = closed_by
    body = decision_body(session, rnd, outcome, current)
    rnd.decision_body = body.decode()
    session.flush()
    change_status(session, incident_id=rnd.incident_id, status=outcome.decision.value,
                  actor=actor, reason=f"review round {rnd.number} decided", by_round=True)
    log.append(session, kind="round.decided", subject=f"incident:{rnd.incident_id}", actor=actor,
               payload={"round_id": rnd.id, **json.loads(body)})
    return True


def decision_body(session: Session, rnd: ReviewRound, outcome: rules.Outcome,
                  current: dict[int, Assessment]) -> bytes:
    """The canonical record of the decision that each guarantor signs, dissents included."""
    names = slugs(session, [*rnd.guarantor_ids, outcome.responsible,
                            *(a.responsible_actor_id for a in current.values())])

    def position(seat: int) -> dict[str, Any]:
        a = current.get(seat)
        if a is None:
            return {"guarantor": names[seat], "assessed": False}
        return {"guarantor": names[seat], "assessed": True, "version": a.version,
                "finding": a.finding, "confidence": a.confidence,
                "responsible": names.get(a.responsible_actor_id or 0),
                "key_id": a.key_id, "signature": a.signature}

    return body_bytes(DECISION, {
        "incident": rnd.incident_id,
        "round": rnd.number,
        "rule": {"kind": rnd.rule_kind, "k": rnd.rule_k, "n": len(rnd.guarantor_ids)},
        "decision": outcome.decision.value,
        "responsible": names.get(outcome.responsible or 0),
        "confidence": outcome.confidence.value if outcome.confidence else None,
        "basis": "closed_after_deadline" if rnd.closed_by else "all_assessed",
        "decided_at": iso(rnd.decided_at),
        "positions": [position(s) for s in rnd.guarantor_ids],
        "dissents": [{"guarantor": names[d.seat], "kind": d.kind, "finding": d.position.finding.value,
                      "responsible": names.get(d.position.responsible or 0)}
                     for d in outcome.dissents],
        "absent": [names[s] for s in outcome.absent],
    })


def sign_decision(session: Session, *, principal: Principal, round_id: int,
                  keystore: Keystore | None = None, key_id: str | None = None,
                  signature: str | None = None) -> DecisionSignature:
    """A guarantor signs the decision record of a round (dissenting seats too: it attests the
    record, dissents and all, not agreement with the outcome)."""
    log.lock(session)
    rnd = get_round(session, round_id)
    seat = seat_of(principal, Action.ASSESSMENT_FILE, seats=rnd.guarantor_ids,
                   what=f"review round {rnd.id}")
    if rnd.decision_body is None:
        raise Conflict(f"review round {rnd.id} is not decided yet", field="round")
    if any(s.guarantor_id == seat for s in rnd.decision_signatures):
        raise Conflict(f"{principal.organisation_slug} has signed this decision already",
                       field="round")
    key, sig = seal(session, seat=seat, body=rnd.decision_body.encode(), keystore=keystore,
                    key_id=key_id, signature=signature)
    row = DecisionSignature(round_id=rnd.id, guarantor_id=seat, signed_by=principal.actor,
                            key_id=key, signature=sig)
    session.add(row)
    session.flush()
    session.refresh(rnd, ["decision_signatures"])
    log.append(session, kind="decision.signed", subject=f"incident:{rnd.incident_id}",
               actor=principal.actor,
               payload={"round_id": rnd.id, "round": rnd.number, "incident": rnd.incident_id,
                        "guarantor": principal.organisation_slug, "key_id": key,
                        "signature": sig})
    return row


def check_round(session: Session, rnd: ReviewRound) -> list[str]:
    """Re-verify every signature of a round and re-apply the rule; return what fails."""
    problems: list[str] = []
    names = slugs(session, rnd.guarantor_ids)
    for a in rnd.assessments:
        signed = json.loads(a.signed_body)
        if not signature_holds(session, seat=a.guarantor_id, body=a.signed_body,
                               key_id=a.key_id, signature=a.signature):
            problems.append(f"assessment {a.id}: the signature does not verify")
        if (signed.get("finding"), signed.get("confidence"), signed.get("version"),
                signed.get("guarantor")) != (a.finding, a.confidence, a.version,
                                             names.get(a.guarantor_id)):
            problems.append(f"assessment {a.id}: the stored columns differ from the signed body")
    if rnd.decision_body is not None:
        outcome = rules.decide(seats=rnd.guarantor_ids, k=rnd.rule_k,
                               positions=positions_of(current_assessments(session, rnd)),
                               final=True)
        if outcome is None or outcome.decision.value != rnd.decision:
            problems.append("the rule applied to the current assessments gives another decision")
        elif json.loads(rnd.decision_body).get("decision") != rnd.decision:
            problems.append("the decision body says another decision")
        for s in rnd.decision_signatures:
            if not signature_holds(session, seat=s.guarantor_id, body=rnd.decision_body,
                                   key_id=s.key_id, signature=s.signature):
                problems.append(f"decision signature of {names.get(s.guarantor_id)} does not "
                                "verify")
    return problems
