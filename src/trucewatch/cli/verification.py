"""``trucewatch round …``, ``assess``, ``investigation …``, ``denial …``, ``measure …`` and
``incident publish``: joint verification on the command line (act as a user with ``--as``)."""

from __future__ import annotations

from typing import Any

import typer

from trucewatch.cli import incidents
from trucewatch.cli.context import principal, print_json, print_table, settings_now, transaction
from trucewatch.errors import InvalidInput
from trucewatch.keys.signing import Keystore
from trucewatch.verification import service as verification

rounds = typer.Typer(help="Review rounds: open, close after the deadline, sign, show.",
                     no_args_is_help=True)
investigations = typer.Typer(help="Investigations a guarantor tasks.", no_args_is_help=True)
denials = typer.Typer(help="Denials of access or movement to monitors, per party.",
                      no_args_is_help=True)
measures = typer.Typer(help="Measures against the party responsible for a confirmed violation.",
                       no_args_is_help=True)

KEY_ID = typer.Option(None, "--key-id", help="Signed on the client: the registered key's id.")
SIGNATURE = typer.Option(None, "--signature",
                         help="Signed on the client: base64 Ed25519 signature of the body.")
PRINT_BODY = typer.Option(False, "--print-body",
                          help="Print the canonical body to sign and write nothing.")


def register(cli: typer.Typer) -> None:
    cli.add_typer(rounds, name="round")
    cli.command("assess")(assess)
    cli.add_typer(investigations, name="investigation")
    cli.add_typer(denials, name="denial")
    cli.add_typer(measures, name="measure")
    incidents.app.command("publish")(publish)


def _signing(key_id: str | None, signature: str | None) -> dict[str, Any]:
    """Client signature if one is given, else the server keystore (TRUCEWATCH_KEYS_DIR)."""
    if key_id is None and signature is None:
        return {"keystore": Keystore(settings_now().keys_dir)}
    return {"key_id": key_id, "signature": signature}


# --- rounds ---------------------------------------------------------------------------

@rounds.command("open")
def round_open(
    incident_id: int = typer.Argument(..., help="Incident id."),
    days: int | None = typer.Option(None, help="Deadline in days from now (default 7)."),
    deadline: str | None = typer.Option(None, help="Deadline, ISO 8601 with an offset."),
    reason: str = typer.Option("", help="Why; required when reopening a decided incident."),
    report: list[int] = typer.Option([], help="A new report to link as evidence (repeatable)."),
) -> None:
    """Open a review round on an incident (a guarantor officer)."""
    with transaction() as session:
        rnd = verification.open_round(session, principal=principal(session), data={
            "incident": incident_id, "days": days, "deadline": deadline, "reason": reason,
            "new_reports": report})
        typer.echo(f"opened review round {rnd.id} (round {rnd.number} of incident "
                   f"{incident_id}), due {rnd.deadline.isoformat()}")


@rounds.command("close")
def round_close(round_id: int = typer.Argument(..., help="Review round id.")) -> None:
    """Close a round past its deadline; the rule decides on what was filed."""
    with transaction() as session:
        rnd = verification.close_round(session, principal=principal(session), round_id=round_id,
                                       keystore=Keystore(settings_now().keys_dir))
        typer.echo(f"review round {rnd.id} is decided: {rnd.decision}")


@rounds.command("sign")
def round_sign(
    round_id: int = typer.Argument(..., help="Review round id."),
    key_id: str | None = KEY_ID,
    signature: str | None = SIGNATURE,
    print_body: bool = PRINT_BODY,
) -> None:
    """Sign a round's decision record for your guarantor state."""
    with transaction() as session:
        if print_body:
            body = verification.get_round(session, round_id).decision_body
            if body is None:
                raise InvalidInput("the round is not decided yet", field="round")
            typer.echo(body)
            return
        verification.sign_decision(session, principal=principal(session), round_id=round_id,
                                   **_signing(key_id, signature))
    typer.echo(f"signed the decision of review round {round_id}")


