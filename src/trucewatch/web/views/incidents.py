"""An incident's page (reports, history, rounds, assessments, decision) and what is done from it:
create it from a report, open a round, assess (signed by the server's keystore), sign the
decision, publish; and the inclusion proof of a log entry."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from trucewatch.auth.policy import Action, allowed
from trucewatch.auth.principal import Principal, Role
from trucewatch.errors import InvalidInput, NotFound, TrucewatchError
from trucewatch.incidents.service import create_incident, get_incident, incident_view
from trucewatch.log import service as log
from trucewatch.log.models import LogEntry
from trucewatch.log.treeheads import get_tree_head, tree, tree_head_view
from trucewatch.reports.reading import get_report, report_view
from trucewatch.verification import service as verification
from trucewatch.verification.publication import DECIDED, published_round
from trucewatch.verification.schemas import CONFIDENCE_MEANING, Confidence, Finding
from trucewatch.web.context import (
    checked_form,
    done,
    error_page,
    failed,
    keystore_of,
    principal_of,
    redirect,
    render,
    store_of,
)
from trucewatch.web.i18n import _, isolate_text
from trucewatch.web.views.maps import map_data, truce_and_zones
from trucewatch.web.words import word

router = APIRouter()


def _history(session: Session, incident_id: int, me: Principal,
             published_at: Any) -> list[dict[str, Any]]:
    """The incident's log entries; the public sees those up to its publication."""
    entries = log.entries_for(session, f"incident:{incident_id}")
    if not allowed(me, Action.INCIDENT_READ_UNPUBLISHED):
        entries = [e for e in entries if published_at and e.recorded_at <= published_at]
    rows = []
    for e in entries:
        payload = json.loads(e.body).get("payload", {})
        rows.append({"seq": e.seq, "at": e.recorded_at, "kind": e.kind, "actor": e.actor,
                     "summary": _summary(e.kind, payload)})
    return rows


def _summary(kind: str, p: dict[str, Any]) -> str:
    if kind == "incident.status_changed":
        moved = f"{word(p.get('from'))} → {word(p.get('to'))}"
        return moved + (f": {p['reason']}" if p.get("reason") else "")
    if kind == "incident.report_linked":
        return _("report %(report)s linked") % {"report": p.get("report")}
    if kind == "incident.report_unlinked":
        return _("report %(report)s unlinked: %(reason)s") % {"report": p.get("report"),
                                                             "reason": p.get("reason", "")}
    if kind == "round.opened":
        return _("round %(round)s opened, deadline %(deadline)s") % {
            "round": p.get("round"), "deadline": isolate_text(str(p.get("deadline"))[:16])}
    if kind == "round.decided":
        return _("round %(round)s decided: %(decision)s") % {"round": p.get("round"),
                                                            "decision": word(p.get("decision"))}
    if kind == "assessment.filed":
        body = json.loads(p.get("signed_body") or "{}")
        return _("%(guarantor)s assessed round %(round)s: %(finding)s (%(confidence)s)") % {
            "guarantor": body.get("guarantor"), "round": body.get("round"),
            "finding": word(body.get("finding")), "confidence": word(body.get("confidence"))}
    if kind == "decision.signed":
        return _("%(guarantor)s signed the decision of round %(round)s") % {
            "guarantor": p.get("guarantor"), "round": p.get("round")}
    if kind == "incident.published":
        return _("published: %(decision)s (round %(round)s)") % {
            "decision": word(p.get("decision")), "round": p.get("round")}
    if kind == "incident.created":
        return str(p.get("title", ""))
    return ""


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(request: Request, incident_id: int) -> Response:
    with store_of(request).session() as session:
        me = principal_of(request, session)
        try:
            incident = get_incident(session, incident_id, principal=me)
            rounds = verification.rounds_of_incident(session, principal=me,
                                                     incident_id=incident_id)
        except TrucewatchError as exc:
            return error_page(request, NotFound(f"no incident {incident_id}",
                                                field="incident") if exc.http_status == 403
                              else exc, me)
        view = incident_view(incident)
        reports = []
        for link in incident.active_links:
            try:
                reports.append(report_view(get_report(session, link.report_id, principal=me)))
            except NotFound:
                continue
        round_views = [verification.round_view(session, r) for r in rounds]
        open_round = next((r for r in round_views if r["status"] == "open"), None)
        mine = me.organisation_slug
        seat_holder = me.has(Role.GUARANTOR_OFFICER) and mine is not None
        latest = published_round(session, incident, upto=None)
        truce, zones = truce_and_zones(session)
        context = {
            "incident": view, "published_at": incident.published_at, "reports": reports,
            "rounds": list(reversed(round_views)), "open_round": open_round,
            "history": _history(session, incident_id, me, incident.published_at),
            "may_open": seat_holder and open_round is None and truce is not None
            and mine in truce["guarantors"],
            "reopen": any(r["status"] == "decided" for r in round_views),
            "may_assess": seat_holder and open_round is not None and mine in open_round["seats"],
            "may_sign": [r["id"] for r in round_views if seat_holder and r["decision"]
                         and mine in r["seats"]
                         and all(s["guarantor"] != mine for s in r["decision_signatures"])],
            "may_publish": allowed(me, Action.INCIDENT_PUBLISH) and incident.status in DECIDED
            and latest is not None and latest.decided_at is not None
            and (incident.published_at is None or incident.published_at < latest.decided_at),
            "parties": [(s, truce["names"][s]) for s in truce["parties"]] if truce else [],
            "findings": list(Finding), "confidences": [(c, CONFIDENCE_MEANING[c])
                                                      for c in Confidence],
            "map_data": map_data(zones, [view]),
        }
        return render(request, "incident.html", context, principal=me)


