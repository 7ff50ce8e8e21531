"""The bulletin page and its PDF: the same document as ``trucewatch bulletin`` (thin)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from trucewatch.auth.policy import Action, allowed
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
                                      edition=edition_of(edition))
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
                                      edition=edition_of(edition))
        except TrucewatchError as exc:
            return error_page(request, exc, me)
    html = render_html(bulletin, data_dir=settings_of(request).data_dir,
                       language=language_of(request))
    name = f"bulletin-{chosen.kind.value}-{chosen.first.isoformat()}-{bulletin.edition.value}.pdf"
    return Response(render_pdf(html), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _today() -> str:
    return datetime.now(UTC).date().isoformat()

