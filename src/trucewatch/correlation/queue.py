"""The queue of candidate links an officer confirms or rejects, and splitting an incident."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal
from trucewatch.correlation.linking import join
from trucewatch.correlation.models import CandidateLink
from trucewatch.errors import Conflict, InvalidInput, NotFound
from trucewatch.incidents.models import Incident
from trucewatch.incidents.service import create_incident, get_incident, unlink_report
from trucewatch.log import service as log
from trucewatch.storage.base import utcnow

STATUSES = ("pending", "confirmed", "rejected", "linked")


def _review(principal: Principal | None) -> None:
    if principal is not None:
        require(principal, Action.CORRELATION_REVIEW)


def list_candidates(session: Session, *, status: str = "pending", after_id: int = 0,
                    limit: int = 100, principal: Principal | None = None) -> list[CandidateLink]:
    """Candidate links of one status, strongest first within id pages."""
    _review(principal)
    if status not in STATUSES:
        raise InvalidInput(f"{status!r} is not a status ({', '.join(STATUSES)})", field="status")
    return list(session.scalars(select(CandidateLink).where(
        CandidateLink.status == status, CandidateLink.id > after_id)
        .order_by(CandidateLink.id).limit(limit)))


def _pending(session: Session, candidate_id: int) -> CandidateLink:
    log.lock(session)
    row = session.get(CandidateLink, candidate_id)
    if row is None:
        raise NotFound(f"no candidate link {candidate_id}", field="candidate")
    session.refresh(row)
    if row.status != "pending":
        raise Conflict(f"candidate link {candidate_id} is already {row.status}",
                       field="candidate")
    return row


def confirm_candidate(session: Session, *, candidate_id: int, actor: str, reason: str = "",
                      principal: Principal | None = None) -> CandidateLink:
    """An officer says the two reports are one event: they are joined in one incident."""
    _review(principal)
    row = _pending(session, candidate_id)
    why = reason or f"confirmed candidate link {row.id} (score {row.score:.3f})"
    incident = join(session, row.report_a_id, row.report_b_id, actor=actor, principal=principal,
                    reason=why, strict=True)
    return _decide(session, row, "confirmed", actor=actor, reason=reason, incident=incident)


def reject_candidate(session: Session, *, candidate_id: int, actor: str, reason: str,
                     principal: Principal | None = None) -> CandidateLink:
    """An officer says the two reports are different events; no later pass links them."""
    _review(principal)
    if not reason.strip():
        raise InvalidInput("say why the reports are not one event", field="reason")
    row = _pending(session, candidate_id)
    return _decide(session, row, "rejected", actor=actor, reason=reason, incident=None)


def _decide(session: Session, row: CandidateLink, status: str, *, actor: str, reason: str,
            incident: int | None) -> CandidateLink:
    row.status, row.decided_by, row.decided_at = status, actor, utcnow()
    row.decision_reason, row.incident_id = reason, incident
    session.flush()
    payload = {"candidate": row.id, "reports": [row.report_a_id, row.report_b_id],
               "reason": reason, "incident": incident}
    if status == "confirmed":
        log.append(session, kind="correlation.candidate_confirmed",
                   subject=f"candidate:{row.id}", actor=actor, payload=payload)
    else:
        log.append(session, kind="correlation.candidate_rejected",
                   subject=f"candidate:{row.id}", actor=actor, payload=payload)
    return row


def split_incident(session: Session, *, incident_id: int, report_ids: Sequence[int],
                   actor: str, reason: str, principal: Principal | None = None) -> Incident:
    """Move ``report_ids`` out of an incident into a new one: each unlink and the new
    incident are log entries of their own, and an ``incident.split`` entry ties them."""
    _review(principal)
    if not reason.strip():
        raise InvalidInput("say why the incident is split", field="reason")
    moving = list(dict.fromkeys(report_ids))
    if not moving:
        raise InvalidInput("name the reports to move", field="reports")
    incident = get_incident(session, incident_id)
    linked = {lk.report_id for lk in incident.active_links}
    for i, rid in enumerate(moving):
        if rid not in linked:
            raise InvalidInput(f"report {rid} is not in incident {incident_id}",
                               field=f"reports.{i}")
    if len(moving) == len(linked):
        raise InvalidInput("a split leaves at least one report behind", field="reports")
    for rid in moving:
        unlink_report(session, incident_id=incident_id, report_id=rid, actor=actor,
                      reason=f"split: {reason}", principal=principal)
    new = create_incident(session, data={"reports": moving, "reason": f"split: {reason}"},
                          actor=actor, principal=principal)
    log.append(session, kind="incident.split", subject=f"incident:{incident_id}", actor=actor,
               payload={"incident": incident_id, "into": new.id, "reports": moving,
                        "reason": reason})
    return new


def candidate_view(row: CandidateLink) -> dict[str, Any]:
    def iso(value: Any) -> str | None:
        return value.isoformat().replace("+00:00", "Z") if value else None

    return {"id": row.id, "reports": [row.report_a_id, row.report_b_id], "truce": row.truce_id,
            "score": row.score, "reasons": row.reasons, "status": row.status,
            "created_at": iso(row.created_at), "created_by": row.created_by,
            "decided_at": iso(row.decided_at), "decided_by": row.decided_by,
            "decision_reason": row.decision_reason, "incident": row.incident_id}
