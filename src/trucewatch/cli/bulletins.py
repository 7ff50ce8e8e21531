"""``trucewatch bulletin``: the bulletin of a day, a week or a month, as HTML or PDF, or the
complete list of its incidents as CSV or GeoJSON."""

from __future__ import annotations

from pathlib import Path

import typer

from trucewatch.cli.context import principal, settings_now, transaction


def register(cli: typer.Typer) -> None:
    cli.command("bulletin")(bulletin)


def bulletin(
    period: str = typer.Option("week", "--period", help="day, week (Monday to Sunday) or month."),
    date: str = typer.Option(..., "--date", help="A day of the period (YYYY-MM-DD)."),
    format: str = typer.Option(
        "pdf", "--format",
        help="html or pdf; csv or geojson: the complete list of the bulletin's incidents."),
    out: Path = typer.Option(..., "--out", dir_okay=False, help="The file to write."),
    edition: str = typer.Option(
        "public", "--edition",
        help="public (published material only) or guarantor (unpublished material too; "
             "guarantor officers and coordinators)."),
    language: str = typer.Option("en", "--language", help="en, ar, ru or tr."),
) -> None:
    """Write the bulletin of the period holding --date (docs/bulletins.md)."""
    # the renderer (Jinja, Babel) only for this command: every other command starts faster
    from trucewatch.bulletins.service import bulletin_document, edition_of, period_of

    settings = settings_now()
    with transaction() as session:
        content = bulletin_document(session, principal=principal(session),
                                    period=period_of(period, date), edition=edition_of(edition),
                                    format=format, data_dir=settings.data_dir,
                                    language=language, base_url=settings.base_url)
    out.write_bytes(content)
    typer.echo(f"wrote {out} ({len(content)} bytes)")
