"""What a party sees: its own reports, others' only once published; sources never but its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.auth.test_access_matrix import World, build_world

from trucewatch.auth.matrix import Caller
from trucewatch.auth.principal import PUBLIC, Principal, Role
from trucewatch.auth.service import create_user, get_user, grant_role, principal_for
from trucewatch.errors import NotFound, PermissionDenied
from trucewatch.incidents.service import create_incident, get_incident, list_incidents
from trucewatch.log.models import LogEntry
from trucewatch.reports.reading import (
    ReportFilter,
    attachment_content,
    get_report,
    list_reports,
    report_view,
    reveal_confidential_source,
)
from trucewatch.verification.service import publish_incident

SOURCE = {"identity": "Resident A of Douma", "contact": "+963 11 000"}
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


@pytest.fixture
def world(session: Session, tmp_path: Path) -> World:
    return build_world(session, tmp_path / "keys")


def _reporter(session: Session, world: World, party: str) -> Principal:
    username = f"{world.orgs[party]}-second-reporter"
    create_user(session, username=username, organisation=world.orgs[party], actor="test")
    grant_role(session, username=username, role=Role.REPORTER, actor="test")
    return principal_for(get_user(session, username))


def _ids(session: Session, principal: Principal) -> set[int]:
    return {r.id for r in list_reports(session, limit=None, principal=principal)}


def test_a_party_sees_another_partys_report_only_once_published(session: Session,
                                                                 world: World) -> None:
    party_a = world.callers[Caller.REPORTER]
    party_b = _reporter(session, world, "p2")
    theirs = world.report(world.orgs["p2"], confidential_source=SOURCE,
                          attachments=[{"filename": "crater.png", "content": PNG}])
    mine = world.report(world.orgs["p1"])
    assert mine in _ids(session, party_a) and theirs not in _ids(session, party_a)
    assert theirs in _ids(session, party_b)
    by_filter = list_reports(session, filters=ReportFilter(filed_by=world.orgs["p2"]),
                             limit=None, principal=party_a)
    assert by_filter == []
    with pytest.raises(NotFound) as hidden:
        get_report(session, theirs, principal=party_a)
    with pytest.raises(NotFound) as missing:
        get_report(session, 10**9, principal=party_a)
    # The refusal reads like a report that does not exist (only the id differs).
    assert hidden.value.message.replace(str(theirs), "N") == \
        missing.value.message.replace(str(10**9), "N")
    sha = get_report(session, theirs).attachments[0].sha256
    with pytest.raises(NotFound):
        attachment_content(session, theirs, sha, principal=party_a)
    with pytest.raises(NotFound):
        reveal_confidential_source(session, report_id=theirs, actor=party_a.actor,
                                   principal=party_a)

    # Triage into an incident does not publish it; the coordinator's publication does.
    incident = create_incident(session, data={"reports": [theirs]}, actor="test").id
    assert theirs not in _ids(session, party_a)
    world.decide(incident, world.truce)
    assert theirs not in _ids(session, party_a)
    with pytest.raises(NotFound):
        get_incident(session, incident, principal=party_a)
    publish_incident(session, principal=world.callers[Caller.COORDINATOR], incident_id=incident)
    assert theirs in _ids(session, party_a) and theirs in _ids(session, PUBLIC)
    assert get_report(session, theirs, principal=PUBLIC).id == theirs
    assert attachment_content(session, theirs, sha, principal=party_a)[1] == PNG
    assert incident in {i.id for i in list_incidents(session, limit=None, principal=PUBLIC)}
    # Published or not, the source stays with the filing party.
    for who in (party_a, world.callers[Caller.GUARANTOR_OFFICER],
                world.callers[Caller.COORDINATOR], world.callers[Caller.ADMINISTRATOR],
                world.callers[Caller.OBSERVER], PUBLIC):
        with pytest.raises(PermissionDenied):
            reveal_confidential_source(session, report_id=theirs, actor=who.actor, principal=who)
    revealed = reveal_confidential_source(session, report_id=theirs, actor=party_b.actor,
                                          principal=party_b)
    assert revealed is not None and revealed.identity == SOURCE["identity"]
    view = report_view(get_report(session, theirs, principal=party_a))
    assert "confidential_source" not in view and SOURCE["identity"] not in repr(view)
    readings = session.scalars(select(LogEntry).where(LogEntry.kind == "report.source_revealed"))
    assert [e.actor for e in readings] == [party_b.actor]


def test_guarantors_and_the_coordinator_see_every_report_but_no_source(session: Session,
                                                                       world: World) -> None:
    theirs = world.report(world.orgs["p2"], confidential_source=SOURCE)
    for caller in (Caller.GUARANTOR_OFFICER, Caller.COORDINATOR, Caller.OPERATOR):
        who = world.callers[caller]
        assert get_report(session, theirs, principal=who).id == theirs
        assert theirs in _ids(session, who)
    with pytest.raises(PermissionDenied):
        reveal_confidential_source(session, report_id=theirs, actor="x",
                                   principal=world.callers[Caller.GUARANTOR_OFFICER])


def test_observers_and_the_public_see_only_published_material(session: Session,
                                                              world: World) -> None:
    own_of_observer = world.report(world.orgs["ngo"])
    unpublished = world.incident(world.orgs["p1"])
    report, published = world.published(world.orgs["p2"])
    for who in (world.callers[Caller.OBSERVER], PUBLIC):
        assert _ids(session, who) == {report}
        assert own_of_observer not in _ids(session, who)
        assert [i.id for i in list_incidents(session, limit=None, principal=who)] == [published]
        with pytest.raises(NotFound):
            get_incident(session, unpublished, principal=who)
