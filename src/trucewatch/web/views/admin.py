"""Administrators: the users (with their roles, and a form to grant one) and the signing keys."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from trucewatch.auth.policy import Action, allowed
from trucewatch.auth.principal import Role
from trucewatch.auth.service import grant_role, list_users, user_view
from trucewatch.errors import PermissionDenied, TrucewatchError
from trucewatch.keys.service import all_keys, key_view
from trucewatch.web.context import (
    checked_form,
    done,
    error_page,
    failed,
    principal_of,
    redirect,
    render,
    store_of,
)
from trucewatch.web.i18n import _
from trucewatch.web.words import word

router = APIRouter()


def _for_administrators() -> PermissionDenied:
    return PermissionDenied(_("this page is for administrators"), field="principal")


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request) -> Response:
    with store_of(request).session() as session:
        me = principal_of(request, session)
        if me.is_public:
            return redirect("/sign-in")
        if not allowed(me, Action.USER_MANAGE):
            return error_page(request, _for_administrators(), me)
        users = [user_view(u) for u in list_users(session, principal=me)]
        return render(request, "users.html", {"users": users, "roles": list(Role)},
                      principal=me)


@router.post("/admin/users/{username}/roles")
async def grant(request: Request, username: str) -> Response:
    form = await checked_form(request)
    role = str(form.get("role") or "")
    try:
        with store_of(request).session() as session:
            me = principal_of(request, session)
            grant_role(session, username=username, role=role, actor=me.actor, principal=me)
    except TrucewatchError as exc:
        return failed(request, exc, "/admin/users")
    return done(request, _("%(user)s is now %(role)s.") % {"user": username, "role": word(role)},
                "/admin/users")


@router.get("/admin/keys", response_class=HTMLResponse)
def keys_page(request: Request) -> Response:
    with store_of(request).session() as session:
        me = principal_of(request, session)
        if me.is_public:
            return redirect("/sign-in")
        if not allowed(me, Action.KEY_MANAGE):
            return error_page(request, _for_administrators(), me)
        keys = [key_view(k) for k in all_keys(session)]
        return render(request, "keys.html", {"keys": keys}, principal=me)
