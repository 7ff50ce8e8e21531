"""Signing in and out: a username and password, a fresh signed session, a limit on attempts."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from trucewatch.auth.passwords import authenticate
from trucewatch.auth.principal import PUBLIC, Principal
from trucewatch.errors import PermissionDenied
from trucewatch.web.context import checked_form, principal_of, redirect, render, store_of, web_session
from trucewatch.web.i18n import _
from trucewatch.web.throttle import SignInThrottle

router = APIRouter()


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request) -> HTMLResponse:
    with store_of(request).session() as session:
        me = principal_of(request, session)
    return render(request, "sign_in.html", {"username": ""}, principal=me)


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(request: Request) -> Response:
    form = await checked_form(request)
    username = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    address = request.client.host if request.client else "unknown"
    # In a worker thread: argon2 and the limit's transactions would stall every other
    # request this process serves while they run.
    outcome = await run_in_threadpool(_check, request, username, password, address)
    if outcome == "blocked":
        return render(request, "sign_in.html", {
            "username": username,
            "error": _("Too many failed sign-ins. Wait a quarter of an hour and try again.")},
            principal=PUBLIC, status_code=429)
    if outcome == "refused":
        return render(request, "sign_in.html", {
            "username": username, "error": _("Unknown user or wrong password.")},
            principal=PUBLIC, status_code=401)
    principal = outcome
    web_session(request).sign_in(username)
    web_session(request).flash("ok", _("Signed in as %(user)s (%(organisation)s).") % {
        "user": username, "organisation": principal.organisation_slug})
    return redirect("/home")


def _check(request: Request, username: str, password: str,
           address: str) -> Principal | Literal["blocked", "refused"]:
    """The principal signing in, or why not; the attempt counts as a failure until it succeeds."""
    throttle: SignInThrottle = request.app.state.sign_in_throttle
    store = store_of(request)
    attempt = throttle.begin(store, username, address)
    if attempt is None:
        return "blocked"
    try:
        with store.session() as session:
            principal = authenticate(session, username=username, password=password)
    except PermissionDenied:
        return "refused"
    throttle.succeeded(store, username, attempt)
    return principal


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    await checked_form(request)
    web_session(request).sign_out()
    return redirect("/")


@router.get("/home")
def home(request: Request) -> Response:
    """Each role's first page: reporters file, guarantors review, administrators manage."""
    from trucewatch.auth.principal import Role

    with store_of(request).session() as session:
        me = principal_of(request, session)
    if me.is_public:
        return redirect("/sign-in")
    for role, url in ((Role.GUARANTOR_OFFICER, "/review"), (Role.COORDINATOR, "/review"),
                      (Role.REPORTER, "/reports"), (Role.ADMINISTRATOR, "/admin/users")):
        if me.has(role):
            return redirect(url)
    return redirect("/map")
