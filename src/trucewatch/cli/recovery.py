"""``trucewatch backup FILE`` and ``trucewatch restore FILE [--witness HEADS]``."""

from __future__ import annotations

from pathlib import Path

import typer

from trucewatch.cli.context import print_json, settings_now
from trucewatch.recovery.service import backup as backup_store
from trucewatch.recovery.service import restore as restore_store
from trucewatch.recovery.witnesses import Witness, load_witnesses


def register(cli: typer.Typer) -> None:
    cli.command("backup")(backup)
    cli.command("restore")(restore)


def backup(file: Path = typer.Argument(..., help="Where to write the backup (must not exist).")
           ) -> None:
    """Write a consistent snapshot of the store while it runs (SQLite backup API; pg_dump on
    PostgreSQL). It holds everything, confidential sources included: keep it as safe as the
    database."""
    done = backup_store(settings_now().db, file)
    typer.echo(f"backed up the {done.dialect} store to {done.path} ({done.size_bytes} bytes)")


def restore(
    file: Path = typer.Argument(..., help="A file written by `trucewatch backup`."),
    witness: list[Path] = typer.Option(
        [], "--witness", help="Tree heads kept outside the server (`trucewatch log heads "
        "--json`, the API's tree head, or a log export): a backup older than any of them is "
        "reported. May be given several times."),
    as_json: bool = typer.Option(False, "--json", help="Print the check as JSON."),
) -> None:
    """Restore a backup into a new, empty store (--db / TRUCEWATCH_DB), then audit its log and
    tables and compare it with the witnessed tree heads. Exits 1 if anything does not hold;
    the restored data stays, as the backup held it."""
    witnesses: list[Witness] = [w for path in witness for w in load_witnesses(path)]
    check = restore_store(file, settings_now().db, witnesses=witnesses)
    if as_json:
        print_json({"ok": check.ok, "dialect": check.dialect, "log_size": check.log_size,
                    "rows": check.rows, "problems": check.problems, "rollback": check.rollback})
    else:
        total = sum(check.rows.values())
        typer.echo(f"restored {file} into the {check.dialect} store: {check.log_size} log "
                   f"entries, {total} rows in {len(check.rows)} tables")
        for line in check.problems:
            typer.echo(f"log audit: {line}", err=True)
        for line in check.rollback:
            typer.echo(f"ROLLBACK: {line}", err=True)
        typer.echo("the log and every table verify" if not check.problems else
                   "the log audit found problems", err=bool(check.problems))
    if not check.ok:
        raise typer.Exit(1)
