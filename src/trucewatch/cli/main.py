"""The ``trucewatch`` command: global options, command groups, and the one place errors exit 2."""

from __future__ import annotations

import functools
import sys
from typing import Any

import typer
import typer.main

from trucewatch.cli import (
    actors,
    analytics,
    basemap,
    bulk,
    bulletins,
    correlation,
    exchange,
    incidents,
    ingest,
    keys,
    log,
    notify,
    recovery,
    reports,
    serve,
    setup,
    talks,
    truces,
    users,
    verification,
)
from trucewatch.cli.context import set_as_user, set_db
from trucewatch.errors import TrucewatchError

cli = typer.Typer(
    name="trucewatch",
    help="Run a joint ceasefire monitoring mechanism: reports, incidents, truces and a "
         "verifiable log.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@cli.callback()
def main(
    db: str | None = typer.Option(
        None, "--db", help="Database URL; overrides TRUCEWATCH_DB (default: ./trucewatch.db)."),
    as_user: str | None = typer.Option(
        None, "--as", help="Act as this user, with that user's roles (default: the operator)."),
) -> None:
    set_db(db)
    set_as_user(as_user)


setup.register(cli)
recovery.register(cli)
serve.register(cli)
cli.add_typer(actors.app, name="actor")
cli.add_typer(truces.app, name="truce")
cli.add_typer(reports.app, name="report")
cli.add_typer(incidents.app, name="incident")
cli.add_typer(bulk.app, name="bulk")
cli.add_typer(log.app, name="log")
verification.register(cli)
cli.add_typer(users.app, name="user")
cli.add_typer(users.tokens, name="token")
cli.add_typer(keys.app, name="key")
cli.add_typer(basemap.app, name="basemap")
cli.add_typer(talks.app, name="talks")
cli.add_typer(notify.app, name="notify")
ingest.register(cli)
cli.add_typer(exchange.imports, name="import")
cli.add_typer(exchange.exports, name="export")
cli.add_typer(correlation.app, name="correlate")
bulletins.register(cli)
cli.add_typer(analytics.app, name="analytics")


@functools.cache
def _command() -> Any:
    """The click command of ``cli``, built once per process (calling ``cli`` builds it anew)."""
    return typer.main.get_command(cli)


def app(argv: list[str] | None = None) -> None:
    """Entry point: domain errors print one line naming the field and exit with status 2."""
    # Typer handles usage errors itself (exit 2); domain errors come through to here.
    try:
        _command()(args=argv)
    except TrucewatchError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
