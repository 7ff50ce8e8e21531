"""The bulletin page, its PDF and the complete list of its incidents (CSV, GeoJSON): the same
documents as ``trucewatch bulletin`` (thin)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from trucewatch.auth.policy import Action, allowed
from trucewatch.bulletins.listing import MEDIA_TYPES, file_name, listing
from trucewatch.bulletins.render import context as bulletin_context
from trucewatch.bulletins.service import (
    PeriodKind,
    build_bulletin,
    edition_of,
    period_of,
    render_html,
    render_pdf,
)
from trucewatch.errors import TrucewatchError
from trucewatch.web.context import (
    error_page,
    language_of,
    principal_of,
    render,
    settings_of,
    store_of,
)

router = APIRouter()


@router.get("/bulletins", response_class=HTMLResponse)
def bulletin_page(request: Request, period: str = "week", date: str | None = None,
                  edition: str = "public") -> Response:
    day = date or _today()
    with store_of(request).session() as session:
        me = principal_of(request, session)
        try:
            bulletin = build_bulletin(session, principal=me, period=period_of(period, day),
                                      edition=edition_of(edition),
                                      data_dir=settings_of(request).data_dir)
        except TrucewatchError as exc:
            return error_page(request, exc, me)
        return render(request, "bulletin.html", {
            **bulletin_context(bulletin, data_dir=settings_of(request).data_dir),
            "periods": [p.value for p in PeriodKind],
            "chosen": {"period": period, "date": day, "edition": bulletin.edition.value},
            "may_guarantor": allowed(me, Action.BULLETIN_GUARANTOR) and not me.is_public,
        }, principal=me)


@router.get("/bulletins.pdf")
def bulletin_pdf(request: Request, period: str = "week", date: str | None = None,
                 edition: str = "public") -> Response:
    with store_of(request).session() as session:
        me = principal_of(request, session)
        try:
            chosen = period_of(period, date or _today())
            bulletin = build_bulletin(session, principal=me, period=chosen,
                                      edition=edition_of(edition),
                                      data_dir=settings_of(request).data_dir)
        except TrucewatchError as exc:
            return error_page(request, exc, me)
    settings = settings_of(request)
    html = render_html(bulletin, data_dir=settings.data_dir, language=language_of(request),
                       base_url=settings.base_url)
    return Response(render_pdf(html), media_type="application/pdf",
                    headers={"Content-Disposition":
                             f'attachment; filename="{file_name(bulletin, "pdf")}"'})


@router.get("/bulletins.csv")
def bulletin_csv(request: Request, period: str = "week", date: str | None = None,
                 edition: str = "public") -> Response:
    return _full_list(request, "csv", period, date, edition)


@router.get("/bulletins.geojson")
def bulletin_geojson(request: Request, period: str = "week", date: str | None = None,
                     edition: str = "public") -> Response:
    return _full_list(request, "geojson", period, date, edition)


def _full_list(request: Request, format: str, period: str, date: str | None,
               edition: str) -> Response:
    """Every incident the bulletin counts, under the same edition's rule as the bulletin."""
    with store_of(request).session() as session:
        me = principal_of(request, session)
        try:
            bulletin = build_bulletin(session, principal=me,
                                      period=period_of(period, date or _today()),
                                      edition=edition_of(edition),
                                      data_dir=settings_of(request).data_dir)
        except TrucewatchError as exc:
            return error_page(request, exc, me)
    return StreamingResponse(listing(bulletin, format=format), media_type=MEDIA_TYPES[format],
                             headers={"Content-Disposition":
                                      f'attachment; filename="{file_name(bulletin, format)}"'})


def _today() -> str:
    return datetime.now(UTC).date().isoformat()

