"""``trucewatch ingest FILE…``, ``trucewatch proposals list|show|accept|reject`` and
``trucewatch geo import``: texts in, proposals a person decides on."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

import typer

from trucewatch.cli.context import principal, print_json, print_table, transaction
from trucewatch.errors import Conflict, InvalidInput

# spaCy and the gazetteer load on first use, not on every command's start.

SUFFIXES = (".txt", ".html", ".htm", ".text", ".md")
proposals = typer.Typer(help="Proposals from ingested texts: list, show, accept, reject.",
                        no_args_is_help=True)
geo = typer.Typer(help="The gazetteer ingestion resolves places with.", no_args_is_help=True)


def register(cli: typer.Typer) -> None:
    cli.command("ingest")(ingest_command)
    cli.add_typer(proposals, name="proposals")
    cli.add_typer(geo, name="geo")


def texts_in(paths: list[Path]) -> list[Path]:
    """The files named, and the text and HTML files under the directories named."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        elif path.is_file():
            out.append(path)
        else:
            raise InvalidInput(f"{path}: no such file or directory", field="file")
    return out


def ingest_command(
    files: list[Path] = typer.Argument(..., help="Text or HTML files, or directories of them."),
    published: str | None = typer.Option(
        None, help="Publication date YYYY-MM-DD that 'on Friday' is resolved against (default: "
                   "a DATE: header line, else today)."),
    source: str | None = typer.Option(None, help="Where the text comes from (default: the file "
                                                 "name)."),
    as_json: bool = typer.Option(False, "--json", help="Print the analysis and proposals as JSON."),
    dask: str | None = typer.Option(
        None, "--dask", help="Analyse on Dask workers: local:N starts a local cluster of N "
                             "processes, or give a scheduler's address (tcp://host:8786)."),
) -> None:
    """Analyse texts into proposals (actors, affiliations, events, invitations, replies,
    reports), each with its sentence, offsets and confidence; nothing enters the record until
    a person accepts it."""
    from trucewatch.ingest import service as ingest

    day = _date(published)
    paths = texts_in(files)
    results: list[dict[str, Any]] = []
    if dask is not None:
        results = _on_cluster(dask, paths, day, source)
        paths = []
    with transaction() as session:
        who = principal(session)
        with typer.progressbar(paths, label="ingesting", file=sys.stderr,
                               show_pos=True) as bar:
            for path in bar:
                try:
                    done = ingest.ingest_text(session, principal=who, raw=path.read_bytes(),
                                              source=source or path.name, published=day)
                except Conflict as exc:
                    typer.echo(f"skipped {path}: {exc}", err=True)
                    continue
                view = done.extraction.as_json()
                for item, row in zip(view["proposals"], done.proposals, strict=True):
                    item["id"] = row.id
                view["text_id"] = done.text.id
                results.append(view)
    for warning in {n for r in results for n in r["notes"]}:
        typer.echo(f"note: {warning}", err=True)
    if as_json:
        print_json(results[0] if len(files) == 1 and len(results) == 1 and files[0].is_file()
                   else results)
        return
    for view in results:
        typer.echo(f"text {view['text_id']} {view['source']} sha256 {view['sha256'][:12]}… "
                   f"({len(view['proposals'])} proposals, {len(view['dropped'])} lines dropped)")


def _on_cluster(address: str, paths: list[Path], day: date | None,
                source: str | None) -> list[dict[str, Any]]:
    """Analyse on Dask workers, then store here: one transaction, one log entry a text."""
    from trucewatch.ingest import distributed, service

    raws = [(path.read_bytes(), source or path.name, day) for path in paths]
    results: list[dict[str, Any]] = []
    with transaction() as session:
        who = principal(session)
        distributed.principal_may_ingest(who)
        with distributed.cluster_client(address) as client:
            analysed = distributed.analyse_on_cluster(session, client, raws)
        with typer.progressbar(list(zip(raws, analysed, strict=True)), label="storing",
                               file=sys.stderr, show_pos=True) as bar:
            for (raw, name, _day), view in bar:
                try:
                    stored = service.store_extracted(session, principal=who, raw=raw,
                                                     extracted=view, text=view["text"])
                except Conflict as exc:
                    typer.echo(f"skipped {name}: {exc}", err=True)
                    continue
                for item, row in zip(view["proposals"], stored.proposals, strict=True):
                    item["id"] = row.id
                view["text_id"] = stored.text.id
                results.append(view)
    return results


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"{text!r} is not YYYY-MM-DD", field="published") from exc


