"""The guarantors' review queue: open rounds (overdue first), decided ones awaiting publication,
and reports not yet in any incident."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from trucewatch.auth.policy import Action, allowed
from trucewatch.errors import PermissionDenied
from trucewatch.incidents.models import Incident
from trucewatch.reports.reading import UNLINKED, ReportFilter, list_reports, report_view
from trucewatch.storage.base import utcnow
from trucewatch.verification.models import ReviewRound
from trucewatch.verification.publication import DECIDED
from trucewatch.verification.seats import slugs
from trucewatch.web.context import error_page, principal_of, redirect, render, store_of
from trucewatch.web.i18n import _

router = APIRouter()


@router.get("/review", response_class=HTMLResponse)
def review_queue(request: Request) -> Response:
    with store_of(request).session() as session:
        me = principal_of(request, session)
        if me.is_public:
            return redirect("/sign-in")
        if not allowed(me, Action.INCIDENT_READ_UNPUBLISHED):
            return error_page(request, PermissionDenied(
                _("the review queue is for guarantor officers and the coordinator"),
                field="principal"), me)
        now = utcnow()
        rows = session.execute(
            select(ReviewRound, Incident).join(Incident, Incident.id == ReviewRound.incident_id)
            .where(ReviewRound.status == "open").order_by(ReviewRound.deadline)).all()
        names = slugs(session, {s for r, _ in rows for s in r.guarantor_ids})
        queue: list[dict[str, Any]] = []
        for rnd, incident in rows:
            assessed = {a.guarantor_id for a in rnd.assessments if a.is_current}
            queue.append({
                "round": rnd, "incident": incident, "overdue": rnd.deadline < now,
                "deadline": rnd.deadline,
                "seats": [(names[s], s in assessed) for s in rnd.guarantor_ids],
                "mine_due": me.organisation_id in rnd.guarantor_ids
                and me.organisation_id not in assessed})
        queue.sort(key=lambda q: (not q["overdue"], q["deadline"]))
        unpublished = list(session.scalars(
            select(Incident).where(Incident.status.in_(DECIDED)).order_by(Incident.id)))
        to_publish = [i for i in unpublished if i.published_at is None]
        free = [report_view(r) for r in list_reports(
            session, filters=ReportFilter(status=UNLINKED), limit=None, principal=me)]
        free.reverse()
        return render(request, "review.html", {
            "queue": queue, "to_publish": to_publish, "free_reports": free[:50],
            "free_total": len(free)}, principal=me)
