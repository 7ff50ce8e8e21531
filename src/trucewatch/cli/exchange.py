"""``trucewatch import acled|ucdp FILE`` and ``trucewatch export acled|csv|geojson|jsonl|datasets``."""

from __future__ import annotations

import gzip
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import typer

from trucewatch.auth.principal import PUBLIC
from trucewatch.cli.context import limits, principal, print_json, transaction
from trucewatch.errors import InvalidInput
from trucewatch.exchange.dataset_export import export_dataset, list_datasets
from trucewatch.exchange.datasets import DatasetResult, ImportMode, import_dataset
from trucewatch.exchange.exporting import ExportFilter, check_export, export
from trucewatch.exchange.importing import ImportResult, import_csv

imports = typer.Typer(help="Import event files: ACLED as a reference dataset (the default) or "
                           "as reports; UCDP GED as reports.", no_args_is_help=True)
exports = typer.Typer(help="Export reports, incidents or an imported dataset (streamed, of "
                           "any size).", no_args_is_help=True)


@contextmanager
def _open_text(path: Path) -> Iterator[TextIO]:
    """A CSV file as text (UTF-8, a byte-order mark dropped; ``.gz`` read through gzip)."""
    if not path.is_file():
        raise InvalidInput(f"no file {path}", field="file")
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as stream:
            yield stream
    else:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            yield stream


def _import(fmt: str, path: Path, mode: ImportMode, organisation: str | None,
            truce: str | None, source_kind: str | None, skip_bad: bool, rejected: Path | None,
            as_json: bool) -> None:
    if mode is ImportMode.DATASET:
        for option, value in (("--org", organisation), ("--truce", truce),
                              ("--source-kind", source_kind)):
            if value is not None:
                raise InvalidInput(f"{option} applies to --mode reports only", field="mode")
        if not path.is_file():
            raise InvalidInput(f"no file {path}", field="file")
    side = rejected or path.with_name(path.name + ".rejected.csv")
    side_file = side.open("w", encoding="utf-8", newline="") if skip_bad else None
    result: ImportResult
    try:
        if mode is ImportMode.DATASET:
            with path.open("rb") as source, transaction() as session:
                who = principal(session)
                result = import_dataset(session, format=fmt, source=source,
                                        file_name=path.name, actor=who.actor, principal=who,
                                        skip_bad=skip_bad, rejected=side_file)
        else:
            with _open_text(path) as stream, transaction() as session:
                who = principal(session)
                result = import_csv(session, format=fmt, stream=stream, actor=who.actor,
                                    organisation=organisation, principal=who, truce=truce,
                                    source_kind=source_kind or "monitor", skip_bad=skip_bad,
                                    rejected=side_file, limits=limits())
    finally:
        if side_file is not None:
            side_file.close()
            if side.stat().st_size == 0:
                side.unlink()
    _print_result(result, side if skip_bad and result.rejected else None, as_json)


def _print_result(result: ImportResult, side: Path | None, as_json: bool) -> None:
    if as_json:
        print_json({**result.as_dict(), "rejected_file": str(side) if side else None})
        return
    if isinstance(result, DatasetResult):
        typer.echo(f"{result.rows} rows read: {result.stored} stored as dataset "
                   f"{result.dataset}, {result.rejected} rejected (file SHA-256 "
                   f"{result.file_sha256})")
    else:
        typer.echo(f"{result.rows} rows read: {result.filed} reports filed, {result.existing} "
                   f"imported before, {result.rejected} rejected")
    for problem in result.problems:
        typer.echo(f"  rejected {problem}")
    if side is not None:
        typer.echo(f"rejected rows written to {side}")


_ORG = typer.Option(None, "--org", help="The organisation the reports are filed for "
                                         "(default: the format's own, registered if missing; "
                                         "--mode reports).")
_TRUCE = typer.Option(None, help="Truce slug (default: the truce in force on each event's "
                                 "date; --mode reports).")
_KIND = typer.Option(None, help="Source kind of the reports: party, monitor, media, public "
                               "(default: monitor).")
_SKIP = typer.Option(False, "--skip-bad", help="Import the good rows; write the bad ones to "
                                                "the --rejected file.")
_REJECTED = typer.Option(None, help="Where --skip-bad writes rejected rows "
                                    "(default: FILE.rejected.csv).")
_JSON = typer.Option(False, "--json-out", help="Print the result as JSON.")


