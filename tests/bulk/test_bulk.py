"""Bulk actions: every item checked as a single action would be, one transaction each."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trucewatch.auth.models import User
from trucewatch.auth.principal import Principal
from trucewatch.auth.service import principal_for
from trucewatch.bulk.runner import Progress, parse_id_list, prepare_run
from trucewatch.errors import InvalidInput, PermissionDenied
from trucewatch.incidents.models import Incident, IncidentLink
from trucewatch.log.models import LogHead
from trucewatch.log.service import verify
from trucewatch.reports.models import Report
from trucewatch.storage import Store
from trucewatch.verification.models import Investigation


def _who(session: Session, username: str) -> Principal:
    user = session.scalar(select(User).where(User.username == username))
    assert user is not None
    return principal_for(user)


def _log_size(store: Store) -> int:
    with store.session() as s:
        head = s.get(LogHead, 1)
        return head.size if head else 0


def _free_reports(session: Session) -> list[int]:
    linked = select(IncidentLink.report_id)
    return list(session.scalars(select(Report.id).where(Report.id.not_in(linked))
                                .order_by(Report.id)))


def test_link_many_reports_with_progress_and_one_failure(demo_store: Store) -> None:
    with demo_store.session() as s:
        officer = _who(s, "ru-officer")
        free = _free_reports(s)[:3]
        already = s.scalar(select(IncidentLink.report_id).limit(1))
        target = s.scalar(select(Incident.id).where(Incident.status == "open").limit(1))
    before = _log_size(demo_store)
    run = prepare_run(demo_store, principal=officer, kind="link",
                      ids=[*free, already], params={"incident": target, "reason": "same strike"})
    progress = Progress(total=len(run.ids))
    seen = []
    for result in run.items(progress):
        seen.append(result)
        assert progress.done == len(seen)  # progress moves item by item
    assert [r.ok for r in seen] == [True, True, True, False]
    assert seen[-1].field == "report" and "already" in (seen[-1].error or "")
    assert progress.as_json() == {"total": 4, "done": 4, "succeeded": 3, "failed": 1}
    with demo_store.session() as s:
        linked = set(s.scalars(select(IncidentLink.report_id)
                               .where(IncidentLink.incident_id == target)))
        assert set(free) <= linked
        assert not verify(s)
    assert _log_size(demo_store) == before + 3  # one entry per linked report, none for the failure


def test_assign_and_publish_many(demo_store: Store) -> None:
    with demo_store.session() as s:
        officer = _who(s, "tr-officer")
        coordinator = _who(s, "un-coordinator")
        ids = list(s.scalars(select(Incident.id).order_by(Incident.id)))
        decided_unpublished = list(s.scalars(select(Incident.id).where(
            Incident.status.in_(["confirmed", "not_confirmed", "disputed"]),
            Incident.published_at.is_(None))))
        published = list(s.scalars(select(Incident.id).where(Incident.published_at.is_not(None))))
    assert decided_unpublished and published
    due = (date.today() + timedelta(days=7)).isoformat()
    results = list(prepare_run(demo_store, principal=officer, kind="assign", ids=ids[:3],
                               params={"assignee": "Team Alpha", "due_on": due}).items())
    assert all(r.ok for r in results), results
    with demo_store.session() as s:
        assert s.scalar(select(func.count()).select_from(Investigation)
                        .where(Investigation.assignee == "Team Alpha")) == 3
    results = list(prepare_run(demo_store, principal=coordinator, kind="publish",
                               ids=[*decided_unpublished, *published, ids[0]]).items())
    assert [r.ok for r in results] == ([True] * len(decided_unpublished)
                                       + [False] * (len(published) + 1))
    with demo_store.session() as s:
        for incident_id in decided_unpublished:
            assert s.get(Incident, incident_id).published_at is not None


def test_a_run_is_checked_as_a_whole_before_anything_is_written(demo_store: Store) -> None:
    with demo_store.session() as s:
        reporter = _who(s, "gov-reporter")
        officer = _who(s, "ru-officer")
        admin = _who(s, "admin")
    before = _log_size(demo_store)
    with pytest.raises(PermissionDenied):
        prepare_run(demo_store, principal=reporter, kind="publish", ids=[1])
    with pytest.raises(PermissionDenied):  # an administrator has no say in assessments or triage
        prepare_run(demo_store, principal=admin, kind="link", ids=[1], params={"incident": 1})
    bad = [
        ({"kind": "delete", "ids": [1]}, "action"),
        ({"kind": "link", "ids": [1]}, "incident"),
        ({"kind": "assign", "ids": [1], "params": {"assignee": "x"}}, "due_on"),
        ({"kind": "link", "ids": [], "params": {"incident": 1}}, "ids"),
        ({"kind": "link", "ids": [1, "two"], "params": {"incident": 1}}, "ids.1"),
        ({"kind": "link", "ids": [3, 3], "params": {"incident": 1}}, "ids.1"),
        ({"kind": "link", "ids": [0], "params": {"incident": 1}}, "ids.0"),
        ({"kind": "link", "ids": [True], "params": {"incident": 1}}, "ids.0"),
        ({"kind": "link", "ids": list(range(1, 10_002)), "params": {"incident": 1}}, "ids"),
        ({"kind": "link", "ids": [1], "params": {"incident": 1, "colour": "red"}}, "colour"),
    ]
    for args, field in bad:
        with pytest.raises(InvalidInput) as err:
            prepare_run(demo_store, principal=officer, **args)  # type: ignore[arg-type]
        assert err.value.field == field, args
    assert _log_size(demo_store) == before


def test_ids_as_people_paste_them() -> None:
    assert parse_id_list("#12, 13\n14  15,") == ["12", "13", "14", "15"]
    assert parse_id_list("  ") == []
