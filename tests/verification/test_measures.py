"""Measures against a violator: proposed after a confirmed decision, agreed by signed votes."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session
from tests.verification.world import World, assessment

from trucewatch.errors import Conflict, InvalidInput, InvalidTransition, PermissionDenied
from trucewatch.keys.service import register_public_key
from trucewatch.keys.signing import b64, public_bytes, sign
from trucewatch.verification.service import (
    change_measure_status,
    file_assessment,
    measure_view,
    measure_vote_body,
    open_round,
    propose_measure,
    vote_on_measure,
)


def confirmed(session: Session, world: World, *, responsible: str | None = "p0") -> int:
    incident = world.incident(session)
    rnd = open_round(session, principal=world.officer(0), data={"incident": incident})
    party = world.parties[0] if responsible == "p0" else responsible
    for i in range(3):
        file_assessment(session, principal=world.officer(i), round_id=rnd.id,
                        keystore=world.keystore, data=assessment("violation", party))
    assert rnd.decision == "confirmed"
    return incident


def test_a_warning_agreed_unanimously_then_carried_out(session: Session, world: World) -> None:
    incident = confirmed(session, world)
    measure = propose_measure(session, principal=world.officer(1), data={
        "incident": incident, "kind": "warning",
        "description": "A written warning to the party's delegation."})
    assert (measure.status, measure.rule_k, measure.guarantor_ids) == (
        "proposed", 3, [world.officers[g].organisation_id for g in world.guarantors])
    vote_on_measure(session, principal=world.officer(0), measure_id=measure.id, vote="disagree",
                    keystore=world.keystore)
    vote_on_measure(session, principal=world.officer(0), measure_id=measure.id, vote="agree",
                    keystore=world.keystore)  # a change of mind adds a row
    vote_on_measure(session, principal=world.officer(1), measure_id=measure.id, vote="agree",
                    keystore=world.keystore)
    assert measure.status == "proposed"
    # The third guarantor signs on its own machine with a key the server never held.
    private = Ed25519PrivateKey.generate()
    key_id = register_public_key(session, organisation=world.guarantors[2],
                                 public_key=b64(public_bytes(private)), actor="test").key_id
    body = measure_vote_body(session, principal=world.officer(2), measure_id=measure.id,
                             vote="agree")
    assert json.loads(body)["type"] == "trucewatch/measure-vote/v1"
    vote_on_measure(session, principal=world.officer(2), measure_id=measure.id, vote="agree",
                    key_id=key_id, signature=sign(private, body))
    assert measure.status == "agreed"
    with pytest.raises(Conflict):
        vote_on_measure(session, principal=world.officer(2), measure_id=measure.id,
                        vote="disagree", keystore=world.keystore)
    change_measure_status(session, principal=world.officer(2), measure_id=measure.id,
                          status="carried_out", reason="Delivered in Astana on 16 February.")
    view = measure_view(session, measure)
    assert view["against"] == world.parties[0] and view["status"] == "carried_out"
    assert [(v["guarantor"], v["vote"], v["current"]) for v in view["votes"]] == [
        (world.guarantors[0], "disagree", False), (world.guarantors[0], "agree", True),
        (world.guarantors[1], "agree", True), (world.guarantors[2], "agree", True)]
    assert [(c["from"], c["to"]) for c in view["status_history"]] == [
        ("proposed", "agreed"), ("agreed", "carried_out")]


def test_a_sanction_is_dropped_only_once_the_rule_cannot_be_met(session: Session,
                                                                world: World) -> None:
    measure = propose_measure(session, principal=world.officer(0), data={
        "incident": confirmed(session, world), "kind": "sanction",
        "description": "Suspend the party from the next round of talks."})
    vote_on_measure(session, principal=world.officer(0), measure_id=measure.id, vote="agree",
                    keystore=world.keystore)
    with pytest.raises(Conflict) as err:
        change_measure_status(session, principal=world.officer(0), measure_id=measure.id,
                              status="dropped", reason="no hope")
    assert err.value.field == "status"
    vote_on_measure(session, principal=world.officer(1), measure_id=measure.id, vote="disagree",
                    keystore=world.keystore)
    assert measure.status == "proposed"  # a seat may still change its mind
    change_measure_status(session, principal=world.officer(0), measure_id=measure.id,
                          status="dropped", reason="Turkey will not agree to a suspension.")
    assert measure.status == "dropped"


def test_measures_need_a_confirmed_attributed_violation(session: Session, world: World) -> None:
    unattributed = confirmed(session, world, responsible=None)
    with pytest.raises(Conflict) as err:
        propose_measure(session, principal=world.officer(0), data={
            "incident": unattributed, "kind": "demarche", "description": "x"})
    assert "could not be attributed" in err.value.message
    undecided = world.incident(session)
    with pytest.raises(Conflict):
        propose_measure(session, principal=world.officer(0), data={
            "incident": undecided, "kind": "demarche", "description": "x"})
    incident = confirmed(session, world)
    with pytest.raises(InvalidInput) as err:
        propose_measure(session, principal=world.officer(0), data={
            "incident": incident, "kind": "demarche", "description": "x",
            "against": world.parties[1]})
    assert err.value.field == "against"
    for who in (world.coordinator,):
        with pytest.raises(PermissionDenied):
            propose_measure(session, principal=who, data={
                "incident": incident, "kind": "demarche", "description": "x"})


def test_votes_decide_proposals_and_officers_record_the_rest(session: Session,
                                                             world: World) -> None:
    measure = propose_measure(session, principal=world.officer(0), data={
        "incident": confirmed(session, world), "kind": "demarche", "description": "x"})
    with pytest.raises(InvalidTransition):
        change_measure_status(session, principal=world.officer(0), measure_id=measure.id,
                              status="agreed", reason="we talked")
    with pytest.raises(InvalidInput):
        change_measure_status(session, principal=world.officer(0), measure_id=measure.id,
                              status="dropped", reason=" ")
    with pytest.raises(InvalidInput) as err:
        vote_on_measure(session, principal=world.officer(0), measure_id=measure.id,
                        vote="abstain", keystore=world.keystore)
    assert err.value.field == "vote"
