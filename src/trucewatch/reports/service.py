"""Everything the mechanism does with reports: file them (once), read them, filter them."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple, cast

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import CompoundSelect, Table, bindparam, insert, literal, select, union_all
from sqlalchemy.orm import Session

from trucewatch.actors.enums import ActorKind
from trucewatch.actors.models import Actor, ActorName
from trucewatch.actors.names import normalise_name
from trucewatch.actors.service import find_actor, pick_actor
from trucewatch.auth.models import User
from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal
from trucewatch.collector import collector_paused
from trucewatch.errors import IdempotencyConflict, InvalidInput, UnknownReference
from trucewatch.geo.zones import ZoneIndex, check_coordinates
from trucewatch.log import service as log
from trucewatch.log.models import LogEntry
from trucewatch.log.state import core_row_state, json_value
from trucewatch.reports.attachments import CheckedAttachment, check_attachment, store_blob
from trucewatch.reports.inserts import insert_rows_returning
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
BULK = 100  # batches this large are filed with the cyclic garbage collector paused
_REPORT_TIMES = ("occurred_start", "occurred_end", "received_at")  # logged as text


@dataclass(frozen=True)
class Limits:
    max_attachment_bytes: int = 10 * 1024 * 1024
    max_narrative_chars: int = 100_000
    max_batch: int = 100_000


@dataclass(frozen=True, slots=True)
class FiledReport:
    id: int
    created: bool  # False when an earlier submission with the same idempotency key is returned
    attached: bool | None = None  # has attachments; None: filed before, not known here


@dataclass(slots=True)  # a batch holds thousands; every object the collector tracks costs
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

    Given a ``principal``, it must be a reporter of ``organisation`` (``report.file``). A
    batch of :data:`BULK` or more is filed with the cyclic garbage collector paused
    (:mod:`trucewatch.collector`)."""
    if len(submissions) < BULK:
        return _file_reports(session, submissions, organisation, user, actor, limits, principal)
    with collector_paused():
        return _file_reports(session, submissions, organisation, user, actor, limits, principal)


def _file_reports(session: Session, submissions: Sequence[ReportIn | dict[str, Any]],
                  organisation: str, user: str | None, actor: str, limits: Limits,
                  principal: Principal | None) -> list[FiledReport]:
    if len(submissions) > limits.max_batch:
        raise InvalidInput(f"{len(submissions)} reports in one batch; the limit is "
                           f"{limits.max_batch}", field="reports")
    org = _organisation(session, organisation, principal)
    if principal is not None:
        require(principal, Action.REPORT_FILE, organisation_id=org.id)
    user_row = _filing_user(session, user, org, principal)
    resolver = _Resolver(session)
    many = len(submissions) > 1
    prefixes = [f"reports.{i}" if many else "" for i in range(len(submissions))]
    prepared = _prepare_all(resolver, submissions, prefixes, limits)
    resolver.place(prepared, prefixes)
    log.lock(session)  # from here on no other writer can file under the same key
    existing = _existing(session, org.id, [p.key for p in prepared])
    results: list[tuple[int, bool]] = []  # an earlier report's id, or -1 - index in fresh
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
            results.append((prior[0], False))
            continue
        fresh_index[p.key] = len(fresh)
        fresh.append(p)
        results.append((-1 - fresh_index[p.key], True))
    ids = _insert(session, fresh, org, user_row, actor)
    return [FiledReport(ids[-1 - found], created, bool(fresh[-1 - found].attachments))
            if found < 0 else FiledReport(found, created)
            for found, created in results]


class _Resolver:
    """Caches actor and truce lookups across the reports of one batch."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.actors: dict[str, list[Actor]] = {}
        self.actor_ids: dict[str, int] = {}  # the references already resolved to one actor
        self.truces: dict[str | None, tuple[Truce, ZoneIndex] | None] = {}
        self.all_truces: list[Truce] | None = None

    def actor(self, ref: str | None, field: str) -> int | None:
        if ref is None:
            return None
        found = self.actor_ids.get(ref)
        if found is not None:
            return found
        if not ref.strip():
            return None
        if ref not in self.actors:
            self.actors.update(_actors_named(self.session, [ref]))
        found = self.actor_ids[ref] = pick_actor(self.actors[ref], ref, field=field).id
        return found

    def place(self, prepared: list[_Prepared], prefixes: list[str]) -> None:
        """Resolve the batch's actors (one query for all names) and zones (vectorised)."""
        refs = {ref for p in prepared for ref in (p.spec.alleged_actor, p.spec.affected_actor)
                if ref is not None and ref.strip() and ref not in self.actors}
        if refs:
            self.actors.update(_actors_named(self.session, refs))
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
            truce = next((t for t in self._all_truces() if t.slug == slug), None)
            if truce is None:
                raise UnknownReference(f"no truce {slug!r}", field=field)
            self.truces[slug] = (truce, stored_zone_index(self.session, truce.id))
        return self.truces[slug]

    def _all_truces(self) -> list[Truce]:
        """Every truce, read once for the batch (a store holds a handful)."""
        if self.all_truces is None:
            self.all_truces = list(self.session.scalars(select(Truce).order_by(Truce.starts_at)))
        return self.all_truces

    def _truce_in_force(self, when: When) -> tuple[Truce, ZoneIndex] | None:
        for truce in reversed(self._all_truces()):
            if truce.starts_at < when.end and (truce.ends_at is None or when.start < truce.ends_at):
                if truce.slug not in self.truces:  # read already: not looked up again by slug
                    self.truces[truce.slug] = (truce, stored_zone_index(self.session, truce.id))
                return self.truces[truce.slug]
        return None


