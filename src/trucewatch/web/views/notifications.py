"""The signed-in user's notifications: the list (counted in the header), mark read, and the
user's own areas and channels (follow a truce or zone, e-mail, webhooks)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from trucewatch.auth.principal import Principal
from trucewatch.errors import TrucewatchError
from trucewatch.notifications.service import (
    EVENTS,
    add_email,
    add_webhook,
    follow_area,
    list_notifications,
    mark_read,
    notification_view,
    remove_channel,
    subscriptions_of,
    unfollow_area,
)
from trucewatch.truces.service import list_truces
from trucewatch.web.context import (
    checked_form,
    done,
    failed,
    principal_of,
    redirect,
    render,
    store_of,
)
from trucewatch.web.i18n import _, ngettext

router = APIRouter()
PAGE = "/notifications"


def _page(request: Request, session: Session, me: Principal, *, unread_only: bool = False,
          secret: str | None = None) -> Response:
    notes = [notification_view(n) for n in list_notifications(
        session, principal=me, unread_only=unread_only, limit=200)]
    truces = list_truces(session)
    areas: list[tuple[str, str | None]] = [(t.slug, None) for t in truces]
    areas += [(t.slug, z.name) for t in truces for z in t.zones]
    return render(request, "notifications.html", {
        "notifications": notes, "unread_only": unread_only,
        "subscriptions": subscriptions_of(session, principal=me), "areas": sorted(
            areas, key=lambda a: (a[0], a[1] or "")), "events": EVENTS, "secret": secret},
        principal=me)


@router.get(PAGE, response_class=HTMLResponse)
def notifications_page(request: Request, unread: int = 0) -> Response:
    with store_of(request).session() as session:
        me = principal_of(request, session)
        if me.is_public:
            return redirect("/sign-in")
        return _page(request, session, me, unread_only=bool(unread))


def _ids(value: Any) -> list[int] | None:
    if value in (None, ""):
        return None
    return [int(v) for v in (value if isinstance(value, list) else [value]) if str(v).isdigit()]


def _events(value: Any) -> list[str]:
    return [str(v) for v in (value if isinstance(value, list) else [value]) if v]


@router.post(PAGE + "/read")
async def notifications_read(request: Request) -> Response:
    form = await checked_form(request)
    with store_of(request).session() as session:
        me = principal_of(request, session)
        if me.is_public:
            return redirect("/sign-in")
        changed = mark_read(session, principal=me, ids=_ids(form.get("id")))
    return done(request, ngettext("%(count)s marked read", "%(count)s marked read", changed)
                % {"count": changed}, PAGE)


@router.post(PAGE + "/areas")
async def follow(request: Request) -> Response:
    form = await checked_form(request)
    truce, _sep, zone = str(form.get("area") or "").partition("|")
    try:
        with store_of(request).session() as session:
            me = principal_of(request, session)
            if me.is_public:
                return redirect("/sign-in")
            follow_area(session, principal=me, truce=truce, zone=zone or None)
    except TrucewatchError as exc:
        return failed(request, exc, PAGE)
    return done(request, (_("Following %(truce)s, zone %(zone)s.") if zone
                          else _("Following %(truce)s.")) % {"truce": truce, "zone": zone}, PAGE)


@router.post(PAGE + "/areas/{area_id}/remove")
async def unfollow(request: Request, area_id: int) -> Response:
    await checked_form(request)
    try:
        with store_of(request).session() as session:
            me = principal_of(request, session)
            if me.is_public:
                return redirect("/sign-in")
            unfollow_area(session, principal=me, area_id=area_id)
    except TrucewatchError as exc:
        return failed(request, exc, PAGE)
    return done(request, _("Area %(id)s no longer followed.") % {"id": area_id}, PAGE)


@router.post(PAGE + "/channels", response_class=HTMLResponse)
async def add_channel(request: Request) -> Response:
    """An e-mail address or a webhook of the user; a webhook's secret is shown on this answer
    only (never put in a redirect or the session cookie)."""
    form = await checked_form(request)
    address = str(form.get("address") or "")
    events = _events(form.get("event"))
    try:
        with store_of(request).session() as session:
            me = principal_of(request, session)
            if me.is_public:
                return redirect("/sign-in")
            if form.get("kind") == "webhook":
                _channel, secret = add_webhook(session, principal=me, url=address, events=events)
                return _page(request, session, me, secret=secret)
            add_email(session, principal=me, address=address, events=events)
    except TrucewatchError as exc:
        return failed(request, exc, PAGE)
    return done(request, _("Notifications will also go to %(address)s.") % {"address": address},
                PAGE)


@router.post(PAGE + "/channels/{channel_id}/remove")
async def remove(request: Request, channel_id: int) -> Response:
    await checked_form(request)
    try:
        with store_of(request).session() as session:
            me = principal_of(request, session)
            if me.is_public:
                return redirect("/sign-in")
            remove_channel(session, principal=me, channel_id=channel_id)
    except TrucewatchError as exc:
        return failed(request, exc, PAGE)
    return done(request, _("Channel %(id)s removed.") % {"id": channel_id}, PAGE)
