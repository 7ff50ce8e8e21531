"""Exports on the demo, both stores: each format reads back to the same views, each caller
gets what it may read (the public: published material), no export names a confidential source."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests import factories
from trucewatch.auth.principal import PUBLIC, Principal
from trucewatch.auth.service import get_user, principal_for
from trucewatch.errors import InvalidInput
from trucewatch.exchange.exporting import (
    INCIDENT_COLUMNS,
    REPORT_COLUMNS,
    ExportFilter,
    csv_cell,
    export,
)
from trucewatch.incidents.listing import IncidentFilter, list_incidents
from trucewatch.reports.reading import ReportFilter, incident_of, list_reports, report_view
from trucewatch.reports.service import file_report, file_reports
from trucewatch.storage import Store

SECRET = "Resident Q. Confidential-7731"


def _text(session: Session, subject: str, fmt: str, who: Principal | None,
          filters: ExportFilter | None = None, page: int = 7) -> str:
    return "".join(export(session, subject=subject, format=fmt, principal=who,
                          filters=filters or ExportFilter(), page=page))


def _expected(session: Session, who: Principal | None,
              filters: ReportFilter | None = None) -> list[dict[str, Any]]:
    return [report_view(r, incident_id=incident_of(session, r.id))
            for r in list_reports(session, filters=filters or ReportFilter(), limit=None,
                                  principal=who)]


def _file_confidential(session: Session) -> None:
    file_report(session, data=factories.report(
        confidential_source={"identity": SECRET, "contact": "+963 555 0101"}),
        organisation="armed-opposition", actor="test")


def _callers(session: Session) -> dict[str, Principal | None]:
    return {"operator": None, "public": PUBLIC,
            "officer": principal_for(get_user(session, "ru-officer")),
            "party": principal_for(get_user(session, "opp-reporter"))}


def test_each_format_reads_back_as_the_views_each_caller_may_read(demo_store: Store) -> None:
    with demo_store.session() as session:
        _file_confidential(session)
    with demo_store.session() as session:
        for name, who in _callers(session).items():
            expected = _expected(session, who)
            assert expected, name
            lines = _text(session, "reports", "jsonl", who).splitlines()
            assert [json.loads(line) for line in lines] == expected, name
            collection = json.loads(_text(session, "reports", "geojson", who))
            assert collection["type"] == "FeatureCollection"
            assert [f["properties"] for f in collection["features"]] == expected
            assert all(f["geometry"] == {"type": "Point", "coordinates": [
                f["properties"]["longitude"], f["properties"]["latitude"]]}
                for f in collection["features"] if f["properties"]["latitude"] is not None)
            rows = list(csv.DictReader(io.StringIO(_text(session, "reports", "csv", who))))
            assert rows == [{c: csv_cell(v[c]) for c in REPORT_COLUMNS} for v in expected]
            acled_rows = list(csv.DictReader(io.StringIO(_text(session, "reports", "acled",
                                                               who))))
            assert [r["event_id_cnty"] for r in acled_rows] == [f"TW{v['id']}" for v in expected]


def test_the_public_sees_published_material_only(demo_store: Store) -> None:
    with demo_store.session() as session:
        everything = _expected(session, None)
        public = _expected(session, PUBLIC)
        published = {i.id for i in list_incidents(session, principal=PUBLIC,
                                                  filters=IncidentFilter(), limit=None)}
        assert published and 0 < len(public) < len(everything)
        assert all(v["incident"] in published for v in public)
        incidents = [json.loads(line)
                     for line in _text(session, "incidents", "jsonl", PUBLIC).splitlines()]
        assert {i["id"] for i in incidents} == published
        assert all(i["published_at"] for i in incidents)
        every = [json.loads(line)
                 for line in _text(session, "incidents", "jsonl", None).splitlines()]
        assert len(every) > len(incidents)
        rows = list(csv.DictReader(io.StringIO(_text(session, "incidents", "csv", PUBLIC))))
        assert [r["id"] for r in rows] == [str(i["id"]) for i in incidents]
        assert list(rows[0]) == list(INCIDENT_COLUMNS)


def test_no_export_names_a_confidential_source(demo_store: Store) -> None:
    with demo_store.session() as session:
        _file_confidential(session)
    with demo_store.session() as session:
        for who in _callers(session).values():
            for subject, fmt in (("reports", "acled"), ("reports", "csv"),
                                 ("reports", "geojson"), ("reports", "jsonl"),
                                 ("incidents", "csv"), ("incidents", "jsonl")):
                text = _text(session, subject, fmt, who)
                assert SECRET not in text and "+963 555 0101" not in text
                assert "confidential_source" not in text


def test_filters_by_date_and_truce(demo_store: Store) -> None:
    with demo_store.session() as session:
        filters = ExportFilter(occurred_from="2017-01-10", occurred_to="2017-01-20",
                               truce="syria-2016-12-30")
        expected = _expected(session, None, ReportFilter(occurred_from="2017-01-10",
                                                         occurred_to="2017-01-20",
                                                         truce="syria-2016-12-30"))
        got = [json.loads(line) for line in _text(session, "reports", "jsonl", None,
                                                  filters).splitlines()]
        assert got == expected and 0 < len(got) < len(_expected(session, None))
        assert _text(session, "reports", "jsonl", None, ExportFilter(truce="no-such")) == ""


@pytest.mark.parametrize(("subject", "fmt", "filters", "field"), [
    ("reports", "xml", ExportFilter(), "format"),
    ("talks", "csv", ExportFilter(), "subject"),
    ("incidents", "acled", ExportFilter(), "format"),
    ("reports", "csv", ExportFilter(occurred_from="2017-02-30"), "occurred_from"),
])
def test_bad_arguments_are_refused_before_anything_is_written(
        demo_store: Store, subject: str, fmt: str, filters: ExportFilter, field: str) -> None:
    with demo_store.session() as session, pytest.raises(InvalidInput) as caught:
        export(session, subject=subject, format=fmt, principal=None, filters=filters)
    assert caught.value.field == field


def test_an_export_reads_one_page_at_a_time(store: Store) -> None:
    with store.session() as session:
        org = factories.organisation(session)
        file_reports(session, submissions=[factories.report() for _ in range(25)],
                     organisation=org, actor="test")
    with store.session() as session:
        chunks = export(session, subject="reports", format="csv", principal=None, page=10)
        header = next(chunks)
        assert header.startswith("id,truce,filed_by")
        pages = list(chunks)
        assert [page.count("\r\n") for page in pages] == [10, 10, 5]
        jsonl = list(export(session, subject="reports", format="jsonl", principal=None,
                            page=10))
        assert [chunk.count("\n") for chunk in jsonl] == [10, 10, 5]
