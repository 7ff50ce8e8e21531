"""Filing reports: stored once per idempotency key, checked before anything is written."""

from __future__ import annotations

import hashlib
import json

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests import factories

from trucewatch.errors import IdempotencyConflict, InvalidInput, UnknownReference
from trucewatch.log.models import LogEntry
from trucewatch.log.service import entries_for, verify
from trucewatch.reports.models import AttachmentBlob, ConfidentialSource, Report
from trucewatch.reports.reading import get_report, report_view, reveal_confidential_source
from trucewatch.reports.service import Limits, file_report, file_reports, filing_entry
from trucewatch.storage import Store

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


@pytest.fixture
def world(session: Session) -> dict[str, str]:
    alleged = factories.organisation(session, "gov", aliases=("Syrian government",))
    filer = factories.organisation(session, "opp")
    truce = factories.truce(session, parties=[alleged, filer])
    return {"filer": filer, "alleged": alleged, "truce": truce}


def _count(session: Session, model: type) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_report_is_stored_with_all_its_parts(session: Session, world: dict) -> None:
    data = factories.report(alleged_actor="Syrian government", affected_actor="opp",
                            occurred="2017-01-10T09:15:00+02:00",
                            attachments=[{"filename": "crater.png", "content": PNG}])
    filed = file_report(session, data=data, organisation=world["filer"], actor="test")
    assert filed.created
    report = get_report(session, filed.id)
    view = report_view(report)
    assert view["alleged_actor"] == "gov" and view["affected_actor"] == "opp"
    assert view["time_precision"] == "exact"
    assert view["occurred_start"] == "2017-01-10T07:15:00Z"
    assert view["zone_id"] is not None  # Ariha lies in the factory truce's zone
    assert report.truce_id is not None  # the truce in force on that day
    assert view["casualties"] == [{"outcome": "killed", "group": "civilian", "low": 1,
                                   "best": 2, "high": 3}]
    (att,) = view["attachments"]
    assert att["sha256"] == hashlib.sha256(PNG).hexdigest() and att["media_type"] == "image/png"


def test_a_retry_with_the_same_key_is_stored_once(session: Session, world: dict) -> None:
    data = factories.report(idempotency_key="field-phone-42")
    first = file_report(session, data=data, organisation=world["filer"], actor="test")
    again = file_report(session, data=dict(data), organisation=world["filer"], actor="test")
    assert (again.id, again.created) == (first.id, False)
    assert _count(session, Report) == 1
    assert len(entries_for(session, f"report:{first.id}")) == 1


def test_the_same_key_with_other_content_is_a_conflict(session: Session, world: dict) -> None:
    file_report(session, data=factories.report(idempotency_key="k"), organisation=world["filer"],
                actor="test")
    with pytest.raises(IdempotencyConflict) as err:
        file_report(session, data=factories.report(idempotency_key="k", narrative="changed"),
                    organisation=world["filer"], actor="test")
    assert err.value.field == "idempotency_key"


def test_keys_are_per_organisation(session: Session, world: dict) -> None:
    other = factories.organisation(session, "monitor-team", org_type="international_organisation")
    a = file_report(session, data=factories.report(idempotency_key="k"),
                    organisation=world["filer"], actor="test")
    b = file_report(session, data=factories.report(idempotency_key="k"), organisation=other,
                    actor="test")
    assert a.id != b.id and b.created


def test_a_batch_repeating_a_key_stores_it_once(session: Session, world: dict) -> None:
    data = factories.report(idempotency_key="twice")
    filed = file_reports(session, submissions=[data, dict(data)], organisation=world["filer"],
                         actor="test")
    assert filed[0] == filed[1] or (filed[0].id == filed[1].id and not filed[1].created)
    assert _count(session, Report) == 1


def test_a_batch_is_one_log_entry_with_every_row(session: Session, world: dict) -> None:
    casualty = {"outcome": "killed", "group": "civilian", "low": 1, "best": 1, "high": 1}
    filed = file_reports(session, organisation=world["filer"], actor="test", submissions=[
        factories.report(idempotency_key="a", casualties=[casualty]),
        factories.report(idempotency_key="b", casualties=[],
                         confidential_source={"identity": "Abu Khalid"}),
        factories.report(idempotency_key="c", casualties=[])])
    ids = [f.id for f in filed]
    (entry,) = session.scalars(sa.select(LogEntry).where(LogEntry.kind == "reports.filed"))
    assert entry.subject == f"reports:{min(ids)}-{max(ids)}"
    assert all(filing_entry(session, report_id) == entry for report_id in ids)
    body = json.loads(entry.body)
    assert [r["id"] for r in body["payload"]["reports"]] == ids
    assert sorted(r["table"] for r in body["rows"]) == [
        "report_casualties", "report_confidential_sources", "reports", "reports", "reports"]
    assert "Abu Khalid" not in entry.body
    alone = file_report(session, data=factories.report(idempotency_key="d"),
                        organisation=world["filer"], actor="test")
    assert filing_entry(session, alone.id).kind == "report.filed"  # type: ignore[union-attr]
    assert filing_entry(session, alone.id + 1) is None
    assert verify(session) == []


