"""Review rounds on both stores: signed assessments, revisions, the rule, deadlines, reopening."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests import factories
from tests.verification.world import NOW, World, assessment, build_world, person

from trucewatch.auth.principal import Role, operator
from trucewatch.errors import Conflict, InvalidInput, PermissionDenied, UnknownReference
from trucewatch.incidents.models import Incident
from trucewatch.incidents.service import get_incident, status_history
from trucewatch.keys.service import register_public_key, revoke_key
from trucewatch.keys.signing import b64, public_bytes, sign
from trucewatch.log.service import entries_for, verify
from trucewatch.reports.service import file_report
from trucewatch.storage import Store
from trucewatch.verification.models import Assessment
from trucewatch.verification.service import (
    assessment_body,
    check_round,
    close_round,
    file_assessment,
    get_round,
    open_round,
    overdue_rounds,
    round_view,
    rounds_of_incident,
    sign_decision,
)


def test_three_guarantors_unanimity_one_dissent_ends_disputed_with_the_dissent_shown(
        session: Session, world: World) -> None:
    """The done-when scenario of the issue, on SQLite and on PostgreSQL."""
    incident = world.incident(session)
    rnd = open_round(session, principal=world.officer(0), data={"incident": incident}, now=NOW)
    assert get_incident(session, incident).status == "under_review"
    alleged = world.parties[0]
    file_assessment(session, principal=world.officer(0), round_id=rnd.id, keystore=world.keystore,
                    data=assessment("violation", alleged, "fair"), now=NOW)
    file_assessment(session, principal=world.officer(1), round_id=rnd.id, keystore=world.keystore,
                    data=assessment("violation", alleged, "confirmed"), now=NOW)
    assert rnd.status == "open"  # the rule waits for the third seat
    file_assessment(session, principal=world.officer(2), round_id=rnd.id, keystore=world.keystore,
                    data=assessment("not_violation", None, "contested",
                                    "The crater analysis points the other way."), now=NOW)

    assert rnd.status == "decided" and rnd.decision == "disputed"
    assert get_incident(session, incident).status == "disputed"
    view = round_view(session, rnd, now=NOW)
    decision = view["decision"]
    assert decision["decision"] == "disputed" and decision["rule"] == {"kind": "unanimity",
                                                                        "k": 3, "n": 3}
    assert decision["dissents"] == [{"guarantor": world.guarantors[2], "kind": "finding",
                                     "finding": "not_violation", "responsible": None}]
    assert [p["finding"] for p in decision["positions"]] == ["violation", "violation",
                                                              "not_violation"]
    assert view["signatures_verified"] and view["problems"] == []
    for i in range(3):  # each guarantor signs the decision record, the dissenting one too
        sign_decision(session, principal=world.officer(i), round_id=rnd.id,
                      keystore=world.keystore)
    assert len(round_view(session, rnd)["decision_signatures"]) == 3
    assert check_round(session, rnd) == []
    kinds = [e.kind for e in entries_for(session, f"incident:{incident}")]
    assert kinds.count("assessment.filed") == 3 and kinds.count("decision.signed") == 3
    assert "round.opened" in kinds and "round.decided" in kinds
    assert verify(session) == []


def test_an_assessment_revised_while_open_keeps_the_earlier_version(session: Session,
                                                                    world: World) -> None:
    rnd = open_round(session, principal=world.officer(0),
                     data={"incident": world.incident(session)}, now=NOW)
    first = file_assessment(session, principal=world.officer(0), round_id=rnd.id,
                            keystore=world.keystore, data=assessment("cannot_determine"))
    second = file_assessment(session, principal=world.officer(0), round_id=rnd.id,
                             keystore=world.keystore,
                             data=assessment("violation", world.parties[1], "weak"))
    assert (first.version, first.is_current, second.version, second.is_current) == (1, False, 2,
                                                                                    True)
    assert json.loads(second.signed_body)["version"] == 2
    view = round_view(session, rnd)
    assert [(a["version"], a["current"], a["finding"]) for a in view["assessments"]] == [
        (1, False, "cannot_determine"), (2, True, "violation")]
    for i in (1, 2):
        file_assessment(session, principal=world.officer(i), round_id=rnd.id,
                        keystore=world.keystore, data=assessment("violation", world.parties[1]))
    assert rnd.decision == "confirmed" and rnd.responsible_actor_id is not None
    with pytest.raises(Conflict) as err:  # decided: no more revisions
        file_assessment(session, principal=world.officer(0), round_id=rnd.id,
                        keystore=world.keystore, data=assessment("not_violation"))
    assert err.value.field == "round"


def test_k_of_n_confirms_over_a_dissent_and_attributes(session: Session, tmp_path: Path) -> None:
    world = build_world(session, tmp_path, rule={"kind": "k_of_n", "k": 2})
    rnd = open_round(session, principal=world.officer(1),
                     data={"incident": world.incident(session)}, now=NOW)
    assert (rnd.rule_kind, rnd.rule_k) == ("k_of_n", 2)
    findings = [("violation", world.parties[1]), ("not_violation", None),
                ("violation", world.parties[1])]
    for i, (finding, party) in enumerate(findings):
        file_assessment(session, principal=world.officer(i), round_id=rnd.id,
                        keystore=world.keystore, data=assessment(finding, party))
    decision = round_view(session, rnd)["decision"]
    assert (decision["decision"], decision["responsible"]) == ("confirmed", world.parties[1])
    assert [d["guarantor"] for d in decision["dissents"]] == [world.guarantors[1]]


def test_client_signed_assessment_with_a_key_the_server_never_held(store: Store,
                                                                  tmp_path: Path) -> None:
    with store.session() as session:
        world = build_world(session, tmp_path, with_keys=False)
        incident = world.incident(session)
        rnd_id = open_round(session, principal=world.officer(0), data={"incident": incident}).id
        mine, theirs = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
        own = register_public_key(session, organisation=world.guarantors[0],
                                  public_key=b64(public_bytes(mine)), actor="test").key_id
        other = register_public_key(session, organisation=world.guarantors[1],
                                    public_key=b64(public_bytes(theirs)), actor="test").key_id
    data = assessment("violation", world.parties[0])
    ru = world.officer(0)
    with store.session() as session:
        body = assessment_body(session, principal=ru, round_id=rnd_id, data=data)
    assert json.loads(body)["type"] == "trucewatch/assessment/v1"
    refusals = [
        ({"key_id": other, "signature": sign(theirs, body)}, PermissionDenied, "key_id"),
        ({"key_id": own, "signature": sign(mine, body + b" ")}, InvalidInput, "signature"),
        ({"key_id": own, "signature": "not base64!"}, InvalidInput, "signature"),
        ({"key_id": "ab" * 32, "signature": sign(mine, body)}, UnknownReference, "key_id"),
        ({"key_id": own}, InvalidInput, "signature"),
        ({}, InvalidInput, "signature"),
        ({"key_id": own, "signature": sign(mine, body), "keystore": world.keystore},
         InvalidInput, "signature"),
    ]
    for kwargs, error, field in refusals:
        with pytest.raises(error) as err, store.session() as session:
            file_assessment(session, principal=ru, round_id=rnd_id, data=data, **kwargs)
        assert err.value.field == field, kwargs
    with store.session() as session:
        row = file_assessment(session, principal=ru, round_id=rnd_id, data=data, key_id=own,
                              signature=sign(mine, body))
        assert row.signed_body.encode() == body and row.key_id == own
        assert check_round(session, get_round(session, rnd_id)) == []
    with store.session() as session:  # a revoked key signs no more
        revoke_key(session, key_id=own, actor="test")
    with pytest.raises(InvalidInput) as err, store.session() as session:
        body2 = assessment_body(session, principal=ru, round_id=rnd_id, data=data)
        file_assessment(session, principal=ru, round_id=rnd_id, data=data, key_id=own,
                        signature=sign(mine, body2))
    assert err.value.field == "key_id"


def test_who_may_open_and_assess(store: Store, tmp_path: Path) -> None:
    with store.session() as session:
        world = build_world(session, tmp_path)
        other = build_world(session, tmp_path / "other")  # guarantors of another truce
        incident = world.incident(session)
        party_officer = person(session, "party-officer", world.parties[0], Role.GUARANTOR_OFFICER)
        reporter = person(session, "g-reporter", world.guarantors[0], Role.REPORTER)
    strangers = [operator("cli:root"), party_officer, reporter, other.officer(0),
                 world.coordinator]
    for who in strangers:
        with pytest.raises(PermissionDenied), store.session() as session:
            open_round(session, principal=who, data={"incident": incident})
    with store.session() as session:
        rnd_id = open_round(session, principal=world.officer(2), data={"incident": incident}).id
    for who in strangers:
        with pytest.raises(PermissionDenied), store.session() as session:
            file_assessment(session, principal=who, round_id=rnd_id, keystore=world.keystore,
                            data=assessment())
    with pytest.raises(Conflict), store.session() as session:
        open_round(session, principal=world.officer(0), data={"incident": incident})


def test_responsible_for_a_violation_must_be_bound_by_the_truce(session: Session,
                                                                 world: World) -> None:
    rnd = open_round(session, principal=world.officer(0),
                     data={"incident": world.incident(session)})
    with pytest.raises(InvalidInput) as err:
        file_assessment(session, principal=world.officer(0), round_id=rnd.id,
                        keystore=world.keystore, data=assessment("violation", world.excluded))
    assert err.value.field == "responsible" and "excluded" in err.value.message


def test_deadline_overdue_and_closing(store: Store, tmp_path: Path) -> None:
    with store.session() as session:
        world = build_world(session, tmp_path)
        incident = world.incident(session)
        rnd = open_round(session, principal=world.officer(0),
                         data={"incident": incident, "days": 3}, now=NOW)
        assert rnd.deadline == NOW + timedelta(days=3)
        for i in (0, 1):
            file_assessment(session, principal=world.officer(i), round_id=rnd.id,
                            keystore=world.keystore, data=assessment("violation", world.parties[0]))
        rnd_id = rnd.id
    later = NOW + timedelta(days=4)
    with store.session() as session:
        assert overdue_rounds(session, now=NOW) == []
        assert [r.id for r in overdue_rounds(session, now=later)] == [rnd_id]
        assert round_view(session, get_round(session, rnd_id), now=later)["overdue"] is True
    with pytest.raises(Conflict) as err, store.session() as session:
        close_round(session, principal=world.coordinator, round_id=rnd_id, now=NOW)
    assert err.value.field == "deadline"
    with pytest.raises(PermissionDenied), store.session() as session:
        close_round(session, principal=operator("cli:root"), round_id=rnd_id, now=later)
    with store.session() as session:
        rnd = close_round(session, principal=world.coordinator, round_id=rnd_id, now=later)
        decision = round_view(session, rnd, now=later)["decision"]
        assert decision["decision"] == "disputed"  # unanimity: the absent seat agreed to nothing
        assert decision["absent"] == [world.guarantors[2]] and decision["dissents"] == []
        assert decision["basis"] == "closed_after_deadline"
        assert rnd.closed_by == world.coordinator.actor
        assert overdue_rounds(session, now=later) == []
        assert session.get(Incident, incident).status == "disputed"


def test_a_guarantor_closing_signs_the_decision(session: Session, world: World) -> None:
    rnd = open_round(session, principal=world.officer(0),
                     data={"incident": world.incident(session), "days": 1}, now=NOW)
    close_round(session, principal=world.officer(1), round_id=rnd.id,
                now=NOW + timedelta(days=2), keystore=world.keystore)
    view = round_view(session, rnd)
    assert view["decision"]["absent"] == world.guarantors
    assert [s["guarantor"] for s in view["decision_signatures"]] == [world.guarantors[1]]


def test_new_evidence_opens_a_new_round_and_earlier_rounds_stay_readable(
        session: Session, world: World) -> None:
    incident = world.incident(session)
    first = open_round(session, principal=world.officer(0), data={"incident": incident}, now=NOW)
    for i in range(3):
        file_assessment(session, principal=world.officer(i), round_id=first.id,
                        keystore=world.keystore, data=assessment("cannot_determine"))
    assert get_incident(session, incident).status == "not_confirmed"
    with pytest.raises(InvalidInput) as err:
        open_round(session, principal=world.officer(1), data={"incident": incident})
    assert err.value.field == "reason"
    video = file_report(session, data=factories.report(truce=world.truce), actor="test",
                        organisation=world.parties[1]).id
    second = open_round(session, principal=world.officer(1), now=NOW, data={
        "incident": incident, "reason": "a video of the launch site", "new_reports": [video]})
    assert second.number == 2 and get_incident(session, incident).status == "under_review"
    assert video in [lk.report_id for lk in get_incident(session, incident).active_links]
    rounds = rounds_of_incident(session, principal=world.coordinator, incident_id=incident)
    assert [(r.number, r.status, r.decision) for r in rounds] == [
        (1, "decided", "not_confirmed"), (2, "open", None)]
    assert [c.to_status for c in status_history(session, incident)] == [
        "under_review", "not_confirmed", "under_review"]


def test_tampering_with_a_stored_assessment_is_detected(session: Session, world: World) -> None:
    rnd = open_round(session, principal=world.officer(0),
                     data={"incident": world.incident(session)})
    for i in range(3):
        file_assessment(session, principal=world.officer(i), round_id=rnd.id,
                        keystore=world.keystore, data=assessment("violation", world.parties[0]))
    row = session.scalars(select(Assessment).where(Assessment.round_id == rnd.id)).first()
    assert row is not None
    row.finding = "not_violation"
    session.flush()
    problems = check_round(session, rnd)
    assert any("differ from the signed body" in p for p in problems)
    assert any("another decision" in p for p in problems)
    session.rollback()  # the tampering is not a change of the mechanism: nothing to keep
