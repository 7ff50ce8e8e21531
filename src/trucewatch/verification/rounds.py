"""Review rounds: open one on an incident, close it after its deadline, find overdue ones, read."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trucewatch.auth.policy import Action, allowed, require
from trucewatch.auth.principal import Principal, Role
from trucewatch.errors import Conflict, InvalidInput, PermissionDenied, TrucewatchError
from trucewatch.incidents.service import change_status, get_incident, link_report
from trucewatch.keys.signing import Keystore
from trucewatch.log import service as log
from trucewatch.storage.base import utcnow
from trucewatch.validation import parse
from trucewatch.verification.decisions import check_round, decide_round, get_round, sign_decision
from trucewatch.verification.models import ReviewRound
from trucewatch.verification.schemas import RoundIn
from trucewatch.verification.seats import guarantor_ids, iso, seat_of, slugs, truce_of
from trucewatch.verification.signatures import holds_key

DEFAULT_DAYS = 7


def open_round(session: Session, *, principal: Principal, data: RoundIn | dict[str, Any],
               now: datetime | None = None) -> ReviewRound:
    """Open the next review round on an incident and put the incident under review.

    The seats and the rule are the truce's as they stand now, fixed for the round. Reopening
    a decided incident needs a reason (the new evidence); ``new_reports`` are linked to it.
    """
    spec = parse(RoundIn, data)
    now = now or utcnow()
    log.lock(session)
    incident = get_incident(session, spec.incident)
    truce = truce_of(session, incident)
    seats = guarantor_ids(truce)
    seat_of(principal, Action.ROUND_OPEN, seats=seats, what=f"truce {truce.slug}")
    rounds = list(session.scalars(select(ReviewRound).where(
        ReviewRound.incident_id == incident.id).order_by(ReviewRound.number)))
    if any(r.status == "open" for r in rounds):
        raise Conflict(f"incident {incident.id} has an open review round already", field="incident")
    if any(r.status == "decided" for r in rounds) and not spec.reason.strip():
        raise InvalidInput("incident was decided: say what new evidence reopens it",
                           field="reason")
    deadline = _deadline(spec, now)
    number = len(rounds) + 1
    if incident.status != "under_review":  # under review without a round: set by hand earlier
        change_status(session, incident_id=incident.id, status="under_review",
                      actor=principal.actor, reason=f"review round {number} opened")
    for i, report_id in enumerate(spec.new_reports):
        try:
            link_report(session, incident_id=incident.id, report_id=report_id,
                        actor=principal.actor, reason=f"new evidence for review round {number}")
        except TrucewatchError as exc:
            raise type(exc)(exc.message, field=f"new_reports.{i}") from None
    k = len(seats) if truce.rule_kind == "unanimity" else int(truce.rule_k or len(seats))
    rnd = ReviewRound(incident_id=incident.id, number=number, status="open", opened_at=now,
                      opened_by=principal.actor, deadline=deadline, reason=spec.reason,
                      rule_kind=truce.rule_kind, rule_k=k, guarantor_ids=seats)
    session.add(rnd)
    session.flush()
    names = slugs(session, seats)
    log.append(session, kind="round.opened", subject=f"incident:{incident.id}",
               actor=principal.actor,
               payload={"round_id": rnd.id, "incident": incident.id, "round": number,
                        "deadline": iso(deadline), "reason": spec.reason,
                        "rule": {"kind": rnd.rule_kind, "k": k, "n": len(seats)},
                        "seats": [names[s] for s in seats], "new_reports": spec.new_reports})
    return rnd


def _deadline(spec: RoundIn, now: datetime) -> datetime:
    if spec.deadline is not None and spec.days is not None:
        raise InvalidInput("give a deadline or a number of days, not both", field="deadline")
    deadline = spec.deadline or now + timedelta(days=spec.days or DEFAULT_DAYS)
    if deadline <= now:
        raise InvalidInput("the deadline must be in the future", field="deadline")
    return deadline


def close_round(session: Session, *, principal: Principal, round_id: int,
                now: datetime | None = None, keystore: Keystore | None = None) -> ReviewRound:
    """Close a round past its deadline: the rule decides on what was filed (missing seats are
    absent and count for neither side). A closing guarantor whose key is in ``keystore``
    signs the decision."""
    now = now or utcnow()
    require(principal, Action.ROUND_CLOSE)
    log.lock(session)
    rnd = get_round(session, round_id)
    if not principal.has(Role.COORDINATOR):
        seat_of(principal, Action.ROUND_CLOSE, seats=rnd.guarantor_ids,
                what=f"review round {rnd.id}")
    if rnd.status != "open":
        raise Conflict(f"review round {rnd.id} is {rnd.status} already", field="round")
    if now < rnd.deadline:
        raise Conflict(f"review round {rnd.id} runs until {iso(rnd.deadline)}; before then it is "
                       "decided when every guarantor has assessed", field="deadline")
    decide_round(session, rnd, actor=principal.actor, final=True, closed_by=principal.actor,
                 now=now)
    seat = principal.organisation_id
    if keystore is not None and seat in rnd.guarantor_ids and holds_key(session, keystore, seat):
        sign_decision(session, principal=principal, round_id=rnd.id, keystore=keystore)
    return rnd


def overdue_rounds(session: Session, *, now: datetime | None = None) -> list[ReviewRound]:
    """Open rounds past their deadline: the coordinator's list of incidents to chase."""
    now = now or utcnow()
    return list(session.scalars(select(ReviewRound).where(
        ReviewRound.status == "open", ReviewRound.deadline < now).order_by(ReviewRound.deadline)))


