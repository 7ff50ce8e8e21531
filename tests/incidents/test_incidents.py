"""Incidents: created from reports, links recorded and never overwritten, optimistic versions."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from tests import factories

from trucewatch.errors import Conflict, InvalidInput, NotFound, StaleWrite
from trucewatch.incidents.service import (
    change_status,
    create_incident,
    get_incident,
    incident_view,
    link_history_view,
    link_report,
    list_incidents,
    unlink_report,
)
from trucewatch.log.service import entries_for
from trucewatch.reports.reading import ReportFilter, list_reports
from trucewatch.reports.service import file_report


@pytest.fixture
def reports(session: Session) -> list[int]:
    filer = factories.organisation(session)
    return [file_report(session, data=factories.report(place_name=f"Place {i}"),
                        organisation=filer, actor="t").id for i in range(4)]


def test_create_takes_canonical_fields_from_the_first_report(session: Session,
                                                             reports: list[int]) -> None:
    incident = create_incident(session, data={"reports": reports[:2]}, actor="t")
    view = incident_view(incident)
    assert view["reports"] == reports[:2]
    assert view["place_name"] == "Place 0" and view["category"] == "shelling"
    assert view["title"] == "Shelling or artillery fire — Place 0, 2017-01-10"
    assert view["status"] == "open"


def test_overrides_are_checked(session: Session, reports: list[int]) -> None:
    incident = create_incident(session, data={"reports": [reports[0]], "title": "T",
                                              "category": "air_strike", "latitude": 35.0,
                                              "longitude": 36.0, "occurred": "2017-W02"},
                               actor="t")
    assert (incident.category, incident.time_precision, incident.latitude) == (
        "air_strike", "week", 35.0)
    with pytest.raises(InvalidInput) as err:
        create_incident(session, data={"reports": [reports[1]], "category": "nope"}, actor="t")
    assert err.value.field == "category"
    with pytest.raises(InvalidInput) as err:
        create_incident(session, data={"reports": [reports[1]], "latitude": 99.0,
                                       "longitude": 1.0}, actor="t")
    assert err.value.field == "latitude"


def test_a_report_belongs_to_one_incident_at_a_time(session: Session, reports: list[int]) -> None:
    first = create_incident(session, data={"reports": [reports[0]]}, actor="t")
    with pytest.raises(Conflict, match="already belongs to incident"):
        create_incident(session, data={"reports": [reports[0]]}, actor="t")
    second = create_incident(session, data={"reports": [reports[1]]}, actor="t")
    with pytest.raises(Conflict):
        link_report(session, incident_id=second.id, report_id=reports[0], actor="t")
    unlink_report(session, incident_id=first.id, report_id=reports[0], actor="t",
                  reason="different day")
    link_report(session, incident_id=second.id, report_id=reports[0], actor="t")
    assert incident_view(get_incident(session, second.id))["reports"] == sorted(reports[:2])


def test_unlinking_keeps_the_history(session: Session, reports: list[int]) -> None:
    incident = create_incident(session, data={"reports": reports[:3]}, actor="user:a")
    unlink_report(session, incident_id=incident.id, report_id=reports[1], actor="user:b",
                  reason="another strike")
    history = link_history_view(get_incident(session, incident.id))
    assert len(history) == 3
    gone = next(h for h in history if h["report"] == reports[1])
    assert (gone["unlinked_by"], gone["unlink_reason"]) == ("user:b", "another strike")
    assert incident_view(get_incident(session, incident.id))["reports"] == [reports[0], reports[2]]
    kinds = [e.kind for e in entries_for(session, f"incident:{incident.id}")]
    assert kinds == ["incident.created"] + ["incident.report_linked"] * 3 + [
        "incident.report_unlinked"]
    unlinked = list_reports(session, filters=ReportFilter(status="unlinked"), limit=None)
    assert reports[1] in [r.id for r in unlinked]


def test_unlink_needs_a_reason_and_a_linked_report(session: Session, reports: list[int]) -> None:
    incident = create_incident(session, data={"reports": [reports[0]]}, actor="t")
    with pytest.raises(InvalidInput) as err:
        unlink_report(session, incident_id=incident.id, report_id=reports[0], actor="t",
                      reason=" ")
    assert err.value.field == "reason"
    with pytest.raises(Conflict):
        unlink_report(session, incident_id=incident.id, report_id=reports[1], actor="t",
                      reason="x")


def test_decided_incidents_take_no_new_links(session: Session, reports: list[int]) -> None:
    incident = create_incident(session, data={"reports": [reports[0]]}, actor="t")
    change_status(session, incident_id=incident.id, status="closed", actor="t")
    with pytest.raises(Conflict, match="is closed"):
        link_report(session, incident_id=incident.id, report_id=reports[1], actor="t")


def test_stale_versions_are_refused(session: Session, reports: list[int]) -> None:
    incident = create_incident(session, data={"reports": [reports[0]]}, actor="t")
    version = incident.version
    link_report(session, incident_id=incident.id, report_id=reports[1], actor="t",
                expected_version=version)
    with pytest.raises(StaleWrite):
        link_report(session, incident_id=incident.id, report_id=reports[2], actor="t",
                    expected_version=version)


def test_missing_things(session: Session, reports: list[int]) -> None:
    with pytest.raises(NotFound) as err:
        create_incident(session, data={"reports": [reports[0], 9999]}, actor="t")
    assert err.value.field == "reports.1"
    with pytest.raises(NotFound):
        get_incident(session, 9999)
    with pytest.raises(InvalidInput):
        create_incident(session, data={"reports": [reports[0], reports[0]]}, actor="t")
    with pytest.raises(InvalidInput):
        list_incidents(session, status="lost")
