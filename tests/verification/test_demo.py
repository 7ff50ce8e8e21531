"""The demo's verification: roles, keys, rounds decided with and without a keystore; idempotent."""

from __future__ import annotations

from pathlib import Path

from trucewatch.auth.principal import Role
from trucewatch.auth.service import get_user, principal_for
from trucewatch.demo.scenario import ROLES, USERS
from trucewatch.demo.service import load_demo
from trucewatch.incidents.service import get_incident
from trucewatch.keys.service import all_keys
from trucewatch.keys.signing import Keystore
from trucewatch.storage import Store
from trucewatch.verification.models import ReviewRound
from trucewatch.verification.service import (
    check_round,
    denials_by_party,
    get_measure,
    investigations_of,
    published_incidents,
)


def test_demo_with_keys_decides_two_rounds_and_publishes_one(store: Store,
                                                             tmp_path: Path) -> None:
    keystore = Keystore(tmp_path / "keys")
    with store.session() as session:
        summary = load_demo(session, actor="test", keystore=keystore)
    assert (summary.incidents, summary.rounds, summary.keys, summary.decided,
            summary.published) == (9, 3, 3, 2, 1)
    with store.session() as session:
        rounds = session.query(ReviewRound).order_by(ReviewRound.id).all()
        assert [(r.status, r.decision) for r in rounds] == [
            ("decided", "confirmed"), ("open", None), ("decided", "disputed")]
        assert [check_round(session, r) for r in rounds] == [[], [], []]
        assert all(len(r.decision_signatures) == 3 for r in rounds if r.decision)
        assert [i.id for i in published_incidents(session)] == [rounds[0].incident_id]
        assert get_incident(session, rounds[1].incident_id).status == "under_review"
        assert get_measure(session, 1).status == "agreed"
        assert [inv.site_visit for inv in investigations_of(session, rounds[1].incident_id)] == [
            "denied"]
        assert denials_by_party(session)[0]["party"] == "jabhat-fateh-al-sham"
        assert len(all_keys(session)) == 3 and len(list(keystore.directory.iterdir())) == 3
        for username, _org, _who in USERS:
            assert principal_for(get_user(session, username)).roles == {Role(ROLES[username])}
        assert get_user(session, "admin").organisation.slug == "joint-group"
    with store.session() as session:
        assert not load_demo(session, actor="test", keystore=keystore).loaded
    assert len(list(keystore.directory.iterdir())) == 3


def test_demo_without_a_keystore_opens_rounds_and_signs_nothing(store: Store) -> None:
    with store.session() as session:
        summary = load_demo(session, actor="test")
    assert (summary.rounds, summary.keys, summary.decided) == (3, 0, 0)
    with store.session() as session:
        assert {r.status for r in session.query(ReviewRound)} == {"open"}
        assert all_keys(session) == [] and published_incidents(session) == []
