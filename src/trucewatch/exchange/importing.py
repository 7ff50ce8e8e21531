"""Import an event file: read row by row, file in batches, all or nothing unless told to skip.

Every row is checked as it is read. Valid rows are filed in batches through
``reports.service.file_reports`` (idempotency key ``<format>:<event id>``, so importing a
file twice files nothing new), and each batch's kept columns are written with a log
entry of their own. A bad row stops the writing; the rest of the file is still read and
checked, so that one run names every bad line, and then :class:`ImportRefused` is raised
so that the caller's transaction writes nothing. With ``skip_bad`` bad rows go to the
``rejected`` file instead, with their line and the error, and the rest is imported.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from typing import Any, TextIO, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from trucewatch.actors.enums import ActorKind
from trucewatch.actors.models import Actor
from trucewatch.actors.service import create_actor, find_actor, search_actors_many
from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal
from trucewatch.errors import InvalidInput, NotFound, TrucewatchError, UnknownReference
from trucewatch.exchange import csvrows
from trucewatch.exchange.formats import ImportFormat, import_format
from trucewatch.exchange.models import ExchangeRecord
from trucewatch.geo.zones import check_coordinates
from trucewatch.log import service as log
from trucewatch.log.state import core_row_state
from trucewatch.reports.schemas import ReportIn
from trucewatch.reports.service import Limits, file_reports
from trucewatch.reports.when import parse_when
from trucewatch.truces.service import get_truce
from trucewatch.validation import parse

_RECORDS = cast(Table, ExchangeRecord.__table__)
BATCH = 1000
MAX_LISTED = 100  # bad rows named in an error or a result; the count covers them all
_ACTOR_CACHE_MAX = 100_000
_WHOLE_FILE = frozenset({"organisation", "user", "reports", "log"})  # not one row's fault


@dataclass(frozen=True)
class RowProblem:
    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}"
        return f"{where} ({self.field}): {self.message}" if self.field else f"{where}: {self.message}"


@dataclass
class ImportResult:
    format: str
    rows: int = 0
    filed: int = 0
    existing: int = 0  # rows imported before, with the same content
    rejected: int = 0
    problems: list[RowProblem] = field(default_factory=list)  # the first MAX_LISTED

    def as_dict(self) -> dict[str, Any]:
        return {"format": self.format, "rows": self.rows, "filed": self.filed,
                "existing": self.existing, "rejected": self.rejected,
                "problems": [{"line": p.line, "field": p.field, "message": p.message}
                             for p in self.problems]}


class ImportRefused(InvalidInput):
    """The file has bad rows and ``skip_bad`` was not given: nothing of it is to be written."""

    def __init__(self, problems: list[RowProblem], count: int) -> None:
        lines = "\n".join(f"  {p}" for p in problems)
        more = f"\n  … and {count - len(problems)} more" if count > len(problems) else ""
        super().__init__(f"{count} bad row{'s' if count != 1 else ''}; nothing was imported "
                         f"(--skip-bad imports the rest):\n{lines}{more}", field="file")
        self.problems = problems
        self.count = count


@dataclass
class _Item:
    line: int
    raw: list[str]
    spec: ReportIn
    kept: dict[str, str]
    names: tuple[str, str]


def reject(result: ImportResult, problem: RowProblem, raw: list[str], *, skip_bad: bool,
           writer: Any, header: list[str]) -> bool:
    """Count a bad row and list it (the first ``MAX_LISTED``). With ``skip_bad`` it goes to
    the side file (``writer``, its header before the first row) and the import goes on:
    True; without, False: nothing of the file may be written."""
    result.rejected += 1
    if len(result.problems) < MAX_LISTED:
        result.problems.append(problem)
    if not skip_bad:
        return False
    if writer is not None:
        if result.rejected == 1:
            writer.writerow([*header, csvrows.LINE_COLUMN, csvrows.ERROR_COLUMN])
        writer.writerow([*raw, str(problem.line), str(problem)])
    return True


class _Import:
    def __init__(self, session: Session, fmt: ImportFormat, *, organisation: str, actor: str,
                 skip_bad: bool, rejected: TextIO | None, header: list[str],
                 limits: Limits) -> None:
        self.session, self.fmt, self.organisation, self.actor = session, fmt, organisation, actor
        self.skip_bad, self.limits, self.header = skip_bad, limits, header
        self.rejected_writer = csv.writer(rejected) if rejected is not None else None
        self.result = ImportResult(fmt.name)
        self.failed = False
        self.actors: dict[str, str | None] = {}

    def bad(self, line: int, raw: list[str], exc: TrucewatchError | str) -> None:
        if isinstance(exc, str):
            problem = RowProblem(line, None, exc)
        else:
            problem = RowProblem(line, self._column(exc.field), exc.message)
        if not reject(self.result, problem, raw, skip_bad=self.skip_bad,
                      writer=self.rejected_writer, header=self.header):
            self.failed = True

    def _column(self, name: str | None) -> str | None:
        if name is None:
            return None
        head, _, rest = name.partition(".")
        if head == "reports" and rest:  # reports.<i>.<field> from a batch
            name = rest.partition(".")[2] or rest
        return self.fmt.column_of.get(name.split(".")[0], name)

    def check(self, row: csvrows.Row, *, source_kind: str, truce: str | None) -> _Item | None:
        if row.values is None:
            self.bad(row.line, row.raw, f"{len(row.raw)} fields; the header has {len(self.header)}")
            return None
        try:
            data = self.fmt.to_submission(row.values, source_kind=source_kind, truce=truce)
            spec = parse(ReportIn, data)
            when = parse_when(spec.occurred, spec.time_precision, field="occurred")
            check_coordinates(spec.latitude, spec.longitude)
            kept = self.fmt.kept(row.values, spec, when)
        except TrucewatchError as exc:
            self.bad(row.line, row.raw, exc)
            return None
        a, b = self.fmt.actor_columns
        return _Item(row.line, row.raw, spec, kept,
                     (row.values.get(a, "").strip(), row.values.get(b, "").strip()))

    def file(self, batch: list[_Item]) -> None:
        """File a batch; a row the filing refuses is set aside (skip_bad) or stops the writing."""
        if self.failed or not batch:
            return
        self._link_actors(batch)
        while batch:
            try:
                filed = file_reports(self.session, submissions=[i.spec for i in batch],
                                     organisation=self.organisation, actor=self.actor,
                                     limits=self.limits)
            except TrucewatchError as exc:
                index = _row_of(exc, len(batch))
                if index is None:
                    raise
                self.bad(batch[index].line, batch[index].raw, exc)
                if self.failed:
                    return
                del batch[index]
                continue
            break
        else:
            return
        records: list[dict[str, Any]] = []
        ids: list[int] = []
        stored = self._kept_before([f.id for f in filed if not f.created])
        for item, f in zip(batch, filed, strict=True):
            if not f.created:
                if stored.get(f.id, {}) != item.kept:
                    changed = sorted(set(stored.get(f.id, {}).items()) ^ set(item.kept.items()))
                    self.bad(item.line, item.raw, InvalidInput(
                        f"imported before (report {f.id}) with other values in "
                        f"{', '.join(sorted({name for name, _ in changed}))}; an import never "
                        "changes a report", field=None))
                    continue
                self.result.existing += 1
                continue
            self.result.filed += 1
            if item.kept:
                ids.append(f.id)
                records.append({"report_id": f.id, "format": self.fmt.name,
                                "fields": json.dumps(item.kept, ensure_ascii=False,
                                                     sort_keys=True)})
        if records and not self.failed:
            self.session.execute(insert(_RECORDS), records)
            log.record_many(self.session, actor=self.actor, entries=[log.PendingEntry(
                "exchange.records_kept", f"reports:{min(ids)}-{max(ids)}",
                {"format": self.fmt.name, "reports": len(ids)},
                rows=tuple(core_row_state(_RECORDS, r) for r in records))])

    def _kept_before(self, report_ids: list[int]) -> dict[int, dict[str, str]]:
        if not report_ids:
            return {}
        rows = self.session.execute(select(ExchangeRecord.report_id, ExchangeRecord.fields)
                                    .where(ExchangeRecord.report_id.in_(report_ids)))
        return {report_id: json.loads(fields) for report_id, fields in rows}

    def _link_actors(self, batch: list[_Item]) -> None:
        """Link the actors a row names when the name is one known actor's (else the row keeps
        only the name)."""
        if len(self.actors) > _ACTOR_CACHE_MAX:
            self.actors.clear()
        wanted = {n for i in batch for n in i.names if n and n not in self.actors}
        if wanted:
            for name, matches in search_actors_many(self.session, wanted).items():
                self.actors[name] = matches[0].slug if len(matches) == 1 else None
        for item in batch:
            alleged, affected = (self.actors.get(n) if n else None for n in item.names)
            if alleged or affected:
                item.spec = item.spec.model_copy(
                    update={"alleged_actor": alleged, "affected_actor": affected})


def _row_of(exc: TrucewatchError, size: int) -> int | None:
    """The batch row a filing error names (``reports.<i>.…``; a batch of one names none)."""
    if exc.field in _WHOLE_FILE:
        return None
    if size == 1:
        return 0
    head, _, rest = (exc.field or "").partition(".")
    index = rest.partition(".")[0]
    if head == "reports" and index.isdigit() and int(index) < size:
        return int(index)
    return None


def import_csv(session: Session, *, format: str, stream: TextIO, actor: str,
               organisation: str | None = None, principal: Principal | None = None,
               truce: str | None = None, source_kind: str = "monitor", skip_bad: bool = False,
               rejected: TextIO | None = None, batch: int = BATCH,
               limits: Limits | None = None) -> ImportResult:
    """Import ``stream`` (CSV text) as ``format`` rows filed by ``organisation``.

    Without ``skip_bad`` a file with any bad row raises :class:`ImportRefused` after naming
    them; what was filed before is in the caller's transaction, which must not commit."""
    if principal is not None:
        require(principal, Action.EXCHANGE_IMPORT)
    fmt = import_format(format)
    org = source_organisation(session, fmt, organisation, actor=actor, principal=principal)
    find_actor(session, org, field="organisation", kind=ActorKind.ORGANISATION)
    if truce is not None:
        try:
            get_truce(session, truce)
        except NotFound:
            raise UnknownReference(f"no truce {truce!r}", field="truce") from None
    header, rows = csvrows.rows(stream, fmt.required)
    run = _Import(session, fmt, organisation=org, actor=actor, skip_bad=skip_bad,
                  rejected=rejected, header=header, limits=limits or Limits())
    pending: list[_Item] = []
    for row in rows:
        run.result.rows += 1
        item = run.check(row, source_kind=source_kind, truce=truce)
        if item is not None and not run.failed:
            pending.append(item)
            if len(pending) >= batch:
                run.file(pending)
                pending = []
        elif run.failed:
            pending = []
    run.file(pending)
    if run.failed:
        raise ImportRefused(run.result.problems, run.result.rejected)
    return run.result


def source_organisation(session: Session, fmt: ImportFormat, organisation: str | None, *,
                        actor: str, principal: Principal | None) -> str:
    """The filer: the one given, or the format's own (registered, logged, on first import)."""
    if organisation is not None:
        return organisation
    slug, name = fmt.organisation
    if session.query(Actor.id).filter(Actor.slug == slug).first() is None:
        create_actor(session, data={"slug": slug, "kind": "organisation",
                                    "organisation_type": "ngo",
                                    "names": [{"name": name, "lang": "en", "primary": True}]},
                     actor=actor, principal=principal)
    return slug
