"""Accepting a proposal makes the record through the same domain functions as manual entry
(actors, affiliations, talks invitations and replies, reports), citing the source text's
SHA-256; rejecting keeps the proposal with the reason. Both are logged."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trucewatch.actors.service import affiliate, create_actor
from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal
from trucewatch.errors import Conflict, InvalidInput
from trucewatch.ingest.models import Proposal
from trucewatch.ingest.service import get_proposal
from trucewatch.log import service as log
from trucewatch.reports.service import file_report
from trucewatch.storage.base import utcnow
from trucewatch.talks.service import invite, reply


def cite(row: Proposal) -> str:
    return f"sha256:{row.text.sha256} ({row.text.source})"


def accept_proposal(session: Session, *, principal: Principal, proposal_id: int,
                    meeting: str | None = None, invitation: int | None = None,
                    organisation: str | None = None, truce: str | None = None) -> Proposal:
    """Make the record a pending proposal proposes. Invitations need the ``meeting`` they are
    to; replies find their invitation among accepted proposals or take ``invitation``;
    reports are filed for ``organisation`` (in ``truce``)."""
    require(principal, Action.PROPOSAL_DECIDE)
    log.lock(session)
    row = _pending(session, proposal_id, principal)
    make = {"actor": _actor, "affiliation": _affiliation, "invitation": _invitation,
            "reply": _reply, "report": _report, "event": _event}[row.kind]
    record = make(session, row, principal, {"meeting": meeting, "invitation": invitation,
                                            "organisation": organisation, "truce": truce})
    _decide(session, row, principal, "accepted", record=record)
    return row


def reject_proposal(session: Session, *, principal: Principal, proposal_id: int,
                    reason: str = "") -> Proposal:
    require(principal, Action.PROPOSAL_DECIDE)
    log.lock(session)
    row = _pending(session, proposal_id, principal)
    _decide(session, row, principal, "rejected", reason=reason)
    return row


def _pending(session: Session, proposal_id: int, principal: Principal) -> Proposal:
    row = get_proposal(session, proposal_id, principal=principal)
    if row.status != "pending":
        raise Conflict(f"proposal {row.id} is {row.status} already", field="proposal")
    return row


def _decide(session: Session, row: Proposal, principal: Principal, status: str, *,
            record: str = "", reason: str = "") -> None:
    row.status, row.record, row.reason = status, record, reason
    row.decided_by, row.decided_at = principal.actor, utcnow()
    session.flush()
    payload = {"proposal": row.id, "kind": row.kind, "key": row.key,
               "source_sha256": row.text.sha256, "source": row.text.source,
               "sentence": row.sentence, "start": row.evidence_start, "end": row.evidence_end,
               "record": record, "reason": reason}
    subject = f"text:{row.text.sha256}"
    if status == "accepted":
        log.append(session, kind="proposal.accepted", subject=subject, actor=principal.actor,
                   payload=payload)
    else:
        log.append(session, kind="proposal.rejected", subject=subject, actor=principal.actor,
                   payload=payload)


def _ref(value: dict[str, Any] | None, field: str) -> str | None:
    if value is None:
        return None
    if not value.get("actor"):
        raise InvalidInput(f"'{value.get('text')}' names no actor: accept or add the actor "
                           "first", field=field)
    return str(value["actor"])


def _actor(session: Session, row: Proposal, principal: Principal, _: dict[str, Any]) -> str:
    p = row.payload
    created = create_actor(session, data={
        "slug": p["slug"], "kind": p["kind"], "organisation_type": p["organisation_type"],
        "country": p["country"], "names": p["names"],
        "description": f"Proposed from {cite(row)}: \"{row.sentence[:300]}\""},
        actor=principal.actor, principal=principal)
    return f"actor:{created.slug}"


def _affiliation(session: Session, row: Proposal, principal: Principal,
                 _: dict[str, Any]) -> str:
    p = row.payload
    if not p.get("organisation"):
        raise InvalidInput("the text names no organisation for this role", field="organisation")
    made = affiliate(session, data={"person": p["person"], "organisation": p["organisation"],
                                    "role": p["role"], "valid_from": row.text.published,
                                    "source": f"{cite(row)}: \"{row.sentence[:500]}\""},
                     actor=principal.actor, principal=principal)
    return f"affiliation:{made.id}"


def _invitation(session: Session, row: Proposal, principal: Principal,
                given: dict[str, Any]) -> str:
    if not given["meeting"]:
        raise InvalidInput(f"say which meeting these are ({row.payload['meeting']['description']})"
                           ": record it with trucewatch talks add first", field="meeting")
    p = row.payload
    data: dict[str, Any] = {"capacity": p["capacity"], "source": cite(row),
                            "quote": row.sentence[:5000],
                            "sent_by": _ref(p["sent_by"], "sent_by") if p["sent_by"] else None}
    if p["capacity"] == "class":
        data["class_description"] = p["class_description"]
        data["class_member_of"] = _ref(p["class_member_of"], "class_member_of")
    else:
        data["invitee"] = _ref(p["invitee"], "invitee")
        if p["capacity"] == "representative":
            data["represents"] = _ref(p["represents"], "represents")
    made = invite(session, principal=principal, meeting=given["meeting"], data=data)
    return f"invitation:{made.id}"


def _reply(session: Session, row: Proposal, principal: Principal, given: dict[str, Any]) -> str:
    p = row.payload
    invitation_id = given["invitation"]
    if invitation_id is None and p.get("invitation"):
        accepted = session.scalar(select(Proposal).where(
            Proposal.text_id == row.text_id, Proposal.key == p["invitation"],
            Proposal.status == "accepted"))
        if accepted is not None and accepted.record.startswith("invitation:"):
            invitation_id = int(accepted.record.split(":")[1])
    if invitation_id is None:
        raise InvalidInput("accept the invitation this reply answers first, or name it",
                           field="invitation")
    made = reply(session, principal=principal, invitation_id=invitation_id, data={
        "status": p["status"], "replied_on": p["replied_on"],
        "replied_by": _ref(p["replied_by"], "replied_by"),
        "reported_by": _ref(p["reported_by"], "reported_by") if p["reported_by"] else None,
        "source": cite(row), "quote": row.sentence[:5000]})
    return f"reply:{made.id}"


def _report(session: Session, row: Proposal, principal: Principal, given: dict[str, Any]) -> str:
    if not given["organisation"]:
        raise InvalidInput("say which organisation files this report", field="organisation")
    p = row.payload
    dates = [d for d in p["dates"] if d.get("from")]
    places = [x for x in p["places"] if x.get("place")]
    if not dates:
        raise InvalidInput("the text gives no date for this event", field="occurred")
    if not places:
        raise InvalidInput("the text gives no place for this event", field="place_name")
    place = places[0]["place"]
    alleged = next((s.get("actor") for s in p["sources"] if s.get("actor")), None)
    affected = next((t.get("actor") for t in p["targets"] if t.get("actor")), None)
    filed = file_report(session, data={
        "truce": given["truce"], "source_kind": "media", "source_description": cite(row),
        "occurred": dates[0]["from"],
        "time_precision": {"day": "day", "week": "week", "month": "month"}.get(
            dates[0]["precision"], "month"),
        "place_name": place["name"], "latitude": place["lat"], "longitude": place["lon"],
        "geo_precision": "near", "category": p["category"], "alleged_actor": alleged,
        "affected_actor": affected, "narrative": row.sentence,
        "idempotency_key": f"proposal-{row.text.sha256[:16]}-{row.id}"},
        organisation=given["organisation"], actor=principal.actor, principal=principal)
    return f"report:{filed.id}"


def _event(session: Session, row: Proposal, principal: Principal, _: dict[str, Any]) -> str:
    # An event that is none of the records above (a statement, talks ending, an agreement)
    # is kept as the accepted proposal itself, with its evidence, in the log.
    return f"event:{row.id}"
