"""Bulk actions in the browser: a form that runs without JavaScript (the results page lists
every item) and, with it, a progress bar fed line by line from the same run."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from trucewatch.auth.policy import allowed
from trucewatch.auth.principal import Principal
from trucewatch.bulk.actions import ACTIONS, MAX_ITEMS, BulkKind
from trucewatch.bulk.runner import BulkRun, Progress, parse_id_list, prepare_run, progress_lines
from trucewatch.errors import PermissionDenied, TrucewatchError
from trucewatch.web.context import (
    checked_form,
    error_page,
    principal_of,
    redirect,
    render,
    store_of,
)
from trucewatch.web.i18n import N_, _

router = APIRouter()

LABELS = {BulkKind.LINK: N_("Link reports to an incident"),
          BulkKind.ASSIGN: N_("Task an investigation of incidents"),
          BulkKind.PUBLISH: N_("Publish decided incidents")}


@router.get("/bulk", response_class=HTMLResponse)
def bulk_form(request: Request, action: str = "publish", ids: str = "") -> Response:
    with store_of(request).session() as session:
        me = principal_of(request, session)
    if me.is_public:
        return redirect("/sign-in")
    choices = _choices(me)
    if not choices:
        return error_page(request, PermissionDenied(
            _("bulk actions are for guarantor officers and the coordinator"), field="principal"),
            me)
    return render(request, "bulk.html", {
        "choices": choices, "action": _known(action, choices), "ids": " ".join(parse_id_list(ids)),
        "form": {}, "max_items": MAX_ITEMS, "results": None}, principal=me)


@router.post("/bulk", response_class=HTMLResponse)
async def bulk_run(request: Request) -> Response:
    """Without JavaScript: run every item, then show each one's outcome."""
    form = await checked_form(request)
    me, run, problem = _prepared(request, form)
    if run is None:
        return _form_again(request, me, form, problem)
    progress = Progress(total=len(run.ids))
    results = [r.as_json() for r in run.items(progress)]
    return render(request, "bulk.html", {
        "choices": _choices(me), "action": run.kind.value, "ids": "", "form": {},
        "max_items": MAX_ITEMS, "results": results, "summary": progress.as_json(),
        "item": ACTIONS[run.kind].item}, principal=me)


@router.post("/bulk/stream")
async def bulk_stream(request: Request) -> Response:
    """With JavaScript: the same run, its outcome streamed one JSON line per item."""
    form = await checked_form(request)
    _me, run, problem = _prepared(request, form)
    if run is None:
        assert problem is not None
        return Response(json.dumps({"error": problem.message, "field": problem.field}),
                        status_code=problem.http_status, media_type="application/json")
    return StreamingResponse(progress_lines(run), media_type="application/x-ndjson")



def _prepared(request: Request, form: dict[str, Any]
              ) -> tuple[Principal, BulkRun | None, TrucewatchError | None]:
    store = store_of(request)
    with store.session() as session:
        me = principal_of(request, session)
    params = {name: text for name in ("incident", "reason", "assignee", "due_on")
              if (text := str(form.get(name) or "").strip())}
    try:
        run = prepare_run(store, principal=me, kind=str(form.get("action") or ""),
                          ids=parse_id_list(str(form.get("ids") or "")), params=params)
    except TrucewatchError as exc:
        return me, None, exc
    return me, run, None


def _form_again(request: Request, me: Principal, form: dict[str, Any],
                problem: TrucewatchError | None) -> Response:
    if me.is_public:
        return redirect("/sign-in")
    assert problem is not None
    return render(request, "bulk.html", {
        "choices": _choices(me), "action": _known(str(form.get("action") or ""), _choices(me)),
        "ids": str(form.get("ids") or ""), "form": form, "max_items": MAX_ITEMS,
        "results": None, "problem": problem}, principal=me,
        status_code=problem.http_status)


def _choices(me: Principal) -> list[tuple[str, str, str]]:
    """(action, label, what the ids name) for the actions this user may start."""
    return [(kind.value, _(LABELS[kind]), action.item) for kind, action in ACTIONS.items()
            if allowed(me, action.permission, organisation_id=me.organisation_id)]


def _known(action: str, choices: list[tuple[str, str, str]]) -> str:
    """The action to show as chosen: the one asked for if the user may start it."""
    values = [value for value, _label, _item in choices]
    return action if action in values or not values else values[0]
