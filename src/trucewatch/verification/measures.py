"""Measures against the party responsible for a confirmed violation, agreed by signed votes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trucewatch.actors.enums import ActorKind
from trucewatch.actors.service import find_actor
from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal
from trucewatch.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from trucewatch.incidents.service import get_incident
from trucewatch.keys.signing import Keystore
from trucewatch.log import service as log
from trucewatch.validation import parse
from trucewatch.verification.models import Measure, MeasureStatusChange, MeasureVote, ReviewRound
from trucewatch.verification.schemas import MeasureIn, Vote
from trucewatch.verification.seats import iso, seat_of, slugs
from trucewatch.verification.signatures import MEASURE_VOTE, body_bytes, seal
from trucewatch.verification.workflow import MEASURE, MEASURE_BY_VOTE


def propose_measure(session: Session, *, principal: Principal,
                    data: MeasureIn | dict[str, Any]) -> Measure:
    """Propose a demarche, warning or sanction after the incident's latest round confirmed a
    violation and attributed it; it takes the seats and rule of that decision."""
    spec = parse(MeasureIn, data)
    log.lock(session)
    incident = get_incident(session, spec.incident)
    rnd = session.scalar(select(ReviewRound).where(ReviewRound.incident_id == incident.id)
                         .order_by(ReviewRound.number.desc()).limit(1))
    if rnd is None or rnd.decision != "confirmed":
        raise Conflict(f"incident {incident.id} has no confirmed violation (its latest round is "
                       f"{'missing' if rnd is None else rnd.decision or 'open'})", field="incident")
    seat_of(principal, Action.MEASURE_PROPOSE, seats=rnd.guarantor_ids,
            what=f"review round {rnd.id}")
    if rnd.responsible_actor_id is None:
        raise Conflict("the violation could not be attributed: there is no party to take "
                       "measures against", field="incident")
    if spec.against is not None:
        named = find_actor(session, spec.against, field="against", kind=ActorKind.ORGANISATION)
        if named.id != rnd.responsible_actor_id:
            held = slugs(session, [rnd.responsible_actor_id])[rnd.responsible_actor_id]
            raise InvalidInput(f"the decision holds {held} responsible, not {named.slug}",
                               field="against")
    row = Measure(incident_id=incident.id, round_id=rnd.id,
                  against_actor_id=rnd.responsible_actor_id, kind=spec.kind.value,
                  description=spec.description, status="proposed", proposed_by=principal.actor,
                  rule_kind=rnd.rule_kind, rule_k=rnd.rule_k, guarantor_ids=list(rnd.guarantor_ids))
    session.add(row)
    session.flush()
    log.append(session, kind="measure.proposed", subject=f"incident:{incident.id}",
               actor=principal.actor, payload=measure_view(session, row, history=False))
    return row


def get_measure(session: Session, measure_id: int) -> Measure:
    row = session.get(Measure, measure_id)
    if row is None:
        raise NotFound(f"no measure {measure_id}", field="measure")
    return row


def read_measure(session: Session, *, principal: Principal, measure_id: int) -> Measure:
    """Measures are followed by the guarantors and the coordinator's office."""
    require(principal, Action.INCIDENT_READ_UNPUBLISHED)
    return get_measure(session, measure_id)


def vote_on_measure(session: Session, *, principal: Principal, measure_id: int, vote: Vote | str,
                    keystore: Keystore | None = None, key_id: str | None = None,
                    signature: str | None = None) -> MeasureVote:
    """Cast (or change) the seat's signed vote; the rule then agrees or drops the measure."""
    log.lock(session)
    measure, seat, body = _prepare_vote(session, principal, measure_id, vote)
    key, sig = seal(session, seat=seat, body=body, keystore=keystore, key_id=key_id,
                    signature=signature)
    for previous in _votes(session, measure.id, seat=seat, current=True):
        previous.is_current = False
    row = MeasureVote(measure_id=measure.id, guarantor_id=seat, vote=Vote(vote).value,
                      is_current=True, cast_by=principal.actor, signed_body=body.decode(),
                      key_id=key, signature=sig)
    session.add(row)
    session.flush()
    log.append(session, kind="measure.vote_cast", subject=f"incident:{measure.incident_id}",
               actor=principal.actor,
               payload={"measure": measure.id, "signed_body": row.signed_body, "key_id": key,
                        "signature": sig})
    agree, _disagree = _tally(session, measure)
    if agree >= measure.rule_k:
        _move(session, measure, "agreed", actor=principal.actor,
              reason=f"{agree} of {len(measure.guarantor_ids)} guarantors agreed "
                     f"(the rule needs {measure.rule_k})")
    return row


def measure_vote_body(session: Session, *, principal: Principal, measure_id: int,
                      vote: Vote | str) -> bytes:
    """The exact bytes the caller's seat must sign to cast ``vote`` now (for client signing)."""
    return _prepare_vote(session, principal, measure_id, vote)[2]


