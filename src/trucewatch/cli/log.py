"""``trucewatch log verify|list``."""

from __future__ import annotations

import json

import typer
from sqlalchemy import select

from trucewatch.cli.context import print_json, transaction
from trucewatch.errors import Conflict
from trucewatch.log import service as log
from trucewatch.log.models import LogEntry, LogHead

app = typer.Typer(help="The append-only log of every state change.", no_args_is_help=True)


@app.command("verify")
def verify() -> None:
    """Recompute every hash of the log; exit 2 and name the first bad entry if any differs."""
    with transaction() as session:
        problems = log.verify(session)
        head = session.get(LogHead, 1)
    if problems:
        for p in problems[:20]:
            typer.echo(f"entry {p.seq}: {p.problem}", err=True)
        raise Conflict(f"the log does not verify: {len(problems)} problem(s)", field="log")
    size = head.size if head else 0
    chain = head.chain_hash if head else log.EMPTY_CHAIN
    typer.echo(f"log verified: {size} entries, head {chain}")


@app.command("list")
def list_(
    subject: str | None = typer.Option(None, help="Only entries about this subject, e.g. report:3."),
    after: int = typer.Option(0, help="Entries after this sequence number."),
    limit: int = typer.Option(100, min=1, help="At most this many entries."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List log entries in order."""
    with transaction() as session:
        query = select(LogEntry).where(LogEntry.seq > after).order_by(LogEntry.seq).limit(limit)
        if subject:
            query = query.where(LogEntry.subject == subject)
        rows = [{"seq": e.seq, "recorded_at": e.recorded_at.isoformat(), "kind": e.kind,
                 "subject": e.subject, "actor": e.actor, "leaf_hash": e.leaf_hash,
                 "chain_hash": e.chain_hash, "body": json.loads(e.body)}
                for e in session.scalars(query)]
    if as_json:
        print_json(rows)
        return
    for r in rows:
        typer.echo(f"{r['seq']:>6}  {r['recorded_at'][:19]}  {r['kind']:28} {r['subject']:20} "
                   f"{r['actor']}")