@rounds.command("show")
def round_show(
    round_id: int = typer.Argument(..., help="Review round id."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show a round: seats, every assessment (earlier versions too), the decision, dissents."""
    with transaction() as session:
        rnd = verification.read_round(session, principal=principal(session), round_id=round_id)
        view = verification.round_view(session, rnd)
    if as_json:
        print_json(view)
        return
    typer.echo(f"review round {view['id']}: round {view['number']} of incident "
               f"{view['incident']} [{view['status']}{', OVERDUE' if view['overdue'] else ''}]")
    rule = view["rule"]
    typer.echo(f"  rule   {rule['kind']} ({rule['k']} of {rule['n']}): {', '.join(view['seats'])}")
    typer.echo(f"  opened {view['opened_at']} by {view['opened_by']}; deadline {view['deadline']}")
    for a in view["assessments"]:
        mark = "" if a["current"] else "  (superseded)"
        typer.echo(f"  {a['guarantor']} v{a['version']}: {a['finding']}, responsible "
                   f"{a['responsible'] or '-'}, confidence {a['confidence']}{mark}")
        typer.echo(f"      {a['reasons']}")
    decision = view["decision"]
    if decision is not None:
        typer.echo(f"  DECISION {decision['decision']}; responsible "
                   f"{decision['responsible'] or 'not attributed'}; confidence "
                   f"{decision['confidence'] or '-'} ({decision['basis']})")
        for d in decision["dissents"]:
            typer.echo(f"  dissent  {d['guarantor']} ({d['kind']}): {d['finding']}"
                       + (f", holds {d['responsible']} responsible" if d["responsible"] else ""))
        for absent in decision["absent"]:
            typer.echo(f"  absent   {absent} did not assess")
        signers = ", ".join(s["guarantor"] for s in view["decision_signatures"]) or "nobody yet"
        typer.echo(f"  signed by {signers}")
    typer.echo("  signatures verify" if view["signatures_verified"]
               else "  PROBLEMS: " + "; ".join(view["problems"]))


@rounds.command("list")
def round_list(
    incident_id: int = typer.Argument(..., help="Incident id."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List the review rounds of an incident, earliest first."""
    with transaction() as session:
        views = [verification.round_view(session, r, history=False) for r in
                 verification.rounds_of_incident(session, principal=principal(session),
                                                 incident_id=incident_id)]
    if as_json:
        print_json(views)
        return
    print_table(["id", "round", "status", "deadline", "decision"],
                [[v["id"], v["number"], v["status"], v["deadline"],
                  (v["decision"] or {}).get("decision")] for v in views])


@rounds.command("overdue")
def round_overdue(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Open rounds past their deadline, for the coordinator to chase."""
    with transaction() as session:
        views = [verification.round_view(session, r, history=False)
                 for r in verification.overdue_rounds(session)]
    if as_json:
        print_json(views)
        return
    print_table(["id", "incident", "round", "deadline", "assessed"],
                [[v["id"], v["incident"], v["number"], v["deadline"],
                  f"{len(v['assessments'])} of {v['rule']['n']}"] for v in views])


def assess(
    round_id: int = typer.Argument(..., help="Review round id."),
    finding: str = typer.Option(..., help="violation, not_violation or cannot_determine."),
    confidence: str = typer.Option(..., help="confirmed, fair, weak or contested "
                                             "(docs/verification.md)."),
    reasons: str = typer.Option(..., help="Why: the evidence weighed."),
    responsible: str | None = typer.Option(None, help="The party held responsible, if any."),
    key_id: str | None = KEY_ID,
    signature: str | None = SIGNATURE,
    print_body: bool = PRINT_BODY,
) -> None:
    """File or revise your guarantor state's signed assessment in a review round."""
    data = {"finding": finding, "confidence": confidence, "reasons": reasons,
            "responsible": responsible}
    with transaction() as session:
        who = principal(session)
        if print_body:
            typer.echo(verification.assessment_body(session, principal=who, round_id=round_id,
                                                    data=data).decode())
            return
        row = verification.file_assessment(session, principal=who, round_id=round_id, data=data,
                                           **_signing(key_id, signature))
        rnd = verification.get_round(session, round_id)
        typer.echo(f"filed assessment v{row.version} in review round {round_id}"
                   + (f"; the round is decided: {rnd.decision}" if rnd.decision else ""))


def publish(incident_id: int = typer.Argument(..., help="Incident id.")) -> None:
    """Publish a decided incident (the coordinator)."""
    with transaction() as session:
        incident = verification.publish_incident(session, principal=principal(session),
                                                 incident_id=incident_id)
        typer.echo(f"published incident {incident.id} ({incident.status})")


# --- investigations and denials --------------------------------------------------------

def _evidence(text: str) -> dict[str, str]:
    kind, sep, rest = text.partition(":")
    if not sep or not rest.strip():
        raise InvalidInput(f"{text!r}: use KIND:DESCRIPTION[|REFERENCE]", field="evidence")
    description, _, reference = rest.partition("|")
    return {"kind": kind, "description": description.strip(), "reference": reference.strip()}


@investigations.command("task")
def investigation_task(
    incident_id: int = typer.Argument(..., help="Incident id."),
    assignee: str = typer.Option(..., help="The team or person tasked."),
    due: str = typer.Option(..., help="Due date, YYYY-MM-DD."),
) -> None:
    """Task an investigation of an incident in your guarantor state's name."""
    with transaction() as session:
        row = verification.task_investigation(session, principal=principal(session), data={
            "incident": incident_id, "assignee": assignee, "due_on": due})
        typer.echo(f"tasked investigation {row.id} of incident {incident_id}")


@investigations.command("update")
def investigation_update(
    investigation_id: int = typer.Argument(..., help="Investigation id."),
    status: str | None = typer.Option(None, help="in_progress, completed or cancelled."),
    site_visit: str | None = typer.Option(None, help="made or denied."),
    interviews: str | None = typer.Option(None, help="Who was interviewed (replaces the text)."),
    findings: str | None = typer.Option(None, help="The findings (replaces the text)."),
    evidence: list[str] = typer.Option([], help="KIND:DESCRIPTION[|REFERENCE]; repeatable; "
                                                "kinds: report, document, photo, video, "
                                                "testimony, imagery, other."),
    result: str | None = typer.Option(None, help="attributed, could_not_be_attributed, "
                                                 "no_violation_found or inconclusive."),
    responsible: str | None = typer.Option(None, help="For an attributed result: the party."),
    denied_by: str | None = typer.Option(None, help="The party that denied the visit."),
    denial_kind: str = typer.Option("access", help="access or movement."),
    denied_at: str | None = typer.Option(None, help="When it was denied, ISO 8601 with offset."),
    denial_place: str = typer.Option("", help="Where it was denied."),
    denial_description: str = typer.Option("", help="What happened."),
) -> None:
    """Record an investigation's progress; a denied visit names the party that denied it."""
    data: dict[str, Any] = {"status": status, "site_visit": site_visit,
                            "interviews": interviews, "findings": findings,
                            "evidence": [_evidence(e) for e in evidence], "result": result,
                            "responsible": responsible}
    if denied_by is not None:
        data["denial"] = {"denied_by": denied_by, "kind": denial_kind, "occurred_at": denied_at,
                          "place_name": denial_place, "description": denial_description}
    with transaction() as session:
        row = verification.update_investigation(session, principal=principal(session),
                                                investigation_id=investigation_id, data=data)
        typer.echo(f"investigation {row.id} is {row.status}; site visit {row.site_visit}")


@investigations.command("show")
def investigation_show(
    investigation_id: int = typer.Argument(..., help="Investigation id."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show an investigation with its evidence and denials."""
    with transaction() as session:
        row = verification.read_investigation(session, principal=principal(session),
                                              investigation_id=investigation_id)
        view = verification.investigation_view(session, row)
    if as_json:
        print_json(view)
        return
    for key in ("id", "incident", "guarantor", "assignee", "due_on", "status", "site_visit",
                "interviews", "findings", "result", "responsible"):
        typer.echo(f"{key:12} {view[key] if view[key] is not None else ''}")
    for e in view["evidence"]:
        typer.echo(f"evidence     [{e['kind']}] {e['description']} {e['reference']}".rstrip())
    for d in view["denials"]:
        typer.echo(f"denied       {d['kind']} by {d['denied_by']} at {d['occurred_at']}")


@denials.command("record")
def denial_record(
    denied_by: str = typer.Option(..., "--by", help="The party that denied access or movement."),
    kind: str = typer.Option(..., help="access or movement."),
    at: str = typer.Option(..., help="When, ISO 8601 with an offset."),
    incident: int | None = typer.Option(None, help="The incident the monitors were visiting."),
    investigation: int | None = typer.Option(None, help="The investigation it hindered."),
    truce: str | None = typer.Option(None, help="Truce slug (default: the incident's, else the "
                                                "latest)."),
    place: str = typer.Option("", help="Where."),
    lat: float | None = typer.Option(None, help="Latitude."),
    lon: float | None = typer.Option(None, help="Longitude."),
    description: str = typer.Option("", help="What happened."),
) -> None:
    """Record a denial of access or movement against the party that denied it."""
    with transaction() as session:
        row = verification.record_access_denial(session, principal=principal(session), data={
            "denied_by": denied_by, "kind": kind, "occurred_at": at, "incident": incident,
            "investigation": investigation, "truce": truce, "place_name": place, "latitude": lat,
            "longitude": lon, "description": description})
        typer.echo(f"recorded denial {row.id} ({row.kind})")


@denials.command("list")
def denial_list(
    by_party: bool = typer.Option(False, "--by-party", help="Counts per party instead."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List denials of access and movement, or count them per party."""
    with transaction() as session:
        if by_party:
            views = verification.denials_by_party(session)
            headers, keys = ["party", "access", "movement", "total"], ["party", "access",
                                                                       "movement", "total"]
        else:
            views = [verification.denial_view(session, d)
                     for d in verification.list_denials(session)]
            headers = ["id", "occurred", "kind", "denied by", "incident", "place"]
            keys = ["id", "occurred_at", "kind", "denied_by", "incident", "place_name"]
    if as_json:
        print_json(views)
        return
    print_table(headers, [[v[k] for k in keys] for v in views])


# --- measures ------------------------------------------------------------------------

@measures.command("propose")
def measure_propose(
    incident_id: int = typer.Argument(..., help="Incident id (its latest round confirmed)."),
    kind: str = typer.Option(..., help="demarche, warning or sanction."),
    description: str = typer.Option(..., help="What the measure is."),
    against: str | None = typer.Option(None, help="Default: the party held responsible."),
) -> None:
    """Propose a measure against the party responsible for a confirmed violation."""
    with transaction() as session:
        row = verification.propose_measure(session, principal=principal(session), data={
            "incident": incident_id, "kind": kind, "description": description,
            "against": against})
        typer.echo(f"proposed measure {row.id} ({row.kind})")


@measures.command("vote")
def measure_vote(
    measure_id: int = typer.Argument(..., help="Measure id."),
    vote: str = typer.Argument(..., help="agree or disagree."),
    key_id: str | None = KEY_ID,
    signature: str | None = SIGNATURE,
    print_body: bool = PRINT_BODY,
) -> None:
    """Cast or change your guarantor state's signed vote on a proposed measure."""
    with transaction() as session:
        who = principal(session)
        if print_body:
            typer.echo(verification.measure_vote_body(session, principal=who,
                                                      measure_id=measure_id, vote=vote).decode())
            return
        verification.vote_on_measure(session, principal=who, measure_id=measure_id, vote=vote,
                                     **_signing(key_id, signature))
        status = verification.get_measure(session, measure_id).status
    typer.echo(f"voted {vote} on measure {measure_id}; it is {status}")


@measures.command("status")
def measure_status(
    measure_id: int = typer.Argument(..., help="Measure id."),
    status: str = typer.Argument(..., help="carried_out or dropped."),
    reason: str = typer.Option(..., help="What was done, or why it was dropped."),
) -> None:
    """Record that an agreed measure was carried out or dropped."""
    with transaction() as session:
        row = verification.change_measure_status(session, principal=principal(session),
                                                 measure_id=measure_id, status=status,
                                                 reason=reason)
        typer.echo(f"measure {row.id} is {row.status}")


@measures.command("show")
def measure_show(
    measure_id: int = typer.Argument(..., help="Measure id."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show a measure with its votes and status history."""
    with transaction() as session:
        row = verification.read_measure(session, principal=principal(session),
                                        measure_id=measure_id)
        view = verification.measure_view(session, row)
    if as_json:
        print_json(view)
        return
    typer.echo(f"measure {view['id']}: {view['kind']} against {view['against']} "
               f"[{view['status']}] — {view['description']}")
    for v in view["votes"]:
        typer.echo(f"  {v['guarantor']}: {v['vote']}{'' if v['current'] else '  (changed)'}")
    for c in view["status_history"]:
        typer.echo(f"  {c['from']} → {c['to']} by {c['by']} ({c['reason']})")