@proposals.command("list")
def list_(
    status: str = typer.Option("pending", help="pending, accepted, rejected or all."),
    kind: str | None = typer.Option(None, help="actor, affiliation, event, invitation, reply, "
                                               "report."),
    text: int | None = typer.Option(None, help="Only the proposals of this ingested text."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Proposals, pending ones by default."""
    from trucewatch.ingest import service as ingest

    with transaction() as session:
        rows = ingest.list_proposals(session, principal=principal(session),
                                     status=None if status == "all" else status, kind=kind,
                                     text_id=text)
        views = [ingest.proposal_view(r) for r in rows]
        lines = [[r.id, r.kind, r.status, f"{r.confidence:.2f}", ingest.summary(r)] for r in rows]
    if as_json:
        print_json(views)
        return
    print_table(["id", "kind", "status", "conf", "proposal"], lines)


@proposals.command("show")
def show(proposal: int = typer.Argument(..., help="The proposal id.")) -> None:
    """A proposal with its evidence, as JSON."""
    from trucewatch.ingest import service as ingest

    with transaction() as session:
        print_json(ingest.proposal_view(ingest.get_proposal(session, proposal,
                                                            principal=principal(session))))


@proposals.command("accept")
def accept(
    proposal: list[int] = typer.Argument(..., help="Proposal ids, accepted in this order."),
    meeting: str | None = typer.Option(None, help="For invitations: the meeting (slug)."),
    invitation: int | None = typer.Option(
        None, help="For a reply: the invitation id (default: from the accepted invitation "
                   "proposal it answers)."),
    organisation: str | None = typer.Option(None, help="For reports: the filing organisation."),
    truce: str | None = typer.Option(None, help="For reports: the truce (slug)."),
) -> None:
    """Make the records the proposals propose, through the same functions as manual entry;
    the log cites the source text's SHA-256."""
    from trucewatch.ingest import acceptance

    with transaction() as session:
        who = principal(session)
        for ident in proposal:
            row = acceptance.accept_proposal(session, principal=who, proposal_id=ident,
                                             meeting=meeting, invitation=invitation,
                                             organisation=organisation, truce=truce)
            typer.echo(f"accepted {row.id}: {row.record}")


@proposals.command("reject")
def reject(
    proposal: list[int] = typer.Argument(..., help="Proposal ids."),
    reason: str = typer.Option("", help="Why (kept with the proposal and in the log)."),
) -> None:
    """Reject proposals; they stay, with the reason."""
    from trucewatch.ingest import acceptance

    with transaction() as session:
        who = principal(session)
        for ident in proposal:
            row = acceptance.reject_proposal(session, principal=who, proposal_id=ident,
                                             reason=reason)
            typer.echo(f"rejected {row.id}")


@geo.command("import")
def geo_import(file: Path = typer.Argument(..., help="CSV (name, latitude, longitude[, country]) "
                                                     "or GeoJSON with a name property."),
               ) -> None:
    """Import places the packaged gazetteer lacks (Wadi Barada, Eastern Ghouta …)."""
    from trucewatch.ingest.places import import_places

    if not file.is_file():
        raise InvalidInput(f"{file}: no such file", field="file")
    with transaction() as session:
        count = import_places(session, principal=principal(session), content=file.read_bytes(),
                              source=file.name)
    typer.echo(f"imported {count} places from {file.name}")
