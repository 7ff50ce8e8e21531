"""Correlation on both stores: auto-links and the queue by each truce's thresholds, officers'
decisions, unlink and split as log entries, and one new report matched incrementally."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests import factories
from trucewatch.auth.principal import Principal, Role, operator
from trucewatch.correlation import index
from trucewatch.correlation.features import build
from trucewatch.correlation.linking import SYSTEM
from trucewatch.correlation.models import CandidateLink, IndexState, ReportFeatures
from trucewatch.correlation.queue import (
    confirm_candidate,
    list_candidates,
    reject_candidate,
    split_incident,
)
from trucewatch.correlation.records import records
from trucewatch.correlation.service import correlate_all, match_report
from trucewatch.correlation.tunings import get_tuning, set_tuning
from trucewatch.errors import Conflict, InvalidInput, PermissionDenied
from trucewatch.incidents.service import get_incident, unlink_report
from trucewatch.log.export import audit_database
from trucewatch.log.models import LogEntry
from trucewatch.log.service import entries_for
from trucewatch.reports.models import Report
from trucewatch.reports.reading import incident_of
from trucewatch.reports.service import file_report
from trucewatch.truces.service import get_truce

OFFICER = Principal(actor="user:officer", organisation_id=1, user_id=1,
                    roles=frozenset({Role.GUARANTOR_OFFICER}))
REPORTER = Principal(actor="user:reporter", organisation_id=1, user_id=2,
                     roles=frozenset({Role.REPORTER}))


@pytest.fixture
def world(session: Session) -> dict[str, str]:
    truce = factories.truce(session)
    return {"truce": truce, "a": factories.organisation(session),
            "b": factories.organisation(session), "c": factories.organisation(session)}


def _file(session: Session, org: str, truce: str, **fields: Any) -> int:
    return file_report(session, data=factories.report(truce=truce, **fields), organisation=org,
                       actor="t").id


def _kinds(session: Session, actor: str) -> list[str]:
    return list(session.scalars(select(LogEntry.kind).where(LogEntry.actor == actor)
                                .order_by(LogEntry.seq)))


def test_a_pass_links_the_same_event_and_leaves_another_alone(session: Session,
                                                             world: dict[str, str]) -> None:
    t = world["truce"]
    first = _file(session, world["a"], t)
    second = _file(session, world["b"], t, place_name="Areeha", latitude=35.812,
                   longitude=36.612, occurred="2017-01-10T09:30:00Z")
    other = _file(session, world["c"], t, occurred="2017-02-20", category="abduction_detention",
                  narrative="Two men were taken from a checkpoint.", casualties=[])
    done = correlate_all(session, actor="cli:test", principal=OFFICER)
    assert done.linked == [(first, second)] and not done.queued
    incident = incident_of(session, first)
    assert incident is not None and incident_of(session, second) == incident
    assert incident_of(session, other) is None
    # Made through the incidents service, by the system principal, with the reasons.
    assert _kinds(session, SYSTEM.actor) == ["incident.created", "incident.report_linked",
                                             "incident.report_linked", "correlation.pair_linked"]
    links = get_incident(session, incident).active_links
    assert all(lk.linked_by == SYSTEM.actor and "correlation score" in lk.link_reason
               for lk in links)
    row = session.scalars(select(CandidateLink)).one()
    assert row.status == "linked" and row.reasons["components"]["category"] == 1.0
    # A second pass finds the pair decided and does nothing.
    again = correlate_all(session, actor="cli:test")
    assert again.scored >= 1 and not again.linked and not again.queued


def test_thresholds_are_tuned_per_truce_and_the_queue_waits_for_an_officer(
        session: Session, world: dict[str, str]) -> None:
    t = world["truce"]
    set_tuning(session, truce=t, values={"link_threshold": 0.99, "review_threshold": 0.1},
               actor="cli:test", principal=OFFICER)
    assert get_tuning(session, truce=t).link_threshold == 0.99
    assert entries_for(session, f"truce:{t}")[-1].kind == "correlation.tuned"
    first = _file(session, world["a"], t)
    second = _file(session, world["b"], t, narrative="Mortar rounds hit a school yard.")
    done = correlate_all(session, actor="cli:test")
    assert done.queued == [(first, second)] and not done.linked
    assert incident_of(session, first) is None
    [pending] = list_candidates(session, principal=OFFICER)
    assert 0.1 <= pending.score < 0.99
    with pytest.raises(PermissionDenied):
        confirm_candidate(session, candidate_id=pending.id, actor="user:reporter",
                          principal=REPORTER)
    confirmed = confirm_candidate(session, candidate_id=pending.id, actor=OFFICER.actor,
                                  principal=OFFICER)
    assert confirmed.status == "confirmed" and confirmed.incident_id is not None
    assert incident_of(session, second) == confirmed.incident_id
    assert entries_for(session, f"candidate:{pending.id}")[-1].kind == \
        "correlation.candidate_confirmed"
    with pytest.raises(Conflict):
        reject_candidate(session, candidate_id=pending.id, actor="x", reason="late")


def test_a_rejected_pair_is_not_queued_again(session: Session, world: dict[str, str]) -> None:
    t = world["truce"]
    set_tuning(session, truce=t, values={"link_threshold": 0.99, "review_threshold": 0.1},
               actor="cli:test")
    _file(session, world["a"], t)
    _file(session, world["b"], t, narrative="Mortar rounds hit a school yard.")
    correlate_all(session, actor="cli:test")
    [pending] = list_candidates(session)
    with pytest.raises(InvalidInput):
        reject_candidate(session, candidate_id=pending.id, actor="o", reason=" ")
    reject_candidate(session, candidate_id=pending.id, actor="o", reason="two strikes that day")
    assert correlate_all(session, actor="cli:test").queued == []
    assert list_candidates(session) == []
    assert [c.status for c in list_candidates(session, status="rejected")] == ["rejected"]


def test_an_officers_unlink_is_not_undone_and_a_split_is_logged(session: Session,
                                                                world: dict[str, str]) -> None:
    t = world["truce"]
    ids = [_file(session, org, t) for org in (world["a"], world["b"], world["c"])]
    correlate_all(session, actor="cli:test")
    incident = incident_of(session, ids[0])
    assert incident is not None and all(incident_of(session, r) == incident for r in ids)
    unlink_report(session, incident_id=incident, report_id=ids[2], actor="o",
                  reason="another event", principal=OFFICER)
    assert correlate_all(session, actor="cli:test").linked == []
    assert incident_of(session, ids[2]) is None
    with pytest.raises(InvalidInput):
        split_incident(session, incident_id=incident, report_ids=ids[:2], actor="o",
                       reason="all of them", principal=OFFICER)
    with pytest.raises(InvalidInput):
        split_incident(session, incident_id=incident, report_ids=[ids[2]], actor="o",
                       reason="not in it", principal=OFFICER)
    new = split_incident(session, incident_id=incident, report_ids=[ids[1]], actor="o",
                         reason="the afternoon strike", principal=OFFICER)
    assert incident_of(session, ids[1]) == new.id and incident_of(session, ids[0]) == incident
    kinds = [e.kind for e in entries_for(session, f"incident:{incident}")]
    assert kinds[-2:] == ["incident.report_unlinked", "incident.split"]
    assert entries_for(session, f"incident:{new.id}")[0].kind == "incident.created"


def test_one_new_report_is_matched_against_those_stored_around_it(
        session: Session, world: dict[str, str]) -> None:
    t = world["truce"]
    stored = _file(session, world["a"], t)
    far = _file(session, world["b"], t, latitude=33.5, longitude=36.3, place_name="Douma")
    late = _file(session, world["b"], t, occurred="2017-03-10")
    assert correlate_all(session, actor="cli:test").linked == []
    new = _file(session, world["c"], t, occurred="2017-W02")  # the week of 10 January
    done = match_report(session, report_id=new)
    assert done.linked == [(stored, new)] and done.scored == 1  # far and late are not scored
    assert incident_of(session, new) == incident_of(session, stored)
    assert incident_of(session, far) is None and incident_of(session, late) is None


def test_the_system_principal_may_triage_and_nothing_else(session: Session,
                                                          world: dict[str, str]) -> None:
    from trucewatch.auth.policy import RULES, Action, allowed

    assert [a for a in RULES if allowed(SYSTEM, a)] == [Action.INCIDENT_TRIAGE]
    assert allowed(operator("cli:x"), Action.CORRELATION_RUN)
    with pytest.raises(PermissionDenied):
        correlate_all(session, actor=REPORTER.actor, principal=REPORTER)
    with pytest.raises(PermissionDenied):
        set_tuning(session, truce=world["truce"], values={"time": 1}, actor="r",
                   principal=REPORTER)
    with pytest.raises(InvalidInput) as err:
        set_tuning(session, truce=world["truce"], values={"link_threshold": 0.01}, actor="o")
    assert err.value.field == "tuning.review_threshold"
    assert get_truce(session, world["truce"]).slug == world["truce"]


def test_reports_filed_without_matching_are_indexed_by_the_next_match(
        session: Session, world: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index, "_ANALYZE_AFTER", 2)  # PostgreSQL's ANALYZE, in the transaction
    t = world["truce"]
    first = _file(session, world["a"], t)  # filed, never matched: not in the index yet
    assert session.scalar(select(func.count()).select_from(ReportFeatures)) == 0
    second = _file(session, world["b"], t, place_name="Areeha")
    done = match_report(session, report_id=second)
    assert done.linked == [(first, second)] and done.scored == 1
    assert set(session.scalars(select(ReportFeatures.report_id))) == {first, second}
    state = session.get(IndexState, 1)
    assert state is not None and state.indexed_through == second
    # The stored features are those built from the reports (organisations by id).
    stored = index.features(session, [first, second])
    built = build(records(session, Report.id.in_([first, second])))
    for name in ("ids", "start", "end", "tprec", "gprec", "place", "category", "group",
                 "signature", "has_text", "killed_low"):
        assert np.array_equal(getattr(stored, name), getattr(built, name)), name
    assert np.allclose(stored.lat, built.lat) and np.allclose(stored.lon, built.lon)
    # The index is derived data, outside the log: the audit of every table still passes.
    assert audit_database(session).ok
    # A third report, matched: only it is indexed now, and only its candidates scored.
    third = _file(session, world["c"], t, occurred="2017-03-10")
    assert match_report(session, report_id=third).scored == 0
    assert session.scalar(select(func.count()).select_from(ReportFeatures)) == 3