class _ActorRef(NamedTuple):
    """What filing needs of an actor a reference names (``pick_actor`` reads these)."""

    id: int
    slug: str
    kind: str


def _actors_query() -> CompoundSelect[Any]:
    actors, names = cast(Table, Actor.__table__), cast(Table, ActorName.__table__)
    by_slug = select(actors.c.slug.label("matched"), literal(False).label("by_name"),
                     actors.c.id, actors.c.slug, actors.c.kind).where(
        actors.c.slug.in_(bindparam("slugs", expanding=True)))
    by_name = select(names.c.normalised, literal(True), actors.c.id, actors.c.slug,
                     actors.c.kind).join_from(names, actors, actors.c.id == names.c.actor_id
                                              ).where(
        names.c.normalised.in_(bindparam("names", expanding=True)))
    return union_all(by_slug, by_name)


# Built once: every filing resolves its reports' actors, and building the ORM's two
# statements of ``search_actors_many`` and its entities cost more than running them.
_ACTORS_NAMED = _actors_query()


def _actors_named(session: Session, refs: Iterable[str]) -> dict[str, list[Actor]]:
    """``actors.service.search_actors_many`` in one statement built once: each reference's
    actor by exact slug, else every actor one of whose names normalises to it, by slug."""
    wanted = {ref: ref.strip() for ref in refs}
    keys = {ref: normalise_name(ref) for ref in wanted}
    by_slug: dict[str, _ActorRef] = {}
    named: dict[str, dict[int, _ActorRef]] = {}
    for matched, by_name, actor_id, slug, kind in session.execute(_ACTORS_NAMED, {
            "slugs": sorted(set(wanted.values())), "names": sorted({k for k in keys.values() if k})}):
        actor = _ActorRef(actor_id, slug, kind)
        if by_name:
            named.setdefault(matched, {})[actor_id] = actor
        else:
            by_slug[matched] = actor
    found: dict[str, list[_ActorRef]] = {
        ref: [by_slug[slug]] if slug in by_slug
        else sorted(named.get(keys[ref], {}).values(), key=lambda a: a.slug)
        for ref, slug in wanted.items()}
    return cast(dict[str, list[Actor]], found)  # pick_actor reads id, slug and kind only


