"""Everything the mechanism does with reports: file them (once), read them, filter them."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from trucewatch.actors.enums import ActorKind
from trucewatch.actors.models import Actor
from trucewatch.actors.service import find_actor, pick_actor, search_actors_many
from trucewatch.auth.models import User
from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal
from trucewatch.errors import IdempotencyConflict, InvalidInput, UnknownReference
from trucewatch.geo.zones import ZoneIndex, check_coordinates
from trucewatch.log import service as log
from trucewatch.log.models import LogEntry
from trucewatch.log.state import RowState, core_row_state
from trucewatch.reports.attachments import CheckedAttachment, check_attachment, store_blob
from trucewatch.reports.models import (
    Casualty,
    ConfidentialSource,
    Report,
    ReportAttachment,
)
from trucewatch.reports.schemas import ReportIn
from trucewatch.reports.when import When, parse_when
from trucewatch.storage.base import utcnow
from trucewatch.truces.models import Truce
from trucewatch.truces.service import stored_zone_index
from trucewatch.validation import parse

# The tables written in bulk: Core executemany, without the ORM's per-row bookkeeping.
_REPORTS = cast(Table, Report.__table__)
_CASUALTIES = cast(Table, Casualty.__table__)
_SOURCES = cast(Table, ConfidentialSource.__table__)
_ATTACHMENTS = cast(Table, ReportAttachment.__table__)


@dataclass(frozen=True)
class Limits:
    max_attachment_bytes: int = 10 * 1024 * 1024
    max_narrative_chars: int = 100_000
    max_batch: int = 100_000


@dataclass(frozen=True)
class FiledReport:
    id: int
    created: bool  # False when an earlier submission with the same idempotency key is returned


@dataclass
class _Prepared:
    spec: ReportIn
    dumped: dict[str, Any]  # the submission as JSON values, as fingerprinted
    key: str
    fingerprint: str
    when: When
    truce: Truce | None
    attachments: list[CheckedAttachment]
    zone_id: int | None = None  # these three are resolved for the whole batch at once
    alleged_id: int | None = None
    affected_id: int | None = None


def file_report(session: Session, *, data: ReportIn | dict[str, Any], organisation: str,
                user: str | None = None, actor: str, limits: Limits = Limits(),
                principal: Principal | None = None) -> FiledReport:
    """File one report for ``organisation``; a retry with the same idempotency key is a no-op."""
    return file_reports(session, submissions=[data], organisation=organisation, user=user,
                        actor=actor, limits=limits, principal=principal)[0]


def file_reports(session: Session, *, submissions: Sequence[ReportIn | dict[str, Any]],
                 organisation: str, user: str | None = None, actor: str,
                 limits: Limits = Limits(),
                 principal: Principal | None = None) -> list[FiledReport]:
    """File many reports at once: all are checked first, then written with one log entry each.

    Given a ``principal``, it must be a reporter of ``organisation`` (``report.file``)."""
    if len(submissions) > limits.max_batch:
        raise InvalidInput(f"{len(submissions)} reports in one batch; the limit is "
                           f"{limits.max_batch}", field="reports")
    org = find_actor(session, organisation, field="organisation", kind=ActorKind.ORGANISATION)
    if principal is not None:
        require(principal, Action.REPORT_FILE, organisation_id=org.id)
    user_row = _filing_user(session, user, org)
    resolver = _Resolver(session)
    many = len(submissions) > 1
    prefixes = [f"reports.{i}" if many else "" for i in range(len(submissions))]
    prepared = [_prepare(resolver, item, prefix=prefix, limits=limits)
                for prefix, item in zip(prefixes, submissions, strict=True)]
    resolver.place(prepared, prefixes)
    log.lock(session)  # from here on no other writer can file under the same key
    existing = _existing(session, org.id, [p.key for p in prepared])
    results: list[FiledReport] = []
    fresh: list[_Prepared] = []
    fresh_index: dict[str, int] = {}
    for i, p in enumerate(prepared):
        prior = existing.get(p.key)
        same_source = True
        if prior is None and p.key in fresh_index:
            first = fresh[fresh_index[p.key]]
            prior = (-1 - fresh_index[p.key], first.fingerprint)
            same_source = first.spec.confidential_source == p.spec.confidential_source
        elif prior is not None:
            same_source = _same_source(session, prior[0], p)
        if prior is not None:
            if prior[1] != p.fingerprint or not same_source:
                field = f"reports.{i}.idempotency_key" if many else "idempotency_key"
                raise IdempotencyConflict(
                    f"key {p.key!r} was already used for a different report", field=field)
            results.append(FiledReport(prior[0], False))
            continue
        fresh_index[p.key] = len(fresh)
        fresh.append(p)
        results.append(FiledReport(-1 - fresh_index[p.key], True))
    ids = _insert(session, fresh, org, user_row, actor)
    return [FiledReport(ids[-1 - r.id], r.created) if r.id < 0 else r for r in results]


class _Resolver:
    """Caches actor and truce lookups across the reports of one batch."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.actors: dict[str, list[Actor]] = {}
        self.truces: dict[str | None, tuple[Truce, ZoneIndex] | None] = {}
        self.all_truces: list[Truce] | None = None

    def actor(self, ref: str | None, field: str) -> int | None:
        if ref is None or not ref.strip():
            return None
        if ref not in self.actors:
            self.actors.update(search_actors_many(self.session, [ref]))
        return pick_actor(self.actors[ref], ref, field=field).id

    def place(self, prepared: list[_Prepared], prefixes: list[str]) -> None:
        """Resolve the batch's actors (two queries for all names) and zones (vectorised)."""
        refs = {ref for p in prepared for ref in (p.spec.alleged_actor, p.spec.affected_actor)
                if ref is not None and ref.strip() and ref not in self.actors}
        if refs:
            self.actors.update(search_actors_many(self.session, refs))
        for p, prefix in zip(prepared, prefixes, strict=True):
            p.alleged_id = self.actor(p.spec.alleged_actor, _at(prefix, "alleged_actor"))
            p.affected_id = self.actor(p.spec.affected_actor, _at(prefix, "affected_actor"))
        by_truce: dict[int, list[_Prepared]] = {}
        for p in prepared:
            if p.truce is not None:
                by_truce.setdefault(p.truce.id, []).append(p)
        for group in by_truce.values():
            index = self.truces[cast(Truce, group[0].truce).slug]
            assert index is not None
            zones = index[1].zones_of([(p.spec.latitude, p.spec.longitude) for p in group])
            for p, zone_id in zip(group, zones, strict=True):
                p.zone_id = zone_id

    def truce(self, slug: str | None, when: When, field: str) -> tuple[Truce, ZoneIndex] | None:
        if slug is None:
            return self._truce_in_force(when)
        if slug not in self.truces:
            truce = self.session.scalar(select(Truce).where(Truce.slug == slug))
            if truce is None:
                raise UnknownReference(f"no truce {slug!r}", field=field)
            self.truces[slug] = (truce, stored_zone_index(self.session, truce.id))
        return self.truces[slug]

    def _truce_in_force(self, when: When) -> tuple[Truce, ZoneIndex] | None:
        if self.all_truces is None:
            self.all_truces = list(self.session.scalars(select(Truce).order_by(Truce.starts_at)))
        for truce in reversed(self.all_truces):
            if truce.starts_at < when.end and (truce.ends_at is None or when.start < truce.ends_at):
                return self.truce(truce.slug, when, "truce")
        return None