@router.post("/incidents")
async def create_from_report(request: Request) -> Response:
    form = await checked_form(request)
    try:
        report_id = int(str(form.get("report") or ""))
    except ValueError:
        return redirect("/review")
    try:
        with store_of(request).session() as session:
            me = principal_of(request, session)
            incident = create_incident(session, data={
                "reports": [report_id], "reason": str(form.get("reason") or "").strip()},
                actor=me.actor, principal=me)
            incident_id = incident.id
    except TrucewatchError as exc:
        return failed(request, exc, f"/reports/{report_id}")
    return done(request, _("Incident %(incident)s created from report %(report)s.") % {
        "incident": incident_id, "report": report_id},
                f"/incidents/{incident_id}")


def _days(form: dict[str, Any]) -> int:
    text = str(form.get("days") or "7").strip()
    if not text.isdigit():
        raise InvalidInput(f"{text!r} is not a number of days", field="days")
    return int(text)


@router.post("/incidents/{incident_id}/rounds")
async def open_round(request: Request, incident_id: int) -> Response:
    form = await checked_form(request)
    here = f"/incidents/{incident_id}"
    try:
        with store_of(request).session() as session:
            me = principal_of(request, session)
            rnd = verification.open_round(session, principal=me, data={
                "incident": incident_id, "days": _days(form),
                "reason": str(form.get("reason") or "").strip()})
            number = rnd.number
    except TrucewatchError as exc:
        return failed(request, exc, here)
    return done(request, _("Review round %(number)s opened.") % {"number": number}, here)


@router.post("/incidents/{incident_id}/assessments")
async def assess(request: Request, incident_id: int) -> Response:
    form = await checked_form(request)
    here = f"/incidents/{incident_id}"
    try:
        with store_of(request).session() as session:
            me = principal_of(request, session)
            rnd = verification.latest_round(session, incident_id)
            get_incident(session, incident_id, principal=me)
            if rnd is None or rnd.status != "open":
                raise InvalidInput("the incident has no open review round", field="round")
            responsible = str(form.get("responsible") or "").strip() or None
            verification.file_assessment(session, principal=me, round_id=rnd.id,
                                         keystore=keystore_of(request), data={
                "finding": form.get("finding"), "confidence": form.get("confidence"),
                "responsible": responsible, "reasons": str(form.get("reasons") or "").strip()})
            decided = rnd.status == "decided"
    except TrucewatchError as exc:
        return failed(request, exc, here)
    return done(request, _("Assessment filed and signed. Every guarantor has assessed: the round "
                            "is decided.") if decided else _("Assessment filed and signed."), here)


@router.post("/incidents/{incident_id}/rounds/{round_id}/signatures")
async def sign_decision(request: Request, incident_id: int, round_id: int) -> Response:
    await checked_form(request)
    here = f"/incidents/{incident_id}"
    try:
        with store_of(request).session() as session:
            me = principal_of(request, session)
            rnd = verification.get_round(session, round_id)
            if rnd.incident_id != incident_id:
                raise NotFound(f"no review round {round_id} of incident {incident_id}",
                               field="round")
            verification.sign_decision(session, principal=me, round_id=round_id,
                                       keystore=keystore_of(request))
    except TrucewatchError as exc:
        return failed(request, exc, here)
    return done(request, _("Decision signed."), here)


@router.post("/incidents/{incident_id}/publication")
async def publish(request: Request, incident_id: int) -> Response:
    await checked_form(request)
    here = f"/incidents/{incident_id}"
    try:
        with store_of(request).session() as session:
            me = principal_of(request, session)
            verification.publish_incident(session, principal=me, incident_id=incident_id)
    except TrucewatchError as exc:
        return failed(request, exc, here)
    return done(request, _("Incident %(id)s published.") % {"id": incident_id}, here)


@router.get("/log/{seq}", response_class=HTMLResponse)
def log_entry_page(request: Request, seq: int) -> Response:
    """One log entry, its leaf hash, and its inclusion proof in the latest signed tree head
    (or, before one covers it, in the current tree)."""
    with store_of(request).session() as session:
        me = principal_of(request, session)
        entry = session.scalar(select(LogEntry).where(LogEntry.seq == seq))
        if entry is None or not _may_read_entry(session, me, entry):
            return error_page(request, NotFound(f"no log entry {seq}", field="seq"), me)
        try:
            head: dict[str, Any] | None = tree_head_view(session, get_tree_head(session))
        except NotFound:
            head = None
        size = head["size"] if head and head["size"] >= seq else _log_size(session)
        merkle = tree(session, size)
        proof = {"size": size, "root_hash": merkle.root(size).hex(),
                 "path": [p.hex() for p in merkle.inclusion_proof(seq - 1, size)],
                 "signed": bool(head and head["size"] == size)}
        return render(request, "log_entry.html", {"entry": entry, "head": head, "proof": proof},
                      principal=me)


def _may_read_entry(session: Session, me: Principal, entry: LogEntry) -> bool:
    """Guarantors and the coordinator read the whole log here; anyone else the history of a
    published incident up to its publication (as on the incident page)."""
    if allowed(me, Action.INCIDENT_READ_UNPUBLISHED):
        return True
    kind, _sep, ident = entry.subject.partition(":")
    if kind != "incident" or not ident.isdigit():
        return False
    try:
        incident = get_incident(session, int(ident), principal=me)
    except NotFound:
        return False
    return incident.published_at is not None and entry.recorded_at <= incident.published_at


def _log_size(session: Session) -> int:
    from trucewatch.log.models import LogHead

    head = session.get(LogHead, 1)
    return head.size if head is not None else 0
