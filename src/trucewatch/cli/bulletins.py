"""``trucewatch bulletin``: the bulletin of a day, a week or a month, as HTML or PDF."""

from __future__ import annotations

from pathlib import Path

import typer

from trucewatch.bulletins.service import bulletin_document, edition_of, period_of
from trucewatch.cli.context import principal, settings_now, transaction


def register(cli: typer.Typer) -> None:
    cli.command("bulletin")(bulletin)


def bulletin(
    period: str = typer.Option("week", "--period", help="day, week (Monday to Sunday) or month."),
    date: str = typer.Option(..., "--date", help="A day of the period (YYYY-MM-DD)."),
    format: str = typer.Option("pdf", "--format", help="html or pdf."),
    out: Path = typer.Option(..., "--out", dir_okay=False, help="The file to write."),
    edition: str = typer.Option(
        "public", "--edition",
        help="public (published material only) or guarantor (unpublished material too; "
             "guarantor officers and coordinators)."),
    language: str = typer.Option("en", "--language", help="en, ar, ru or tr."),
) -> None:
    """Write the bulletin of the period holding --date (docs/bulletins.md)."""
    with transaction() as session:
        content = bulletin_document(session, principal=principal(session),
                                    period=period_of(period, date), edition=edition_of(edition),
                                    format=format, data_dir=settings_now().data_dir,
                                    language=language)
    out.write_bytes(content)
    typer.echo(f"wrote {out} ({len(content)} bytes)")
