"""``trucewatch log verify|export|sign|countersign|heads|prove|consistency|list``."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from sqlalchemy import select

from trucewatch.cli.context import cli_actor, principal, print_json, settings_now, transaction
from trucewatch.errors import InvalidInput, NotFound
from trucewatch.keys.signing import Keystore
from trucewatch.log.audit import AuditReport
from trucewatch.log.export import audit_database, audit_export, write_export
from trucewatch.log.models import LogEntry
from trucewatch.log.treeheads import (
    countersign,
    get_tree_head,
    sign_tree_head,
    tree,
    tree_head_view,
    tree_heads,
)

app = typer.Typer(help="The append-only, signed log of every state change.", no_args_is_help=True)


def _keystore() -> Keystore:
    return Keystore(settings_now().keys_dir)


@app.command("verify")
def verify(
    file: Path | None = typer.Option(
        None, "--file", help="Check an export instead of the database (works offline)."),
) -> None:
    """Check hashes, the Merkle tree, every signature and (from the database) every table row.

    Exits 0 when everything holds, 1 when something does not (each problem is printed).
    """
    if file is not None:
        report = audit_export(file)
    else:
        with transaction() as session:
            report = audit_database(session)
    _print_report(report, state=file is None)


def _print_report(report: AuditReport, *, state: bool) -> None:
    for p in report.problems[:200]:
        typer.echo(f"{p.where}: {p.message}", err=True)
    if len(report.problems) > 200:
        typer.echo(f"… and {len(report.problems) - 200} more", err=True)
    summary = (f"{report.entries} entries, {report.tree_heads} tree heads, "
               f"{report.signatures} signatures" + (f", {report.rows_checked} table rows"
                                                    if state else ""))
    if report.problems:
        typer.echo(f"log does NOT verify: {len(report.problems)} problem(s) in {summary}",
                   err=True)
        raise typer.Exit(1)
    typer.echo(f"log verified: {summary}")


@app.command("export")
def export(file: Path = typer.Argument(..., help="Where to write the export (JSON Lines).")) -> None:
    """Write entries, tree heads and public keys to FILE for anyone to check offline."""
    with transaction() as session, file.open("w", encoding="utf-8") as out:
        n = write_export(session, out)
    typer.echo(f"wrote {n} entries to {file}")


@app.command("sign")
def sign() -> None:
    """Sign a tree head over the whole log with the server's log key."""
    with transaction() as session:
        head = sign_tree_head(session, keystore=_keystore(), actor=cli_actor())
        typer.echo(f"tree head {head.size}: {head.root_hash}")


@app.command("countersign")
def countersign_(
    size: int | None = typer.Argument(None, help="Tree head size (default: the latest)."),
    key_id: str | None = typer.Option(None, help="With --signature: the key it was made with."),
    signature: str | None = typer.Option(
        None, help="A base64 signature made elsewhere over the tree head's signed body."),
) -> None:
    """Countersign a tree head as your guarantor state (use --as USER)."""
    with transaction() as session:
        head = get_tree_head(session, size)
        row = countersign(session, principal=principal(session), size=head.size,
                          keystore=None if signature else _keystore(), key_id=key_id,
                          signature=signature)
        typer.echo(f"countersigned tree head {head.size} with key {row.key_id[:16]}…")


@app.command("heads")
def heads(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List signed tree heads with their countersignatures."""
    with transaction() as session:
        views = [tree_head_view(session, h) for h in tree_heads(session)]
    if as_json:
        print_json(views)
        return
    for v in views:
        signers = ", ".join(c["organisation"] or "?" for c in v["countersignatures"]) or "none"
        typer.echo(f"{v['size']:>8}  {v['timestamp'][:19]}  {v['root_hash']}  countersigned: "
                   f"{signers}")


@app.command("prove")
def prove(
    seq: int = typer.Argument(..., help="The entry's sequence number."),
    size: int | None = typer.Option(None, help="Tree size to prove against (default: latest head)."),
) -> None:
    """Print an inclusion proof (RFC 9162) of one entry in a signed tree head, as JSON."""
    with transaction() as session:
        head = get_tree_head(session, size)
        entry = session.get(LogEntry, seq)
        if entry is None or seq > head.size:
            raise NotFound(f"entry {seq} is not in tree head {head.size}", field="seq")
        path = tree(session, head.size).inclusion_proof(seq - 1, head.size)
        print_json({"entry": seq, "leaf_index": seq - 1, "leaf_hash": entry.leaf_hash,
                    "body": entry.body, "tree_head": tree_head_view(session, head),
                    "inclusion_path": [p.hex() for p in path]})


@app.command("consistency")
def consistency(
    old_size: int = typer.Argument(..., help="The earlier tree head's size."),
    new_size: int = typer.Argument(..., help="The later tree head's size."),
) -> None:
    """Print a consistency proof (RFC 9162) between two signed tree heads, as JSON."""
    if old_size > new_size:
        raise InvalidInput("the old size must not exceed the new size", field="old_size")
    with transaction() as session:
        old, new = get_tree_head(session, old_size), get_tree_head(session, new_size)
        path = tree(session, new.size).consistency_proof(old.size, new.size)
        print_json({"old": tree_head_view(session, old), "new": tree_head_view(session, new),
                    "consistency_path": [p.hex() for p in path]})


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
