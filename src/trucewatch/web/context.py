"""What every page needs: the store, the signed-in principal, rendering, CSRF, messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from trucewatch import __version__
from trucewatch.auth.principal import PUBLIC, Principal, Role
from trucewatch.auth.service import get_user, principal_for
from trucewatch.config import Settings
from trucewatch.errors import NotFound, PermissionDenied, TrucewatchError
from trucewatch.keys.signing import Keystore
from trucewatch.notifications.inbox import unread_count
from trucewatch.storage import Store
from trucewatch.web import i18n, words
from trucewatch.web.session import CSRF_FIELD, WebSession

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals["Role"] = Role
templates.env.globals["LANGUAGES"] = i18n.LANGUAGES
i18n.install(templates.env)
templates.env.filters["word"] = words.word
templates.env.filters["category"] = words.category
templates.env.globals["map_words"] = words.map_words


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def keystore_of(request: Request) -> Keystore:
    return Keystore(settings_of(request).keys_dir)


def web_session(request: Request) -> WebSession:
    found: WebSession = request.state.web_session
    return found


def principal_of(request: Request, session: Session) -> Principal:
    """The signed-in user's principal; the public when nobody (or a deactivated user) is."""
    username = web_session(request).username
    if username is None:
        return PUBLIC
    try:
        principal = principal_for(get_user(session, username))
    except (NotFound, PermissionDenied):
        web_session(request).sign_out()
        return PUBLIC
    assert principal.user_id is not None
    # For the header of the page being rendered, from the page's own transaction.
    request.state.unread_notifications = unread_count(session, user_id=principal.user_id)
    return principal


def render(request: Request, template: str, context: dict[str, Any], *,
           principal: Principal, status_code: int = 200) -> HTMLResponse:
    ws = web_session(request)
    language = language_of(request)
    i18n.use(language)
    return templates.TemplateResponse(request, template, {
        **context,
        "language": language,
        "direction": i18n.direction(language),
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "me": principal,
        "csrf_field": CSRF_FIELD,
        "csrf_token": ws.csrf_token(),
        "flashes": ws.take_flashes(),
        "version": __version__,
        "unread_notifications": getattr(request.state, "unread_notifications", 0),
    }, status_code=status_code)


def language_of(request: Request) -> str:
    """The language of this request's pages: the session's choice, else Accept-Language."""
    ws: WebSession | None = getattr(request.state, "web_session", None)
    return i18n.choose(ws.data.get("lang") if ws else None, request.headers.get("accept-language"))


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def back(request: Request, default: str) -> str:
    """Where a form came from (same site only), for returning after an action."""
    referer = request.headers.get("referer", "")
    parts = urlsplit(referer)
    if parts.netloc and parts.netloc == request.url.netloc and parts.path.startswith("/"):
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return default


async def checked_form(request: Request) -> dict[str, Any]:
    """The posted form, after its CSRF token matched the session's; raises otherwise."""
    form = await request.form()
    token = form.get(CSRF_FIELD)
    if not web_session(request).csrf_valid(token if isinstance(token, str) else None):
        raise CsrfFailure()
    return {key: form.getlist(key) if len(form.getlist(key)) > 1 else form.get(key)
            for key in form}


class CsrfFailure(Exception):
    """A POST without the session's CSRF token: answered 403, nothing done."""


def error_page(request: Request, exc: TrucewatchError, principal: Principal) -> HTMLResponse:
    status = 404 if isinstance(exc, PermissionDenied | NotFound) and exc.field in (
        "incident", "report") else exc.http_status
    return render(request, "error.html", {"error": exc, "status": status}, principal=principal,
                  status_code=status)


def failed(request: Request, exc: TrucewatchError, to: str) -> RedirectResponse:
    """After a refused action: the message on the page the user goes back to."""
    web_session(request).flash("error", str(exc))
    return redirect(to)


def done(request: Request, text: str, to: str) -> RedirectResponse:
    web_session(request).flash("ok", text)
    return redirect(to)
