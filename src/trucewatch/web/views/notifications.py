"""The signed-in user's notifications: the list (unread first in the header count), mark read."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from trucewatch.notifications.service import (
    list_notifications,
    mark_read,
    notification_view,
    subscriptions_of,
)
from trucewatch.web.context import checked_form, done, principal_of, redirect, render, store_of

router = APIRouter()


@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(request: Request, unread: int = 0) -> Response:
    with store_of(request).session() as session:
        me = principal_of(request, session)
        if me.is_public:
            return redirect("/sign-in")
        notes = [notification_view(n) for n in list_notifications(
            session, principal=me, unread_only=bool(unread), limit=200)]
        subs = subscriptions_of(session, principal=me)
        return render(request, "notifications.html", {
            "notifications": notes, "unread_only": bool(unread), "subscriptions": subs},
            principal=me)


@router.post("/notifications/read")
async def notifications_read(request: Request) -> Response:
    form = await checked_form(request)
    with store_of(request).session() as session:
        me = principal_of(request, session)
        if me.is_public:
            return redirect("/sign-in")
        raw = form.get("id")
        ids = None if raw in (None, "") else [int(v) for v in (
            raw if isinstance(raw, list) else [raw]) if str(v).isdigit()]
        changed = mark_read(session, principal=me, ids=ids)
    return done(request, f"{changed} marked read", "/notifications")
