"""``trucewatch bulk link|assign|publish``: one action over many ids, with a progress bar."""

from __future__ import annotations

import sys
from datetime import date

import typer

from trucewatch.bulk.actions import ACTIONS
from trucewatch.bulk.runner import BulkRun, Progress, prepare_run
from trucewatch.cli.context import principal, print_json, store

app = typer.Typer(help="Bulk actions: link many reports, task or publish many incidents. Each "
                       "item is its own transaction and log entry; failures are listed and "
                       "the rest go ahead.", no_args_is_help=True)

JSON = typer.Option(False, "--json", help="Print every item's outcome as JSON.")


@app.command("link")
def link(
    reports: list[int] = typer.Argument(..., help="Ids of the reports to link."),
    incident: int = typer.Option(..., help="The incident they join."),
    reason: str = typer.Option("", help="Why they belong to it."),
    as_json: bool = JSON,
) -> None:
    """Link many unlinked reports to one incident (guarantor officers)."""
    _run("link", reports, {"incident": incident, "reason": reason}, as_json)


@app.command("assign")
def assign(
    incidents: list[int] = typer.Argument(..., help="Ids of the incidents to investigate."),
    assignee: str = typer.Option(..., help="The team or person tasked."),
    due: str = typer.Option(..., help="Due date, YYYY-MM-DD."),
    as_json: bool = JSON,
) -> None:
    """Task one team or person to investigate many incidents (guarantor officers, own seat)."""
    try:
        due_on = date.fromisoformat(due)
    except ValueError:
        raise typer.BadParameter(f"{due!r} is not a date (YYYY-MM-DD)", param_hint="--due") from None
    _run("assign", incidents, {"assignee": assignee, "due_on": due_on}, as_json)


@app.command("publish")
def publish(
    incidents: list[int] = typer.Argument(..., help="Ids of decided incidents to publish."),
    as_json: bool = JSON,
) -> None:
    """Publish the latest decision of many incidents (the coordinator)."""
    _run("publish", incidents, {}, as_json)


def _run(kind: str, ids: list[int], params: dict[str, object], as_json: bool) -> None:
    st = store()
    try:
        with st.session() as session:
            who = principal(session)
        run = prepare_run(st, principal=who, kind=kind, ids=ids, params=params)
        progress = Progress(total=len(run.ids))
        failures = _carry_out(run, progress, as_json)
    finally:
        st.dispose()
    typer.echo(f"{kind}: {progress.succeeded} of {progress.total} done, {progress.failed} failed",
               err=as_json)
    for line in failures:
        typer.echo(line, err=True)
    if progress.failed:
        raise typer.Exit(1)


def _carry_out(run: BulkRun, progress: Progress, as_json: bool) -> list[str]:
    """Every item, with a progress bar on standard error (standard output stays for JSON)."""
    item = ACTIONS[run.kind].item
    failures: list[str] = []
    outcomes = []
    with typer.progressbar(run.items(progress), length=len(run.ids), label=run.kind.value,
                           file=sys.stderr) as items:
        for result in items:
            outcomes.append(result.as_json())
            if not result.ok:
                failures.append(f"  {item} {result.id}: {result.error}")
    if as_json:
        print_json({"items": outcomes, "summary": progress.as_json()})
    return failures