def rounds_of_incident(session: Session, *, principal: Principal,
                       incident_id: int) -> list[ReviewRound]:
    """The rounds a caller may read: all of them for guarantors and the coordinator's office;
    for anyone else, only rounds decided by the time the incident was published."""
    incident = get_incident(session, incident_id)
    query = select(ReviewRound).where(ReviewRound.incident_id == incident_id)
    if not allowed(principal, Action.INCIDENT_READ_UNPUBLISHED):
        if incident.published_at is None:
            raise PermissionDenied(f"incident {incident_id} is not published", field="incident")
        query = query.where(ReviewRound.decided_at <= incident.published_at)
    return list(session.scalars(query.order_by(ReviewRound.number)))


def read_round(session: Session, *, principal: Principal, round_id: int) -> ReviewRound:
    """One round, if the caller may read it (see :func:`rounds_of_incident`)."""
    rnd = get_round(session, round_id)
    if rnd not in rounds_of_incident(session, principal=principal, incident_id=rnd.incident_id):
        raise PermissionDenied(f"review round {round_id} is not published", field="round")
    return rnd


def latest_round(session: Session, incident_id: int) -> ReviewRound | None:
    return session.scalar(select(ReviewRound).where(ReviewRound.incident_id == incident_id)
                          .order_by(ReviewRound.number.desc()).limit(1))


def round_view(session: Session, rnd: ReviewRound, *, now: datetime | None = None,
               history: bool = True) -> dict[str, Any]:
    now = now or utcnow()
    names = slugs(session, [*rnd.guarantor_ids, rnd.responsible_actor_id,
                            *(a.responsible_actor_id for a in rnd.assessments)])
    decision = json.loads(rnd.decision_body) if rnd.decision_body else None
    problems = check_round(session, rnd)
    return {
        "id": rnd.id,
        "incident": rnd.incident_id,
        "number": rnd.number,
        "status": rnd.status,
        "opened_at": iso(rnd.opened_at),
        "opened_by": rnd.opened_by,
        "deadline": iso(rnd.deadline),
        "overdue": rnd.status == "open" and rnd.deadline < now,
        "reason": rnd.reason,
        "rule": {"kind": rnd.rule_kind, "k": rnd.rule_k, "n": len(rnd.guarantor_ids)},
        "seats": [names[s] for s in rnd.guarantor_ids],
        "assessments": [
            {"id": a.id, "guarantor": names[a.guarantor_id], "version": a.version,
             "current": a.is_current, "finding": a.finding,
             "responsible": names.get(a.responsible_actor_id or 0),
             "confidence": a.confidence, "reasons": a.reasons, "filed_by": a.filed_by,
             "filed_at": iso(a.filed_at), "key_id": a.key_id, "signature": a.signature,
             "signed_body": a.signed_body}
            for a in rnd.assessments if history or a.is_current
        ],
        "decision": decision,
        "closed_by": rnd.closed_by,
        "decision_signatures": [
            {"guarantor": names[s.guarantor_id], "signed_by": s.signed_by,
             "signed_at": iso(s.signed_at), "key_id": s.key_id, "signature": s.signature}
            for s in rnd.decision_signatures
        ],
        "signatures_verified": not problems,
        "problems": problems,
    }