def _at(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


# What the fingerprint leaves out of a submission: its key; its attachments, which it
# covers by hash instead; and the confidential source, because the fingerprint is logged
# and readable and a hash of a name is a guessable hash (a retry's source is compared
# with the stored one instead).
_UNFINGERPRINTED = frozenset({"idempotency_key", "attachments", "confidential_source"})
_SUBMISSIONS = TypeAdapter(list[ReportIn])


def _prepare_all(resolver: _Resolver, submissions: Sequence[ReportIn | dict[str, Any]],
                 prefixes: list[str], limits: Limits) -> list[_Prepared]:
    """Check every submission, in order; actors and zones are filled in later by ``place``.

    A batch is validated and dumped by pydantic in one call each. When that finds a bad
    submission, each is checked again in turn, so that the error named is the first in
    the order of the batch, as if there were no shortcut.
    """
    now = datetime.now(UTC)
    if len(submissions) > 1:
        try:
            specs = _SUBMISSIONS.validate_python(submissions)
        except ValidationError:
            pass
        else:
            dumped = _SUBMISSIONS.dump_python(specs, mode="json",
                                              exclude={"__all__": set(_UNFINGERPRINTED)})
            return [_prepare(resolver, spec, d, prefix=prefix, limits=limits, now=now)
                    for spec, d, prefix in zip(specs, dumped, prefixes, strict=True)]
    prepared = []
    for item, prefix in zip(submissions, prefixes, strict=True):
        spec = parse(ReportIn, item, prefix=prefix)
        dumped_one = spec.model_dump(mode="json", exclude=set(_UNFINGERPRINTED))
        prepared.append(_prepare(resolver, spec, dumped_one, prefix=prefix, limits=limits,
                                 now=now))
    return prepared


def _prepare(resolver: _Resolver, spec: ReportIn, dumped: dict[str, Any], *, prefix: str,
             limits: Limits, now: datetime) -> _Prepared:
    """Check one validated submission; ``dumped`` is its fingerprinted part as JSON values."""
    def at(name: str) -> str:
        return _at(prefix, name)

    if len(spec.narrative) > limits.max_narrative_chars:
        raise InvalidInput(f"{len(spec.narrative)} characters; the limit is "
                           f"{limits.max_narrative_chars}", field=at("narrative"))
    when = parse_when(spec.occurred, spec.time_precision, now=now, field=at("occurred"))
    check_coordinates(spec.latitude, spec.longitude, field=prefix)
    found = resolver.truce(spec.truce, when, at("truce"))
    attachments = [
        check_attachment(a.filename, a.content, max_bytes=limits.max_attachment_bytes,
                         field=at(f"attachments.{j}"))
        for j, a in enumerate(spec.attachments)
    ]
    dumped["attachments"] = [[a.filename, a.sha256] for a in attachments]
    return _Prepared(
        spec=spec,
        dumped=dumped,
        key=spec.idempotency_key or f"auto-{uuid.uuid4().hex}",
        fingerprint=hashlib.sha256(log.canonical(dumped)).hexdigest(),
        when=when,
        truce=found[0] if found else None,
        attachments=attachments,
    )


class _Filer(NamedTuple):
    """The organisation or the user a filing is recorded under: its id and its name."""

    id: int
    name: str


def _organisation(session: Session, organisation: str, principal: Principal | None) -> _Filer:
    """The filing organisation; a principal of it (the API's and the web form's callers,
    read from the store in this transaction) names it without another look-up."""
    if (principal is not None and principal.organisation_id is not None
            and principal.organisation_slug == organisation):
        return _Filer(principal.organisation_id, organisation)
    org = find_actor(session, organisation, field="organisation", kind=ActorKind.ORGANISATION)
    return _Filer(org.id, org.slug)


def _filing_user(session: Session, username: str | None, org: _Filer,
                 principal: Principal | None = None) -> _Filer | None:
    if username is None:
        return None
    if (principal is not None and principal.user_id is not None
            and principal.actor == f"user:{username}"
            and principal.organisation_id == org.id):  # the principal is this user of org
        return _Filer(principal.user_id, username)
    row = session.scalar(select(User).where(User.username == username))
    if row is None:
        raise UnknownReference(f"no user {username!r}", field="user")
    if row.organisation_id != org.id:
        raise InvalidInput(f"{username} does not belong to {org.name}", field="user")
    return _Filer(row.id, row.username)


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


def _insert(session: Session, fresh: list[_Prepared], org: _Filer, user: _Filer | None,
            actor: str) -> list[int]:
    if not fresh:
        return []
    session.flush()  # as an ORM insert would: pending objects first
    now = utcnow()
    rows = [_report_row(p, org, user, now) for p in fresh]
    ids = insert_rows_returning(session, _REPORTS, rows)
    if ids is None:
        # Read back by key: (organisation, key) is unique and the keys of ``fresh`` are
        # distinct. (SQLite's driver returns nothing from an executemany, and SQLAlchemy's
        # RETURNING in parameter order sends one INSERT per row there.)
        id_of = _ids_by_key(session, org.id, [p.key for p in fresh])
        ids = [id_of[p.key] for p in fresh]
    casualties = [{"report_id": report_id, "outcome": c["outcome"], "group": c["group"],
                   "low": c["low"], "best": c["best"], "high": c["high"]}
                  for report_id, p in zip(ids, fresh, strict=True) for c in p.dumped["casualties"]]
    _insert_casualties(session, casualties)
    sources: list[dict[str, Any]] = []
    attachments: list[dict[str, Any]] = []
    for report_id, p in zip(ids, fresh, strict=True):
        if p.spec.confidential_source is not None:
            sources.append({"report_id": report_id, "identity": p.spec.confidential_source.identity,
                            "contact": p.spec.confidential_source.contact,
                            "salt": secrets.token_hex(16)})
        for a in p.attachments:
            store_blob(session, a)
            attachments.append({"report_id": report_id, "sha256": a.sha256,
                                "filename": a.filename})
    if sources:
        session.execute(insert(_SOURCES), sources)
    if attachments:
        session.flush()  # the blobs first
        _insert_attachments(session, attachments)
    commitments = {r["report_id"]: hashlib.sha256((r["salt"] + r["identity"]).encode()).hexdigest()
                   for r in sources}
    filed_by = {"organisation": org.name, "user": user.name if user else None}
    snapshots = _snapshots(ids, rows, casualties, sources, attachments, now)
    filings = [_filing(report_id, p, commitments.get(report_id))
               for report_id, p in zip(ids, fresh, strict=True)]
    # A filing is one state change in one transaction, so it is one log entry however many
    # reports it holds; the entry's rows snapshot every row written.
    if len(fresh) == 1:
        entry = log.PendingEntry("report.filed", f"report:{ids[0]}",
                                 {**filings[0], "filed_by": filed_by}, snapshots=snapshots)
    else:
        entry = log.PendingEntry("reports.filed", f"reports:{min(ids)}-{max(ids)}",
                                 {"filed_by": filed_by, "reports": filings},
                                 snapshots=snapshots)
    log.record_many(session, actor=actor, entries=[entry])
    return ids


def _ids_by_key(session: Session, org_id: int, keys: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(keys), 500):
        rows = session.execute(
            select(_REPORTS.c.idempotency_key, _REPORTS.c.id)
            .where(_REPORTS.c.filed_by_org_id == org_id,
                   _REPORTS.c.idempotency_key.in_(keys[start : start + 500])))
        found.update({key: report_id for key, report_id in rows})
    return found


def _insert_casualties(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert the casualty rows of new reports and give each its id."""
    if not rows:
        return
    returned = insert_rows_returning(session, _CASUALTIES, rows)
    if returned is not None:
        for row, casualty_id in zip(rows, returned, strict=True):
            row["id"] = casualty_id
        return
    # The reports are new, so all their casualty rows are these; a row is one cell per
    # report, outcome and group (uq_report_casualties_cell).
    table = _CASUALTIES
    ids: dict[tuple[int, str, str], int] = {}
    with_rows = sorted({row["report_id"] for row in rows})
    for start in range(0, len(with_rows), 500):
        for casualty_id, report_id, outcome, group in session.execute(
                select(table.c.id, table.c.report_id, table.c.outcome, table.c.group)
                .where(table.c.report_id.in_(with_rows[start : start + 500]))):
            ids[report_id, outcome, group] = casualty_id
    for row in rows:
        row["id"] = ids[row["report_id"], row["outcome"], row["group"]]


def _insert_attachments(session: Session, rows: list[dict[str, Any]]) -> None:
    table = _ATTACHMENTS
    returned = session.execute(insert(table).returning(
        table.c.id, table.c.report_id, table.c.sha256, table.c.filename), rows)
    ids = {(report_id, sha256, filename): attachment_id
           for attachment_id, report_id, sha256, filename in returned}
    for row in rows:
        row["id"] = ids[row["report_id"], row["sha256"], row["filename"]]


def _snapshots(ids: list[int], reports: list[dict[str, Any]], casualties: list[dict[str, Any]],
               sources: list[dict[str, Any]], attachments: list[dict[str, Any]],
               now: datetime) -> list[dict[str, Any]]:
    """The log's snapshot of every row written, report by report, from the values in hand.

    A report row's values are the plain values it was inserted with, its times written as
    the log writes times; a casualty row's are all plain, so the row itself is its
    snapshot. Rows with sealed columns (sources) and the rare attachments go through
    ``core_row_state``. tests/reports check these against ``row_values`` of the rows as
    stored, and the audit compares them with the tables.
    """
    # Parsed times are shared between reports (reports.when caches them), so each is
    # written once; by id, as equal instants in other zones would be written otherwise.
    times: dict[int, str] = {id(now): json_value("reports", "received_at", now)}
    children: dict[int, list[dict[str, Any]]] = {}
    for row in casualties:
        children.setdefault(row["report_id"], []).append(
            {"table": "report_casualties", "key": (row["id"],), "values": row})
    for table, rows in ((_SOURCES, sources), (_ATTACHMENTS, attachments)):
        for row in rows:
            children.setdefault(row["report_id"], []).append(core_row_state(table, row).as_json())
    snapshots: list[dict[str, Any]] = []
    for report_id, row in zip(ids, reports, strict=True):
        values = dict(row, id=report_id)
        for name in _REPORT_TIMES:
            moment = row[name]
            text = times.get(id(moment))
            if text is None:
                text = times[id(moment)] = json_value("reports", name, moment)
            values[name] = text
        snapshots.append({"table": "reports", "key": (report_id,), "values": values})
        snapshots.extend(children.get(report_id, ()))
    return snapshots


def _report_row(p: _Prepared, org: _Filer, user: _Filer | None, now: datetime) -> dict[str, Any]:
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
