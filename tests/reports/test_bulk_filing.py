"""The batch filing path's shortcuts keep what a filing guarantees.

``file_reports`` validates a batch in one pydantic call, writes rows with the driver's
executemany (``reports.inserts``) and builds the log's row snapshots from the values in
hand. These tests hold each shortcut to what the slow way gives: the stored rows, the
snapshots as ``row_values`` reads them back from the tables, the audit, and the first
error of a bad batch.
"""

from __future__ import annotations

import gc
import json
from datetime import UTC, datetime
from typing import Any, cast

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests import factories

from trucewatch.errors import InvalidInput
from trucewatch.log.export import audit_database
from trucewatch.log.models import LogEntry
from trucewatch.log.state import key_of, row_values
from trucewatch.reports import service
from trucewatch.reports.inserts import insert_rows
from trucewatch.reports.models import Casualty, ConfidentialSource, Report
from trucewatch.reports.service import file_report, file_reports
from trucewatch.storage import Store


@pytest.fixture
def filer(session: Session) -> str:
    gov = factories.organisation(session, "gov", aliases=("Syrian government",))
    opp = factories.organisation(session, "opp")
    factories.truce(session, parties=[gov, opp])
    return opp


def _batch() -> list[dict[str, Any]]:
    killed = {"outcome": "killed", "group": "civilian", "low": 1, "best": 2, "high": 3}
    injured = {"outcome": "injured", "group": "unknown", "best": 4}
    return [
        factories.report(casualties=[killed, injured], alleged_actor="Syrian government"),
        factories.report(occurred="2017-01-10T09:15:00+02:00", casualties=[],
                         confidential_source={"identity": "Abu Khalid", "contact": "+963"}),
        factories.report(occurred="2017-W02", latitude=36.0, longitude=37.0, casualties=[killed]),
        factories.report(idempotency_key=None, latitude=None, longitude=None, truce=None,
                         narrative="Écrit — مكتوب \U0001f600"),
    ]


def _snapshots(session: Session) -> list[dict[str, Any]]:
    body = session.scalars(sa.select(LogEntry.body).order_by(LogEntry.seq.desc())).first()
    return cast(list[dict[str, Any]], json.loads(body or "{}")["rows"])


def test_every_snapshot_is_the_stored_row_as_the_audit_reads_it(session: Session,
                                                                filer: str) -> None:
    filed = file_reports(session, submissions=_batch(), organisation=filer, actor="test")
    ids = [f.id for f in filed]
    tables = {t.name: t for t in (Report.__table__, Casualty.__table__,
                                  ConfidentialSource.__table__)}
    stored = []
    for report_id in ids:  # in the order the entry lists them: each report, then its rows
        for name, where in (("reports", "id"), ("report_casualties", "report_id"),
                            ("report_confidential_sources", "report_id")):
            table = cast(sa.Table, tables[name])
            for row in session.execute(sa.select(table).where(table.c[where] == report_id)
                                       .order_by(*table.primary_key.columns)).mappings():
                stored.append({"table": name, "key": list(key_of(table, dict(row))),
                               "values": row_values(table, dict(row))})
    assert _snapshots(session) == stored
    assert audit_database(session).problems == []


def test_a_report_filed_alone_snapshots_its_rows_too(session: Session, filer: str) -> None:
    filed = file_report(session, data=_batch()[0], organisation=filer, actor="test")
    rows = _snapshots(session)
    assert [r["table"] for r in rows] == ["reports", "report_casualties", "report_casualties"]
    assert rows[0]["key"] == [filed.id]
    assert audit_database(session).problems == []


def test_driver_inserts_store_what_a_core_insert_stores(store: Store) -> None:
    table = cast(sa.Table, Report.__table__)
    with store.session() as s:
        org = factories.organisation(s, "org")
        org_id = s.scalar(sa.text("SELECT id FROM actors WHERE slug = 'org'"))
    moment = datetime(2017, 1, 10, 7, 15, tzinfo=UTC)
    rows = [{"truce_id": None, "filed_by_org_id": org_id, "filed_by_user_id": None,
             "idempotency_key": f"{how}-{i}", "fingerprint": "f" * 64, "source_kind": "party",
             "source_description": "", "occurred_start": moment.replace(microsecond=i),
             "occurred_end": moment, "time_precision": "exact", "place_name": "Ariha",
             "latitude": 35.81 if i else None, "longitude": 36.61 if i else None,
             "geo_precision": None, "zone_id": None, "category": "shelling",
             "alleged_actor_id": None, "affected_actor_id": None, "narrative": "n",
             "synthetic": bool(i), "received_at": moment}
            for how in ("core", "driver") for i in range(3)]
    with store.session() as s:
        s.execute(sa.insert(table), rows[:3])
        insert_rows(s, table, rows[3:])
    names = [c.name for c in table.columns if c.name not in ("id", "idempotency_key")]
    with store.engine.connect() as conn:  # the raw stored text, not values read back
        stored = conn.exec_driver_sql(
            f"SELECT idempotency_key, {', '.join(names)} FROM reports ORDER BY id").all()
    core = {key.split("-")[1]: rest for key, *rest in stored if key.startswith("core")}
    driver = {key.split("-")[1]: rest for key, *rest in stored if key.startswith("driver")}
    assert core == driver and len(core) == 3
    assert org


def test_driver_inserts_refuse_to_skip_a_python_default(session: Session) -> None:
    table = cast(sa.Table, Report.__table__)
    with pytest.raises(ValueError, match="received_at"):
        insert_rows(session, table, [{"idempotency_key": "k", "fingerprint": "f"}])


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0)])
def test_a_bad_batch_names_its_first_bad_report_as_before(store: Store,
                                                         order: tuple[int, ...]) -> None:
    # One error the schema finds and two it cannot: whichever comes first in the batch is
    # the one named, although the batch is validated by pydantic in one call.
    bad = [factories.report(category="nope"), factories.report(occurred="2017-13-01"),
           factories.report(latitude=95.0)]
    fields = ["category", "occurred", "latitude"]
    with store.session() as s:
        filer = factories.organisation(s, "filer")
    submissions = [factories.report()] + [bad[i] for i in order]
    with pytest.raises(InvalidInput) as err, store.session() as s:
        file_reports(s, submissions=submissions, organisation=filer, actor="test")
    assert err.value.field == f"reports.1.{fields[order[0]]}"
    with store.session() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Report)) == 0


@pytest.mark.parametrize("size", [1, service.BULK])
def test_a_bulk_batch_is_filed_with_the_collector_paused_and_resumed(
        session: Session, filer: str, monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    seen: list[bool] = []
    lock = service.log.lock

    def watching_lock(s: Session) -> None:
        seen.append(gc.isenabled())
        lock(s)

    monkeypatch.setattr(service.log, "lock", watching_lock)
    was = gc.isenabled()
    gc.enable()
    try:
        batch = [factories.report(idempotency_key=f"bulk-{i}") for i in range(size)]
        file_reports(session, submissions=batch, organisation=filer, actor="test")
        assert seen == [size < service.BULK]  # paused for a bulk batch only
        assert gc.isenabled()
        bad = [factories.report(idempotency_key=f"bad-{i}") for i in range(size)]
        bad[-1]["latitude"] = 91.0
        with pytest.raises(InvalidInput):
            file_reports(session, submissions=bad, organisation=filer, actor="test")
        assert gc.isenabled()  # running again after a refused batch
    finally:
        (gc.enable if was else gc.disable)()
