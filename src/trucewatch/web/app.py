"""Install the pages on the application: security headers, the session, static assets, views.

Leaflet and its marker clusters are served from their registry packages (xstatic), the
basemap from Natural Earth and the user's own import: the pages load nothing from the
internet, and the Content-Security-Policy lets them load nothing but this server's files.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from html import escape
from typing import Any

import xstatic.pkg.leaflet as leaflet
import xstatic.pkg.leaflet_markercluster as markercluster
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.base import BaseHTTPMiddleware, DispatchFunction
from starlette.types import ASGIApp, Receive, Scope, Send

from trucewatch.storage import Store
from trucewatch.web import i18n
from trucewatch.web.context import HERE, CsrfFailure, language_of, templates
from trucewatch.web.session import WebSession, load_secret, serializer_for
from trucewatch.web.throttle import SignInThrottle

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def json_for_script(value: Any) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' can end it early."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


templates.env.filters["script_json"] = json_for_script


def create_app(store: Store) -> FastAPI:
    """The whole application (API and pages); kept here for callers of the first version."""
    from trucewatch.app import create_app as create

    return create(store)


def install(app: FastAPI) -> None:
    """Mount the static assets and the pages on ``app`` (its ``state.store`` is the store)."""
    from trucewatch.web.views.account import router as account
    from trucewatch.web.views.admin import router as admin
    from trucewatch.web.views.bulk import router as bulk
    from trucewatch.web.views.bulletins import router as bulletins
    from trucewatch.web.views.incidents import router as incidents
    from trucewatch.web.views.ingest import router as ingest
    from trucewatch.web.views.language import router as language
    from trucewatch.web.views.maps import router as maps
    from trucewatch.web.views.notifications import router as notifications
    from trucewatch.web.views.reports import router as reports
    from trucewatch.web.views.review import router as review
    from trucewatch.web.views.talks import router as talks

    app.state.sign_in_throttle = SignInThrottle(app.state.settings.keys_dir)
    app.mount("/static/leaflet", StaticFiles(directory=leaflet.BASE_DIR), name="leaflet")
    app.mount("/static/markercluster", StaticFiles(directory=markercluster.BASE_DIR),
              name="markercluster")
    app.mount("/static/app", StaticFiles(directory=HERE / "static"), name="app")
    for router in (maps, account, language, reports, review, incidents, admin, notifications,
                   talks, bulk, ingest, bulletins):
        app.include_router(router)

    @app.exception_handler(CsrfFailure)
    async def refused(request: Request, exc: CsrfFailure) -> HTMLResponse:
        language = language_of(request)
        i18n.use(language)
        title = escape(i18n.gettext("Refused"))
        text = escape(i18n.gettext("The form was stale or did not come from this site. Go back, "
                                   "reload the page and try again."))
        return HTMLResponse(f'<!doctype html><html lang="{language}" '
                            f'dir="{i18n.direction(language)}"><title>{title}</title>'
                            f"<h1>{title}</h1><p>{text}</p></html>", status_code=403)

    async def pages_session(request: Request,
                            call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        serializer = _serializer(app)
        ws = WebSession.load(request, serializer)
        request.state.web_session = ws
        i18n.use(language_of(request))  # for the messages a view says, as for its page
        response = await call_next(request)
        ws.save(response, serializer)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    app.add_middleware(PagesOnly, dispatch=pages_session)


class PagesOnly:
    """``dispatch`` as an HTTP middleware of the pages; requests under /api/ go straight past
    it (a BaseHTTPMiddleware, even one that only hands a request on, costs each request a
    task and a stream of its response)."""

    def __init__(self, app: ASGIApp, *, dispatch: DispatchFunction) -> None:
        self.app = app
        self.pages = BaseHTTPMiddleware(app, dispatch=dispatch)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith("/api/"):
            await self.app(scope, receive, send)
            return
        await self.pages(scope, receive, send)


def _serializer(app: FastAPI) -> Any:
    found = getattr(app.state, "session_serializer", None)
    if found is None:
        found = serializer_for(load_secret(app.state.settings.keys_dir))
        app.state.session_serializer = found
    return found
