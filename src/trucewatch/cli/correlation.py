"""``trucewatch correlate run|waiting|queue|confirm|reject|split|tune``."""

from __future__ import annotations

from collections.abc import Sequence

import typer

from trucewatch.cli.context import (
    cli_actor,
    principal,
    print_json,
    print_table,
    settings_now,
    store,
    transaction,
)
from trucewatch.correlation.filing import match_filed
from trucewatch.correlation.matcher import backlog
from trucewatch.correlation.queue import (
    STATUSES,
    candidate_view,
    confirm_candidate,
    list_candidates,
    reject_candidate,
    split_incident,
)
from trucewatch.correlation.service import correlate_all, match_report
from trucewatch.correlation.tunings import get_tuning, set_tuning
from trucewatch.errors import InvalidInput
from trucewatch.truces.service import get_truce

app = typer.Typer(help="Correlation: link reports of one event into incidents (docs/correlation.md).",
                  no_args_is_help=True)


def match_after_filing(report_ids: Sequence[int]) -> None:
    """After ``trucewatch report file`` has committed: match the new reports (unless the
    ``correlate_on_filing`` setting is off). A failure is logged; the filing stands."""
    if not report_ids or not settings_now().correlate_on_filing:
        return
    opened = store()
    try:
        match_filed(opened, report_ids)
    finally:
        opened.dispose()


@app.command("run")
def run(
    report: int | None = typer.Option(None, help="Match only this report (just filed) against "
                                                 "the reports stored around it."),
    truce: str | None = typer.Option(None, help="Only the reports of this truce (a pass)."),
    as_json: bool = typer.Option(False, "--json", help="Print what was done as JSON."),
) -> None:
    """Score reports pairwise: link above the truce's link threshold, queue the rest."""
    with transaction() as session:
        who = principal(session)
        if report is not None:
            done = match_report(session, report_id=report, actor=cli_actor(), principal=who)
        else:
            truce_id = get_truce(session, truce).id if truce else None
            done = correlate_all(session, actor=cli_actor(), principal=who, truce_id=truce_id)
    if as_json:
        print_json(done.as_dict())
        return
    typer.echo(f"scored {done.scored} pairs: linked {len(done.linked)}, queued "
               f"{len(done.queued)}, incidents touched {len(done.incidents)}")


@app.command("waiting")
def waiting(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """How far matching after filing is behind: reports waiting, given up on, the oldest."""
    with transaction() as session:
        found = backlog(session, principal=principal(session)).as_dict()
    if as_json:
        print_json(found)
        return
    behind = found["behind_seconds"]
    typer.echo(f"{found['waiting']} reports waiting to be matched"
               + (f", the oldest filed {behind:.1f} s ago ({found['oldest_marked_at']})"
                  if behind is not None else "")
               + f"; {found['given_up']} given up on (trucewatch correlate run --report ID)")


@app.command("queue")
def queue(
    status: str = typer.Option("pending", help=f"One of {', '.join(STATUSES)}."),
    after: int = typer.Option(0, help="Show candidates after this id."),
    limit: int = typer.Option(100, help="At most this many."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON with the reasons."),
) -> None:
    """The candidate links waiting for an officer (or those already decided)."""
    with transaction() as session:
        rows = [candidate_view(c) for c in list_candidates(
            session, status=status, after_id=after, limit=limit, principal=principal(session))]
    if as_json:
        print_json(rows)
        return
    print_table(["id", "reports", "score", "status", "incident"],
                [[r["id"], f"{r['reports'][0]} + {r['reports'][1]}", f"{r['score']:.3f}",
                  r["status"], r["incident"] or ""] for r in rows])


@app.command("confirm")
def confirm(
    candidate: int = typer.Argument(..., help="Candidate link id."),
    reason: str = typer.Option("", help="Why the two reports are one event."),
) -> None:
    """Confirm a candidate link: both reports join one incident."""
    with transaction() as session:
        row = confirm_candidate(session, candidate_id=candidate, actor=cli_actor(), reason=reason,
                                principal=principal(session))
        typer.echo(f"confirmed candidate {row.id}: reports in incident {row.incident_id}")


@app.command("reject")
def reject(
    candidate: int = typer.Argument(..., help="Candidate link id."),
    reason: str = typer.Option(..., help="Why they are different events (kept in the log)."),
) -> None:
    """Reject a candidate link; no later pass links the pair."""
    with transaction() as session:
        reject_candidate(session, candidate_id=candidate, actor=cli_actor(), reason=reason,
                         principal=principal(session))
    typer.echo(f"rejected candidate {candidate}")


@app.command("split")
def split(
    incident: int = typer.Argument(..., help="Incident id."),
    reports: list[int] = typer.Argument(..., help="Reports to move into a new incident."),
    reason: str = typer.Option(..., help="Why they are another event (kept in the log)."),
) -> None:
    """Move some reports of an incident into a new incident."""
    with transaction() as session:
        new = split_incident(session, incident_id=incident, report_ids=reports,
                             actor=cli_actor(), reason=reason, principal=principal(session))
        typer.echo(f"moved {len(reports)} reports of incident {incident} into incident {new.id}")


@app.command("tune")
def tune(
    truce: str = typer.Argument(..., help="Truce slug."),
    values: list[str] = typer.Argument(None, help="NAME=VALUE pairs, e.g. link_threshold=0.85; "
                                                  "none: show the tuning."),
) -> None:
    """Show or change a truce's weights and thresholds."""
    changes: dict[str, float] = {}
    for i, item in enumerate(values or []):
        name, sep, value = item.partition("=")
        try:
            changes[name.strip()] = float(value)
        except ValueError:
            raise InvalidInput(f"{item!r} is not NAME=NUMBER", field=f"values.{i}") from None
        if not sep:
            raise InvalidInput(f"{item!r} is not NAME=NUMBER", field=f"values.{i}")
    with transaction() as session:
        if changes:
            tuned = set_tuning(session, truce=truce, values=changes, actor=cli_actor(),
                               principal=principal(session))
        else:
            tuned = get_tuning(session, truce=truce)
    print_json(tuned.as_dict())
