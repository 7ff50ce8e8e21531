"""The caller's notifications: the inbox as cursor pages, marking read, its subscriptions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from trucewatch.api.deps import PrincipalDep, SessionDep
from trucewatch.api.pagination import Cursor, Limit, Page, decode_cursor, page
from trucewatch.api.problems import COMMON
from trucewatch.auth.principal import Principal
from trucewatch.errors import PermissionDenied
from trucewatch.notifications.service import (
    mark_read,
    notification_view,
    notifications_after,
    subscriptions_of,
    unread_count,
)

router = APIRouter(tags=["notifications"], responses=COMMON)


class ReadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[int] | None = Field(default=None, max_length=1000,
                                  description="The notifications to mark read; null: all.")


def _user(who: Principal) -> int:
    if who.user_id is None:
        raise PermissionDenied("notifications belong to a signed-in user", field="principal")
    return who.user_id


@router.get("/notifications", response_model=Page[dict[str, Any]])
def notifications(request: Request, response: Response, session: SessionDep,
                  who: PrincipalDep, limit: Limit = 50, cursor: Cursor = None,
                  unread: bool = Query(False, description="Only unread ones.")) -> dict[str, Any]:
    """The caller's notifications, oldest first; the last page's cursor finds the new ones later."""
    _user(who)
    rows = notifications_after(session, principal=who, after_id=decode_cursor(cursor),
                               unread_only=unread, limit=limit + 1)
    return page(rows, limit=limit, key=lambda n: n.id, request=request, response=response,
                view=notification_view)


@router.get("/notifications/unread", response_model=dict[str, int])
def unread(session: SessionDep, who: PrincipalDep) -> dict[str, int]:
    """How many of the caller's notifications are unread."""
    return {"unread": unread_count(session, user_id=_user(who))}


@router.post("/notifications/read", response_model=dict[str, int])
def read(body: ReadIn, session: SessionDep, who: PrincipalDep) -> dict[str, int]:
    """Mark the caller's notifications read (those listed, or all)."""
    _user(who)
    ids = None if body.ids is None else [i for i in body.ids if 0 < i < 2**63]
    return {"marked": mark_read(session, principal=who, ids=ids)}


@router.get("/notifications/subscriptions", response_model=dict[str, list[dict[str, Any]]])
def subscriptions(session: SessionDep, who: PrincipalDep) -> dict[str, list[dict[str, Any]]]:
    """The areas the caller follows and its channels (with its organisation's webhooks)."""
    _user(who)
    return subscriptions_of(session, principal=who)
