"""The bare FastAPI app of bench/api.py: one INSERT per report, one SELECT per incident page.

No validation beyond JSON, no access rules, no log, no idempotency: what is left is the
HTTP server, FastAPI's routing and JSON, the pool and the database, on the engine settings
trucewatch uses (``storage.engine.make_engine``: on SQLite WAL and ``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import Body, FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import ColumnElement, Table, insert, select

from trucewatch.actors.models import Actor
from trucewatch.incidents.models import Incident
from trucewatch.reports.models import Report
from trucewatch.storage.engine import make_engine
from trucewatch.truces.models import Truce

REPORTS: Table = Report.__table__  # type: ignore[assignment]
INCIDENTS: Table = Incident.__table__  # type: ignore[assignment]


def bare_app(insert_url: str, select_url: str) -> FastAPI:
    writes, reads = make_engine(insert_url), make_engine(select_url)
    with writes.connect() as conn:
        truce_id = conn.scalar(select(Truce.id).order_by(Truce.id).limit(1))
        org_id = conn.scalar(select(Actor.id).where(Actor.slug == "syrian-government"))
    app = FastAPI()

    @app.get("/ready")
    def ready() -> dict[str, bool]:
        return {"ok": True}

    @app.post("/reports", status_code=201)
    def file(body: dict[str, Any] = Body()) -> dict[str, int]:  # noqa: B008
        day = _start(str(body["occurred"]))
        with writes.begin() as conn:
            new_id = conn.execute(insert(REPORTS).returning(REPORTS.c.id), {
                "truce_id": truce_id, "filed_by_org_id": org_id,
                "idempotency_key": body.get("idempotency_key") or f"bare-{datetime.now(UTC)}",
                "fingerprint": "0" * 64, "source_kind": body["source_kind"],
                "source_description": body.get("source_description") or "",
                "occurred_start": day, "occurred_end": day + timedelta(days=1),
                "time_precision": "day", "place_name": body.get("place_name") or "",
                "latitude": body.get("latitude"), "longitude": body.get("longitude"),
                "geo_precision": body.get("geo_precision"), "category": body["category"],
                "narrative": body.get("narrative") or "", "synthetic": True,
            }).scalar_one()
        return {"id": new_id}

    @app.get("/incidents")
    def incidents(limit: int = 50, after: int = 0, status: str | None = None,
                  category: str | None = None, occurred_from: str | None = None,
                  occurred_to: str | None = None, bbox: str | None = None,
                  public: bool = False) -> JSONResponse:
        where: list[ColumnElement[bool]] = [INCIDENTS.c.id > after]
        if public:
            where.append(INCIDENTS.c.published_at.is_not(None))
        if status:
            where.append(INCIDENTS.c.status == status)
        if category:
            where.append(INCIDENTS.c.category == category)
        if occurred_from:
            where.append(INCIDENTS.c.occurred_end > _day(occurred_from))
        if occurred_to:
            where.append(INCIDENTS.c.occurred_start < _day(occurred_to) + timedelta(days=1))
        if bbox:
            w, s, e, n = (float(v) for v in bbox.split(","))
            where += [INCIDENTS.c.longitude.between(w, e), INCIDENTS.c.latitude.between(s, n)]
        query = select(INCIDENTS).where(*where).order_by(INCIDENTS.c.id).limit(limit + 1)
        with reads.begin() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        items = [{k: v.isoformat() if isinstance(v, datetime) else v for k, v in r.items()}
                 for r in rows[:limit]]
        return JSONResponse({"items": items,
                             "next": items[-1]["id"] if len(rows) > limit else None})

    return app


def _start(occurred: str) -> datetime:
    """The day a submission's time starts on (a week or a month: its year's first day)."""
    try:
        return datetime.fromisoformat(occurred[:10]).replace(tzinfo=UTC)
    except ValueError:
        return datetime(int(occurred[:4]), 1, 1, tzinfo=UTC)


def _day(value: str) -> datetime:
    return datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=UTC)
