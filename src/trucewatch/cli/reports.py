"""``trucewatch report add|list|show``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from trucewatch.cli.context import (
    cli_actor,
    limits,
    principal,
    print_json,
    print_table,
    settings_now,
    transaction,
)
from trucewatch.cli.correlation import match_after_filing
from trucewatch.cli.jsonfile import load_attachments, read_attachment, read_json
from trucewatch.errors import InvalidInput
from trucewatch.reports.reading import (
    ReportFilter,
    get_report,
    incident_of,
    list_reports,
    report_view,
    reveal_confidential_source,
)
from trucewatch.reports.service import file_reports

app = typer.Typer(help="File and read violation reports.", no_args_is_help=True)


def parse_casualty(text: str) -> dict[str, Any]:
    """'killed,civilian,3' or 'killed,civilian,2,3,5' (outcome, group, [low,] best[, high])."""
    parts = [p.strip() for p in text.split(",")]
    try:
        numbers = [int(p) for p in parts[2:]]
    except ValueError:
        raise InvalidInput(f"{text!r}: counts must be whole numbers", field="casualty") from None
    if len(parts) < 3 or len(numbers) not in (1, 3):
        raise InvalidInput(f"{text!r}: use OUTCOME,GROUP,BEST or OUTCOME,GROUP,LOW,BEST,HIGH",
                           field="casualty")
    cell: dict[str, Any] = {"outcome": parts[0], "group": parts[1]}
    if len(numbers) == 1:
        cell["best"] = numbers[0]
    else:
        cell["low"], cell["best"], cell["high"] = numbers
    return cell


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise InvalidInput(f"{text!r}: use min_lon,min_lat,max_lon,max_lat", field="bbox") from None
    if len(values) != 4:
        raise InvalidInput(f"{text!r}: use min_lon,min_lat,max_lon,max_lat", field="bbox")
    return (values[0], values[1], values[2], values[3])


@app.command("add")
def add(
    organisation: str = typer.Option(..., "--org", help="The filing organisation (slug or name)."),
    user: str | None = typer.Option(None, "--user", help="The filing user (username)."),
    json_file: str | None = typer.Option(
        None, "--json", help="Read the report, or a list of reports, from this JSON file ('-': stdin)."),
    key: str | None = typer.Option(None, "--key", help="Idempotency key: a retry with it files nothing new."),
    truce: str | None = typer.Option(None, help="Truce slug (default: the truce in force then)."),
    source_kind: str | None = typer.Option(None, help="party, monitor, media or public."),
    source_description: str = typer.Option("", help="Public description of the source."),
    occurred: str | None = typer.Option(
        None, help="When: 2017-01-20T14:30+02:00, 2017-01-20, 2017-W03 or 2017-01."),
    time_precision: str | None = typer.Option(None, help="exact, day, week or month."),
    place: str = typer.Option("", help="Place name."),
    lat: float | None = typer.Option(None, help="Latitude (WGS 84)."),
    lon: float | None = typer.Option(None, help="Longitude (WGS 84)."),
    geo_precision: str | None = typer.Option(None, help="exact, near, district or region."),
    category: str | None = typer.Option(None, help="A category of the taxonomy (docs/taxonomy.md)."),
    alleged: str | None = typer.Option(None, help="Alleged perpetrator (actor slug or name)."),
    affected: str | None = typer.Option(None, help="Affected side (actor slug or name)."),
    casualty: list[str] = typer.Option(
        [], help="OUTCOME,GROUP,BEST or OUTCOME,GROUP,LOW,BEST,HIGH; repeatable."),
    narrative: str = typer.Option("", help="What happened, in the filer's words."),
    source_identity: str | None = typer.Option(
        None, help="Confidential source identity (never shown to other parties)."),
    source_contact: str = typer.Option("", help="Confidential source contact."),
    attach: list[Path] = typer.Option([], help="Attach a file (repeatable)."),
    synthetic: bool = typer.Option(False, help="Mark the report as a synthetic example."),
    as_json: bool = typer.Option(False, "--json-out", help="Print the result as JSON."),
) -> None:
    """File a report from flags, or one or many from a JSON file; all or nothing is stored."""
    if json_file is not None:
        loaded = read_json(json_file)
        items = loaded if isinstance(loaded, list) else [loaded]
        base = Path(json_file).parent if json_file != "-" else Path.cwd()
        submissions = []
        for i, item in enumerate(items):
            prefix = f"reports.{i}." if len(items) > 1 else ""
            if not isinstance(item, dict):
                raise InvalidInput("each report must be a JSON object", field=prefix.rstrip(".") or "json")
            submissions.append(load_attachments(item, base, prefix=prefix))
    else:
        missing = [n for n, v in (("source-kind", source_kind), ("occurred", occurred),
                                  ("category", category)) if v is None]
        if missing:
            raise InvalidInput("required (or use --json FILE)", field=missing[0])
        data: dict[str, Any] = {
            "idempotency_key": key, "truce": truce, "source_kind": source_kind,
            "source_description": source_description, "occurred": occurred,
            "time_precision": time_precision, "place_name": place, "latitude": lat,
            "longitude": lon, "geo_precision": geo_precision, "category": category,
            "alleged_actor": alleged, "affected_actor": affected,
            "casualties": [parse_casualty(c) for c in casualty], "narrative": narrative,
            "synthetic": synthetic,
            "attachments": [
                {"filename": p.name, "content": read_attachment(
                    p, field=f"attachments.{i}", max_bytes=limits().max_attachment_bytes)}
                for i, p in enumerate(attach)
            ],
        }
        if source_identity is not None:
            data["confidential_source"] = {"identity": source_identity, "contact": source_contact}
        submissions = [data]
    with transaction() as session:
        who = principal(session)
        if who.user_id is not None:  # --as: the user files, and is the filing user by default
            user = user or who.actor.removeprefix("user:")
            actor = who.actor
        else:
            actor = f"user:{user}" if user else cli_actor()
        filed = file_reports(session, submissions=submissions, organisation=organisation,
                             user=user, actor=actor, limits=limits(), principal=who)
        created = [f.id for f in filed if f.created]
        if created and settings_now().correlate_on_filing:
            from trucewatch.correlation.matcher import mark

            mark(session, created)  # waiting for matching in the filing's own transaction
    match_after_filing(created)  # correlation, after the commit
    if as_json:
        print_json([{"id": f.id, "created": f.created} for f in filed])
        return
    for f in filed:
        typer.echo(f"filed report {f.id}" if f.created
                   else f"report {f.id} was already filed with this key; nothing changed")


@app.command("list")
def list_(
    occurred_from: str | None = typer.Option(None, "--from", help="Reports overlapping this date or later."),
    occurred_to: str | None = typer.Option(None, "--to", help="Reports overlapping this date or earlier."),
    bbox: str | None = typer.Option(None, help="min_lon,min_lat,max_lon,max_lat"),
    category: str | None = typer.Option(None, help="A category of the taxonomy."),
    alleged: str | None = typer.Option(None, help="Alleged perpetrator (actor slug or name)."),
    status: str | None = typer.Option(None, help="Incident status, or 'unlinked'."),
    truce: str | None = typer.Option(None, help="Truce slug."),
    filed_by: str | None = typer.Option(None, help="Filing organisation."),
    text: str | None = typer.Option(None, help="Text in the narrative or place name."),
    after: int = typer.Option(0, help="Cursor: list reports with a higher id."),
    limit: int = typer.Option(1000, min=1, help="At most this many reports."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List reports, oldest filing first, with filters."""
    filters = ReportFilter(occurred_from=occurred_from, occurred_to=occurred_to,
                           bbox=parse_bbox(bbox), category=category, alleged_actor=alleged,
                           status=status, truce=truce, filed_by=filed_by, text=text)
    with transaction() as session:
        reports = list_reports(session, filters=filters, after_id=after, limit=limit,
                               principal=principal(session))
        views = [report_view(r, incident_id=incident_of(session, r.id)) for r in reports]
    if as_json:
        print_json(views)
        return
    print_table(
        ["id", "occurred", "category", "place", "alleged", "filed by", "incident"],
        [[v["id"], v["occurred_start"][:16], v["category"], v["place_name"], v["alleged_actor"],
          v["filed_by"], v["incident"]] for v in views],
    )


@app.command("show")
def show(
    report_id: int = typer.Argument(..., help="Report id."),
    confidential: bool = typer.Option(
        False, help="Include the confidential source (only the filing organisation's reporters "
                    "and the operator may; every reading is logged)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show one report."""
    with transaction() as session:
        who = principal(session)
        report = get_report(session, report_id, principal=who)
        source = (reveal_confidential_source(session, report_id=report_id, actor=who.actor,
                                             principal=who)
                  if confidential else None)
        view = report_view(report, incident_id=incident_of(session, report_id),
                           confidential=source)
    if as_json:
        print_json(view)
        return
    for key, value in view.items():
        typer.echo(f"{key:20} {value}")