def _at(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _prepare(resolver: _Resolver, item: ReportIn | dict[str, Any], *, prefix: str,
             limits: Limits) -> _Prepared:
    """Check one submission; its actors and zone are filled in for the batch by ``place``."""
    def at(name: str) -> str:
        return _at(prefix, name)

    spec = parse(ReportIn, item, prefix=prefix)
    if len(spec.narrative) > limits.max_narrative_chars:
        raise InvalidInput(f"{len(spec.narrative)} characters; the limit is "
                           f"{limits.max_narrative_chars}", field=at("narrative"))
    when = parse_when(spec.occurred, spec.time_precision, field=at("occurred"))
    check_coordinates(spec.latitude, spec.longitude, field=prefix)
    found = resolver.truce(spec.truce, when, at("truce"))
    attachments = [
        check_attachment(a.filename, a.content, max_bytes=limits.max_attachment_bytes,
                         field=at(f"attachments.{j}"))
        for j, a in enumerate(spec.attachments)
    ]
    dumped = _dumped(spec, attachments)
    return _Prepared(
        spec=spec,
        dumped=dumped,
        key=spec.idempotency_key or f"auto-{uuid.uuid4().hex}",
        fingerprint=hashlib.sha256(log.canonical(dumped)).hexdigest(),
        when=when,
        truce=found[0] if found else None,
        attachments=attachments,
    )


def _dumped(spec: ReportIn, attachments: list[CheckedAttachment]) -> dict[str, Any]:
    """What the fingerprint covers: the submission less its key, attachments by hash.

    The confidential source is left out: the fingerprint is logged and readable, and a
    hash of a name is a guessable hash. A retry's source is compared with the stored one.
    """
    body = spec.model_dump(mode="json",
                           exclude={"idempotency_key", "attachments", "confidential_source"})
    body["attachments"] = [[a.filename, a.sha256] for a in attachments]
    return body


def _filing_user(session: Session, username: str | None, org: Actor) -> User | None:
    if username is None:
        return None
    row = session.scalar(select(User).where(User.username == username))
    if row is None:
        raise UnknownReference(f"no user {username!r}", field="user")
    if row.organisation_id != org.id:
        raise InvalidInput(f"{username} does not belong to {org.slug}", field="user")
    return row


def _same_source(session: Session, report_id: int, p: _Prepared) -> bool:
    stored = session.get(ConfidentialSource, report_id)
    given = p.spec.confidential_source
    if stored is None or given is None:
        return stored is None and given is None
    return (stored.identity, stored.contact) == (given.identity, given.contact)


def _existing(session: Session, org_id: int, keys: list[str]) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        rows = session.execute(
            select(Report.idempotency_key, Report.id, Report.fingerprint)
            .where(Report.filed_by_org_id == org_id, Report.idempotency_key.in_(chunk))
        )
        for key, report_id, fingerprint in rows:
            found[key] = (report_id, fingerprint)
    return found


def _insert(session: Session, fresh: list[_Prepared], org: Actor, user: User | None,
            actor: str) -> list[int]:
    if not fresh:
        return []
    session.flush()  # as an ORM insert would: pending objects first
    now = utcnow()
    rows = [_report_row(p, org, user, now) for p in fresh]
    # A Core executemany, RETURNING each id with its key: (organisation, key) is unique and
    # the keys of ``fresh`` are distinct, so ids map back by key. Asking instead for rows in
    # parameter order (sort_by_parameter_order) makes SQLAlchemy send one INSERT per row
    # on SQLite, about five times slower.
    returned = session.execute(
        insert(_REPORTS).returning(_REPORTS.c.idempotency_key, _REPORTS.c.id), rows)
    id_of: dict[str, int] = {key: report_id for key, report_id in returned}
    ids = [id_of[p.key] for p in fresh]
    for report_id, row in zip(ids, rows, strict=True):
        row["id"] = report_id
    casualties: list[dict[str, Any]] = []
    sources: list[dict[str, Any]] = []
    attachments: list[dict[str, Any]] = []
    for report_id, p in zip(ids, fresh, strict=True):
        for c in p.dumped["casualties"]:
            casualties.append({"report_id": report_id, "outcome": c["outcome"],
                               "group": c["group"], "low": c["low"], "best": c["best"],
                               "high": c["high"]})
        if p.spec.confidential_source is not None:
            sources.append({"report_id": report_id, "identity": p.spec.confidential_source.identity,
                            "contact": p.spec.confidential_source.contact,
                            "salt": secrets.token_hex(16)})
        for a in p.attachments:
            store_blob(session, a)
            attachments.append({"report_id": report_id, "sha256": a.sha256,
                                "filename": a.filename})
    by_report: dict[int, list[RowState]] = {report_id: [] for report_id in ids}
    _insert_children(session, _CASUALTIES, casualties, by_report)
    _insert_children(session, _SOURCES, sources, by_report, returns_id=False)
    if attachments:
        session.flush()  # the blobs first
        _insert_children(session, _ATTACHMENTS, attachments, by_report)
    commitments = {r["report_id"]: hashlib.sha256((r["salt"] + r["identity"]).encode()).hexdigest()
                   for r in sources}
    filed_by = {"organisation": org.slug, "user": user.username if user else None}
    snapshots = [snapshot for report_id, row in zip(ids, rows, strict=True)
                 for snapshot in (core_row_state(_REPORTS, row), *by_report[report_id])]
    filings = [_filing(report_id, p, commitments.get(report_id))
               for report_id, p in zip(ids, fresh, strict=True)]
    # A filing is one state change in one transaction, so it is one log entry however many
    # reports it holds; the entry's rows snapshot every row written.
    if len(fresh) == 1:
        entry = log.PendingEntry("report.filed", f"report:{ids[0]}",
                                 {**filings[0], "filed_by": filed_by}, rows=tuple(snapshots))
    else:
        entry = log.PendingEntry("reports.filed", f"reports:{min(ids)}-{max(ids)}",
                                 {"filed_by": filed_by, "reports": filings},
                                 rows=tuple(snapshots))
    log.record_many(session, actor=actor, entries=[entry])
    return ids


def _insert_children(session: Session, table: Table, rows: list[dict[str, Any]],
                     by_report: dict[int, list[RowState]], *, returns_id: bool = True) -> None:
    """Insert rows that belong to reports and file each one's snapshot under its report."""
    if not rows:
        return
    if returns_id:
        # RETURNING order is not guaranteed by executemany; the id comes back with the
        # columns that identify the row within its report.
        natural = [c for c in ("report_id", "outcome", "group", "sha256", "filename")
                   if c in table.c]
        returned = session.execute(insert(table).returning(table.c.id, *[table.c[c] for c in natural]),
                                   rows)
        ids = {tuple(r[1:]): r[0] for r in returned}
        for row in rows:
            row["id"] = ids[tuple(row[c] for c in natural)]
    else:
        session.execute(insert(table), rows)
    for row in rows:
        by_report[row["report_id"]].append(core_row_state(table, row))


def _report_row(p: _Prepared, org: Actor, user: User | None, now: datetime) -> dict[str, Any]:
    s = p.spec
    return {
        "truce_id": p.truce.id if p.truce else None,
        "filed_by_org_id": org.id,
        "filed_by_user_id": user.id if user else None,
        "idempotency_key": p.key,
        "fingerprint": p.fingerprint,
        "source_kind": p.dumped["source_kind"],
        "source_description": s.source_description,
        "occurred_start": p.when.start,
        "occurred_end": p.when.end,
        "time_precision": p.when.precision.value,
        "place_name": s.place_name,
        "latitude": s.latitude,
        "longitude": s.longitude,
        "geo_precision": p.dumped["geo_precision"],
        "zone_id": p.zone_id,
        "category": s.category,
        "alleged_actor_id": p.alleged_id,
        "affected_actor_id": p.affected_id,
        "narrative": s.narrative,
        "synthetic": s.synthetic,
        "received_at": now,
    }


def _filing(report_id: int, p: _Prepared, commitment: str | None) -> dict[str, Any]:
    """What happened to one report, in words; the rows of the entry carry every stored value."""
    return {
        "id": report_id,
        "idempotency_key": p.key,
        "occurred": p.when.label(),
        "confidential_source_commitment": commitment,
    }


def filing_entry(session: Session, report_id: int) -> LogEntry | None:
    """The log entry that recorded the filing of report ``report_id``.

    A report filed alone has its own ``report.filed`` entry; a batch is one
    ``reports.filed`` entry whose subject spans the ids it filed (``reports:<first>-<last>``;
    filings hold the log's lock, so those spans never overlap).
    """
    alone = session.scalar(select(LogEntry).where(LogEntry.kind == "report.filed",
                                                  LogEntry.subject == f"report:{report_id}"))
    if alone is not None:
        return alone
    batches = session.execute(select(LogEntry.seq, LogEntry.subject)
                              .where(LogEntry.kind == "reports.filed")
                              .order_by(LogEntry.seq.desc()))
    for seq, subject in batches:
        first, _, last = subject.removeprefix("reports:").partition("-")
        if int(first) <= report_id <= int(last):
            return session.get(LogEntry, seq)
    return None