def test_one_bad_report_in_a_batch_writes_nothing(store: Store) -> None:
    with store.session() as s:
        filer = factories.organisation(s, "filer")
    with pytest.raises(InvalidInput) as err, store.session() as s:
        file_reports(s, submissions=[factories.report(), factories.report(latitude=95.0)],
                     organisation=filer, actor="test")
    assert err.value.field == "reports.1.latitude"
    with store.session() as s:
        assert _count(s, Report) == 0
        assert _count(s, LogEntry) == 1  # only the actor's creation


def test_confidential_source_is_kept_apart(session: Session, world: dict) -> None:
    data = factories.report(confidential_source={"identity": "Abu Khalid, Ariha council",
                                                 "contact": "+963 000"})
    filed = file_report(session, data=data, organisation=world["filer"], actor="test")
    view = report_view(get_report(session, filed.id))
    assert "confidential_source" not in view
    assert "Abu Khalid" not in json.dumps(view)
    (entry,) = entries_for(session, f"report:{filed.id}")
    assert "Abu Khalid" not in entry.body
    source = session.get(ConfidentialSource, filed.id)
    commitment = json.loads(entry.body)["payload"]["confidential_source_commitment"]
    assert commitment == hashlib.sha256((source.salt + source.identity).encode()).hexdigest()
    revealed = reveal_confidential_source(session, report_id=filed.id, actor="user:opp-admin")
    assert revealed.identity == "Abu Khalid, Ariha council"
    assert entries_for(session, f"report:{filed.id}")[-1].kind == "report.source_revealed"


def test_identical_attachments_are_stored_once(session: Session, world: dict) -> None:
    for _ in range(2):
        file_report(session, data=factories.report(
            attachments=[{"filename": "a.png", "content": PNG}]), organisation=world["filer"],
            actor="test")
    assert _count(session, AttachmentBlob) == 1


@pytest.mark.parametrize("overrides, field", [
    ({"latitude": 91.0}, "latitude"),
    ({"longitude": -180.5}, "longitude"),
    ({"latitude": float("nan")}, "latitude"),
    ({"longitude": None}, "longitude"),
    ({"occurred": "2017-02-30"}, "occurred"),
    ({"occurred": "2999-01-01"}, "occurred"),
    ({"category": "bombing"}, "category"),
    ({"source_kind": "rumour"}, "source_kind"),
    ({"alleged_actor": "Nobody known"}, "alleged_actor"),
    ({"truce": "no-such-truce"}, "truce"),
    ({"casualties": [{"outcome": "killed", "best": 5, "low": 6}]}, "casualties.0"),
    ({"casualties": [{"outcome": "killed", "best": -1}]}, "casualties.0.best"),
    ({"casualties": [{"outcome": "killed", "best": 1}, {"outcome": "killed", "best": 2}]}, None),
    ({"place_name": "", "latitude": None, "longitude": None}, None),
    ({"narrative": "x\x00y"}, "narrative"),
    ({"unexpected": 1}, "unexpected"),
    ({"idempotency_key": "has space"}, "idempotency_key"),
    ({"attachments": [{"filename": "../../etc/passwd", "content": b"root"}]},
     "attachments.0.filename"),
    ({"attachments": [{"filename": "a.exe", "content": b"MZ\x90\x00\x03" + b"\x00" * 60}]},
     "attachments.0.content"),
    ({"attachments": [{"filename": "empty.txt", "content": b""}]}, "attachments.0.content"),
])
def test_bad_reports_name_the_field_and_write_nothing(store: Store, overrides: dict,
                                                      field: str | None) -> None:
    with store.session() as s:
        filer = factories.organisation(s, "filer")
        factories.truce(s, slug="t")
    with pytest.raises(InvalidInput) as err, store.session() as s:
        file_report(s, data=factories.report(**overrides), organisation=filer, actor="test")
    if field:
        assert err.value.field == field, err.value
    with store.session() as s:
        assert _count(s, Report) == 0


def test_size_limits(session: Session, world: dict) -> None:
    limits = Limits(max_attachment_bytes=10, max_narrative_chars=5)
    with pytest.raises(InvalidInput) as err:
        file_report(session, data=factories.report(narrative="too long"),
                    organisation=world["filer"], actor="test", limits=limits)
    assert err.value.field == "narrative"
    with pytest.raises(InvalidInput) as err:
        file_report(session, data=factories.report(
            narrative="", attachments=[{"filename": "a.png", "content": PNG}]),
            organisation=world["filer"], actor="test", limits=limits)
    assert err.value.field == "attachments.0.content"


def test_the_filer_must_be_a_known_organisation_and_user(session: Session, world: dict) -> None:
    with pytest.raises(UnknownReference) as err:
        file_report(session, data=factories.report(), organisation="nobody", actor="test")
    assert err.value.field == "organisation"
    with pytest.raises(UnknownReference) as err:
        file_report(session, data=factories.report(), organisation=world["filer"],
                    user="ghost", actor="test")
    assert err.value.field == "user"


def test_every_filing_is_in_a_log_that_verifies(session: Session, world: dict) -> None:
    for _ in range(5):
        file_report(session, data=factories.report(), organisation=world["filer"], actor="test")
    assert verify(session) == []
