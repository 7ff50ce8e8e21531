"""/api/v1/exports and /api/v1/imports over HTTP on the demo, both stores."""

from __future__ import annotations

import csv
import io
import json

from httpx import Response
from sqlalchemy import func, select

from tests.api.conftest import Api, api  # noqa: F401  (fixture)
from tests.exchange.acled_rows import row, to_csv
from trucewatch.auth.principal import PUBLIC
from trucewatch.auth.service import get_user, principal_for
from trucewatch.reports.models import Report
from trucewatch.reports.reading import ReportFilter, list_reports

MAY = [row(event_date=f"2018-05-{day:02d}", year="2018") for day in (3, 9, 17)]


def _count(api: Api) -> int:  # noqa: F811
    with api.store.session() as session:
        return session.scalar(select(func.count()).select_from(Report)) or 0


def _upload(api: Api, text: str, who: str | None, **params: str) -> Response:  # noqa: F811
    return api.client.post("/api/v1/imports/acled", params=params,
                           headers=api.as_(who) if who else {},
                           files={"file": ("acled.csv", text.encode(), "text/csv")})


def test_exports_stream_what_each_caller_may_read(api: Api) -> None:  # noqa: F811
    with api.store.session() as session:
        public = [r.id for r in list_reports(session, filters=ReportFilter(), limit=None,
                                             principal=PUBLIC)]
        officer = [r.id for r in list_reports(
            session, filters=ReportFilter(), limit=None,
            principal=principal_for(get_user(session, "ru-officer")))]
    answer = api.client.get("/api/v1/exports/reports")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/jsonl"
    assert answer.headers["content-disposition"] == 'attachment; filename="reports.jsonl"'
    assert [json.loads(line)["id"] for line in answer.text.splitlines()] == public
    answer = api.client.get("/api/v1/exports/reports", params={"format": "geojson"},
                            headers=api.as_("ru-officer"))
    assert [f["id"] for f in answer.json()["features"]] == officer and len(officer) > len(public)
    answer = api.client.get("/api/v1/exports/incidents", params={"format": "csv"})
    assert answer.headers["content-type"].startswith("text/csv")
    assert all(r["published_at"] for r in csv.DictReader(io.StringIO(answer.text)))


def test_bad_export_arguments_are_problems(api: Api) -> None:  # noqa: F811
    for path, params, field in (
            ("/api/v1/exports/incidents", {"format": "acled"}, "format"),
            ("/api/v1/exports/reports", {"from": "2017-02-30"}, "occurred_from")):
        answer = api.client.get(path, params=params)
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert field in answer.text
    assert api.client.get("/api/v1/exports/reports", params={"format": "xml"}).status_code == 422


def test_a_coordinator_imports_and_the_file_comes_back(api: Api) -> None:  # noqa: F811
    before = _count(api)
    assert _upload(api, to_csv(MAY), None).status_code in (401, 403)
    refused = _upload(api, to_csv(MAY), "gov-reporter")
    assert refused.status_code == 403 and "exchange.import" in refused.text
    answer = _upload(api, to_csv(MAY), "un-coordinator", mode="reports")
    assert answer.status_code == 200, answer.text
    assert answer.json()["filed"] == 3 and _count(api) == before + 3
    back = api.client.get("/api/v1/exports/reports", headers=api.as_("un-coordinator"),
                          params={"format": "acled", "from": "2018-05-01", "to": "2018-05-31"})
    assert back.text == to_csv(MAY)


def test_a_bad_upload_stores_nothing_unless_skip_bad(api: Api) -> None:  # noqa: F811
    before = _count(api)
    text = to_csv([row(), row(fatalities="many"), row()])
    answer = _upload(api, text, "un-coordinator", mode="reports")
    assert answer.status_code == 422
    assert "line 3 (fatalities)" in answer.json()["detail"]
    assert _count(api) == before
    answer = _upload(api, text, "un-coordinator", skip_bad="true", mode="reports")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["filed"], body["rejected"]) == (2, 1) and _count(api) == before + 2
    (rejected,) = csv.DictReader(io.StringIO(body["rejected_csv"]))
    assert rejected["trucewatch_line"] == "3" and rejected["fatalities"] == "many"


def test_an_acled_upload_is_a_dataset_by_default(api: Api) -> None:  # noqa: F811
    before = _count(api)
    assert _upload(api, to_csv(MAY), "gov-reporter").status_code == 403
    answer = _upload(api, to_csv(MAY), "un-coordinator")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["mode"], body["stored"], body["filed"]) == ("dataset", 3, 0)
    assert _count(api) == before  # no report filed
    dataset = body["dataset"]
    listed = api.client.get("/api/v1/datasets", headers=api.as_("gov-reporter"))
    assert [d["id"] for d in listed.json()] == [dataset]
    back = api.client.get(f"/api/v1/exports/datasets/{dataset}", headers=api.as_("ru-officer"))
    assert back.status_code == 200 and back.text == to_csv(MAY)
    assert back.headers["content-disposition"] == 'attachment; filename="acled.csv"'
    assert api.client.get(f"/api/v1/exports/datasets/{dataset}").status_code in (401, 403)
    assert api.client.get("/api/v1/exports/datasets/999",
                          headers=api.as_("ru-officer")).status_code == 404
    bad = _upload(api, to_csv([row(), row(latitude="x")]), "un-coordinator")
    assert bad.status_code == 422 and "line 3 (latitude)" in bad.json()["detail"]
    assert _upload(api, to_csv(MAY), "un-coordinator", truce="x").status_code == 422