def _prepare_vote(session: Session, principal: Principal, measure_id: int,
                  vote: Vote | str) -> tuple[Measure, int, bytes]:
    try:
        vote = Vote(vote)
    except ValueError:
        raise InvalidInput(f"{vote!r} is not a vote (agree or disagree)", field="vote") from None
    measure = get_measure(session, measure_id)
    seat = seat_of(principal, Action.MEASURE_VOTE, seats=measure.guarantor_ids,
                   what=f"measure {measure.id}")
    if measure.status != "proposed":
        raise Conflict(f"measure {measure.id} is {measure.status}: votes are cast while it is "
                       "proposed", field="measure")
    version = 1 + int(session.scalar(select(func.count()).select_from(MeasureVote).where(
        MeasureVote.measure_id == measure.id, MeasureVote.guarantor_id == seat)) or 0)
    names = slugs(session, [seat, measure.against_actor_id])
    body = body_bytes(MEASURE_VOTE, {
        "measure": measure.id, "incident": measure.incident_id,
        "against": names[measure.against_actor_id], "kind": measure.kind,
        "description": measure.description, "guarantor": names[seat], "version": version,
        "vote": vote.value,
    })
    return measure, seat, body


def change_measure_status(session: Session, *, principal: Principal, measure_id: int,
                          status: str, reason: str) -> Measure:
    """Record that an agreed measure was carried out or dropped, or drop a proposal that its
    current votes can no longer carry; always with the reason."""
    if not reason.strip():
        raise InvalidInput("say why", field="reason")
    log.lock(session)
    measure = get_measure(session, measure_id)
    session.refresh(measure)
    seat_of(principal, Action.MEASURE_PROPOSE, seats=measure.guarantor_ids,
            what=f"measure {measure.id}")
    if (measure.status, status) in MEASURE_BY_VOTE:
        raise InvalidTransition(f"a proposed measure becomes {status} by the guarantors' votes",
                                field="status")
    if (measure.status, status) == ("proposed", "dropped"):
        agree, disagree = _tally(session, measure)
        n = len(measure.guarantor_ids)
        if disagree <= n - measure.rule_k:
            raise Conflict(f"{disagree} of {n} guarantors disagree: the proposal can still reach "
                           f"{measure.rule_k}; it is dropped once it cannot", field="status")
    _move(session, measure, status, actor=principal.actor, reason=reason)
    return measure


def _move(session: Session, measure: Measure, status: str, *, actor: str, reason: str) -> None:
    MEASURE.check(measure.status, status)
    session.add(MeasureStatusChange(measure_id=measure.id, from_status=measure.status,
                                    to_status=status, changed_by=actor, reason=reason))
    previous, measure.status = measure.status, status
    session.flush()
    log.append(session, kind="measure.status_changed", subject=f"incident:{measure.incident_id}",
               actor=actor, payload={"measure": measure.id, "from": previous, "to": status,
                                     "reason": reason})


def _votes(session: Session, measure_id: int, *, seat: int | None = None,
           current: bool = False) -> list[MeasureVote]:
    query = select(MeasureVote).where(MeasureVote.measure_id == measure_id)
    if seat is not None:
        query = query.where(MeasureVote.guarantor_id == seat)
    if current:
        query = query.where(MeasureVote.is_current.is_(True))
    return list(session.scalars(query.order_by(MeasureVote.id)))


def _tally(session: Session, measure: Measure) -> tuple[int, int]:
    votes = [v.vote for v in _votes(session, measure.id, current=True)]
    return votes.count("agree"), votes.count("disagree")


def measures_of(session: Session, incident_id: int) -> list[Measure]:
    return list(session.scalars(select(Measure).where(Measure.incident_id == incident_id)
                                .order_by(Measure.id)))


def measure_view(session: Session, row: Measure, *, history: bool = True) -> dict[str, Any]:
    votes = _votes(session, row.id) if history else []
    names = slugs(session, [*row.guarantor_ids, row.against_actor_id])
    view: dict[str, Any] = {
        "id": row.id, "incident": row.incident_id, "round": row.round_id,
        "against": names[row.against_actor_id], "kind": row.kind,
        "description": row.description, "status": row.status, "proposed_by": row.proposed_by,
        "proposed_at": iso(row.proposed_at),
        "rule": {"kind": row.rule_kind, "k": row.rule_k, "n": len(row.guarantor_ids)},
        "seats": [names[s] for s in row.guarantor_ids],
    }
    if history:
        view["votes"] = [{"guarantor": names[v.guarantor_id], "vote": v.vote,
                          "current": v.is_current, "cast_by": v.cast_by, "cast_at": iso(v.cast_at),
                          "key_id": v.key_id, "signature": v.signature} for v in votes]
        changes = session.scalars(select(MeasureStatusChange).where(
            MeasureStatusChange.measure_id == row.id).order_by(MeasureStatusChange.id))
        view["status_history"] = [{"from": c.from_status, "to": c.to_status, "by": c.changed_by,
                                   "at": iso(c.changed_at), "reason": c.reason} for c in changes]
    return view