@imports.command("acled")
def import_acled(
    file: Path = typer.Argument(..., help="An ACLED CSV file (.csv or .csv.gz)."),
    mode: ImportMode = typer.Option(ImportMode.DATASET, help="dataset: kept as it is, as "
                                    "third-party reference data; reports: each row filed as "
                                    "a report (docs/exchange.md)."),
    organisation: str | None = _ORG, truce: str | None = _TRUCE,
    source_kind: str | None = _KIND, skip_bad: bool = _SKIP, rejected: Path | None = _REJECTED,
    as_json: bool = _JSON,
) -> None:
    """Import ACLED rows; a file with a bad row imports nothing unless --skip-bad."""
    _import("acled", file, mode, organisation, truce, source_kind, skip_bad, rejected, as_json)


@imports.command("ucdp")
def import_ucdp(
    file: Path = typer.Argument(..., help="A UCDP GED CSV file (.csv or .csv.gz)."),
    mode: ImportMode = typer.Option(ImportMode.REPORTS, help="reports (UCDP GED has no "
                                    "dataset mode yet)."),
    organisation: str | None = _ORG, truce: str | None = _TRUCE,
    source_kind: str | None = _KIND, skip_bad: bool = _SKIP, rejected: Path | None = _REJECTED,
    as_json: bool = _JSON,
) -> None:
    """Import UCDP GED events as reports; a file with a bad row imports nothing unless
    --skip-bad."""
    _import("ucdp", file, mode, organisation, truce, source_kind, skip_bad, rejected, as_json)


def _export(fmt: str, subject: str, occurred_from: str | None, occurred_to: str | None,
            truce: str | None, out: str, public: bool, dataset: int | None = None) -> None:
    filters = ExportFilter(occurred_from=occurred_from, occurred_to=occurred_to, truce=truce)
    if dataset is None:
        check_export(subject, fmt, filters)
    elif subject != "reports" or filters != ExportFilter():
        raise InvalidInput("--dataset writes the whole dataset: no --subject, --from, --to "
                           "or --truce", field="dataset")
    with transaction() as session:
        who = PUBLIC if public else principal(session)
        chunks = (export(session, subject=subject, format=fmt, principal=who, filters=filters)
                  if dataset is None else
                  export_dataset(session, dataset=dataset, principal=who))
        if out == "-":
            for chunk in chunks:
                sys.stdout.write(chunk)
            return
        target = Path(out)
        partial = target.with_name(target.name + ".partial")
        with partial.open("w", encoding="utf-8", newline="") as stream:
            for chunk in chunks:
                stream.write(chunk)
        partial.replace(target)  # a failed export leaves no half file under the name asked for


def _export_command(fmt: str, doc: str) -> None:
    def command(
        subject: str = typer.Option("reports", help="reports or incidents."),
        occurred_from: str | None = typer.Option(None, "--from", help="From this date, week "
                                                  "or month (ISO 8601)."),
        occurred_to: str | None = typer.Option(None, "--to", help="Up to this date, week or "
                                                "month (ISO 8601)."),
        truce: str | None = typer.Option(None, help="Only this truce (slug)."),
        out: str = typer.Option("-", "--out", help="Write to this file ('-': standard output)."),
        public: bool = typer.Option(False, "--public",
                                    help="Export only what the public sees (published material)."),
    ) -> None:
        _export(fmt, subject, occurred_from, occurred_to, truce, out, public)

    command.__doc__ = doc
    exports.command(fmt)(command)


@exports.command("acled")
def export_acled(
    subject: str = typer.Option("reports", help="reports (incidents have no ACLED form)."),
    occurred_from: str | None = typer.Option(None, "--from", help="From this date, week "
                                              "or month (ISO 8601)."),
    occurred_to: str | None = typer.Option(None, "--to", help="Up to this date, week or "
                                            "month (ISO 8601)."),
    truce: str | None = typer.Option(None, help="Only this truce (slug)."),
    dataset: int | None = typer.Option(None, help="An imported dataset instead of reports: "
                                       "its file back, every column as it was read."),
    out: str = typer.Option("-", "--out", help="Write to this file ('-': standard output)."),
    public: bool = typer.Option(False, "--public",
                                help="Export only what the public sees (published material)."),
) -> None:
    """Reports as ACLED CSV (an imported ACLED row comes out as it went in), or a dataset."""
    _export("acled", subject, occurred_from, occurred_to, truce, out, public, dataset)


@exports.command("datasets")
def export_datasets() -> None:
    """The imported datasets as JSON: id, format, file name and SHA-256, rows, when, by whom."""
    with transaction() as session:
        print_json(list_datasets(session, principal=principal(session)))



_export_command("csv", "Reports or incidents as CSV (lists and objects as JSON in a cell).")
_export_command("geojson", "Reports or incidents as a GeoJSON FeatureCollection.")
_export_command("jsonl", "Reports or incidents as JSON Lines, one object per line.")
