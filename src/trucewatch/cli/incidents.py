"""``trucewatch incident create|link|unlink|status|show|list``."""

from __future__ import annotations

import typer

from trucewatch.cli.context import cli_actor, principal, print_json, print_table, transaction
from trucewatch.incidents.service import (
    change_status,
    create_incident,
    get_incident,
    incident_view,
    link_history_view,
    link_report,
    list_incidents,
    status_history,
    unlink_report,
)

app = typer.Typer(help="Incidents: the reports of one event, and their status.",
                  no_args_is_help=True)


@app.command("create")
def create(
    reports: list[int] = typer.Argument(..., help="Ids of the reports of this event."),
    title: str | None = typer.Option(None, help="Title (default: category, place and date)."),
    reason: str = typer.Option("", help="Why these reports are one event."),
) -> None:
    """Create an incident from one or more unlinked reports."""
    with transaction() as session:
        incident = create_incident(session, data={"reports": reports, "title": title,
                                                  "reason": reason}, actor=cli_actor(),
                                   principal=principal(session))
        typer.echo(f"created incident {incident.id}: {incident.title}")


@app.command("link")
def link(
    incident_id: int = typer.Argument(..., help="Incident id."),
    report_id: int = typer.Argument(..., help="Report id."),
    reason: str = typer.Option("", help="Why the report belongs here."),
) -> None:
    """Link a report to an incident."""
    with transaction() as session:
        link_report(session, incident_id=incident_id, report_id=report_id, actor=cli_actor(),
                    reason=reason, principal=principal(session))
    typer.echo(f"linked report {report_id} to incident {incident_id}")


@app.command("unlink")
def unlink(
    incident_id: int = typer.Argument(..., help="Incident id."),
    report_id: int = typer.Argument(..., help="Report id."),
    reason: str = typer.Option(..., help="Why the report does not belong here (kept in the log)."),
) -> None:
    """Unlink a report from an incident; the link stays in the history."""
    with transaction() as session:
        unlink_report(session, incident_id=incident_id, report_id=report_id, actor=cli_actor(),
                      reason=reason, principal=principal(session))
    typer.echo(f"unlinked report {report_id} from incident {incident_id}")


@app.command("status")
def status(
    incident_id: int = typer.Argument(..., help="Incident id."),
    new_status: str = typer.Argument(..., help="The status to move to."),
    reason: str = typer.Option("", help="Why."),
) -> None:
    """Move an incident along its workflow (docs/architecture.md lists the transitions)."""
    with transaction() as session:
        incident = change_status(session, incident_id=incident_id, status=new_status,
                                 actor=cli_actor(), reason=reason,
                                 principal=principal(session))
        typer.echo(f"incident {incident.id} is now {incident.status}")


@app.command("show")
def show(
    incident_id: int = typer.Argument(..., help="Incident id."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show an incident, its reports and the history of its links and status."""
    with transaction() as session:
        incident = get_incident(session, incident_id, principal=principal(session))
        view = incident_view(incident)
        view["link_history"] = link_history_view(incident)
        view["status_history"] = [
            {"from": c.from_status, "to": c.to_status, "at": c.changed_at.isoformat(),
             "by": c.changed_by, "reason": c.reason}
            for c in status_history(session, incident_id)
        ]
    if as_json:
        print_json(view)
        return
    typer.echo(f"incident {view['id']}: {view['title']} [{view['status']}]")
    typer.echo(f"  when   {view['occurred_start']} ({view['time_precision']})")
    typer.echo(f"  where  {view['place_name']} {view['latitude']}, {view['longitude']}")
    typer.echo(f"  reports {', '.join(map(str, view['reports'])) or '(none)'}")
    for h in view["link_history"]:
        line = f"  + report {h['report']} by {h['linked_by']} at {h['linked_at']}"
        if h["unlinked_at"]:
            line += f"; unlinked by {h['unlinked_by']} ({h['unlink_reason']})"
        typer.echo(line)
    for c in view["status_history"]:
        typer.echo(f"  {c['from']} → {c['to']} by {c['by']} ({c['reason']})")


@app.command("list")
def list_(
    status_: str | None = typer.Option(None, "--status", help="Only incidents in this status."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List incidents."""
    with transaction() as session:
        views = [incident_view(i) for i in list_incidents(session, status=status_, limit=None,
                                                          principal=principal(session))]
    if as_json:
        print_json(views)
        return
    print_table(["id", "status", "occurred", "title", "reports"],
                [[v["id"], v["status"], v["occurred_start"][:10], v["title"], len(v["reports"])]
                 for v in views])
