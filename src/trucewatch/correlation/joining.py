"""The links of one match written together, as ``linking.join`` would write them one by one.

A link through the incidents service reads and writes through the ORM, several statements
and a log append each (about 7 ms under SQLite's write lock, which every filing waits for).
Here the pairs a match wants are walked in the same order against memberships read once
(a handful of SELECTs for the whole part), each decided as ``join`` would decide it, and
what they change is written with a few Core statements and the log entries appended in one
call: the same incidents, links, candidate rows and entries (kinds, subjects, payloads, row
snapshots, in the same order) as the per-pair path, which the officer's queue keeps.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

import numpy as np
from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from trucewatch.correlation.linking import SYSTEM
from trucewatch.correlation.pairs import Linked, Queued, linked_entries, queued_entries
from trucewatch.correlation.scoring import describe
from trucewatch.errors import NotFound
from trucewatch.incidents.listing import IncidentRow
from trucewatch.incidents.models import Incident, IncidentLink
from trucewatch.incidents.service import default_title, incident_view
from trucewatch.incidents.workflow import LINKABLE
from trucewatch.log import service as log
from trucewatch.log.state import core_row_state
from trucewatch.reports.models import Report
from trucewatch.storage.base import utcnow

PAIR_CODE = np.int64(1) << 32  # a pair (lo, hi) of report ids as one int64: lo·2³² + hi
_INCIDENTS = cast(Table, Incident.__table__)
_LINKS = cast(Table, IncidentLink.__table__)
_REPORTS = cast(Table, Report.__table__)
# What a new incident takes from its first report (incidents.service.create_incident).
_COPIED = ("truce_id", "occurred_start", "occurred_end", "time_precision", "place_name",
           "latitude", "longitude", "geo_precision", "category")
_CHUNK = 500  # ids per IN list


class Wanted(Protocol):
    """A pair a match wants decided (``service._Pair``): lower id first, its truce, its
    reasons and its verdict ("link" or "review")."""

    @property
    def pair(self) -> tuple[int, int]: ...
    @property
    def truce(self) -> int | None: ...
    @property
    def reason(self) -> dict[str, object]: ...
    @property
    def verdict(self) -> str | None: ...


@dataclass
class Joined:
    """What was written: each pair linked with its incident, and the pairs queued."""

    linked: list[tuple[tuple[int, int], int]] = field(default_factory=list)
    queued: list[tuple[int, int]] = field(default_factory=list)


def kept_apart(left: Sequence[int], right: Sequence[int], apart: np.ndarray) -> bool:
    """Would joining the reports of ``left`` to those of ``right`` join two whose own pair
    scored below the review threshold? ``apart`` holds those pairs' codes, sorted."""
    if len(apart) == 0:
        return False
    x, y = np.meshgrid(np.array(left, dtype=np.int64), np.array(right, dtype=np.int64))
    codes = np.minimum(x, y).ravel() * PAIR_CODE + np.maximum(x, y).ravel()
    found = np.searchsorted(apart, codes)
    return bool((apart[np.minimum(found, len(apart) - 1)] == codes).any())


# What the walk decided, in order; an incident made in this part has a key below zero
# until it is inserted.
@dataclass(frozen=True)
class _Created:
    key: int
    reports: tuple[int, int]
    reason: str


@dataclass(frozen=True)
class _Linked:
    key: int
    report: int
    reason: str


@dataclass(frozen=True)
class _PairLinked:
    wanted: Wanted
    key: int


_Step = _Created | _Linked | _PairLinked


@dataclass
class _Groups:
    """Which incident each report is in and each incident's reports and status, as the
    walk changes them."""

    incident_of: dict[int, int]
    members: dict[int, list[int]]
    status: dict[int, str]
    made: int = 0

    def of(self, report: int) -> list[int]:
        key = self.incident_of.get(report)
        return [report] if key is None else self.members[key]

    def create(self, a: int, b: int) -> int:
        self.made += 1
        key = -self.made
        self.incident_of[a] = self.incident_of[b] = key
        self.members[key], self.status[key] = [a, b], "open"
        return key

    def link(self, key: int, report: int) -> None:
        self.incident_of[report] = key
        self.members[key].append(report)


def write(session: Session, pairs: Sequence[Wanted], *, apart: np.ndarray,
          actor: str) -> Joined:
    """Link or queue ``pairs`` (strongest first, none decided yet), each as ``join`` and
    ``pairs.record_linked`` would in turn, or queue it as ``pairs.record_queued`` would:
    links by :data:`SYSTEM`, queued pairs by ``actor``. ``apart`` holds the codes of the
    match's pairs below the review threshold, sorted (``kept_apart``)."""
    groups, rows = _read(session, {r for p in pairs if p.verdict == "link" for r in p.pair})
    steps, queued = _walk(pairs, groups, apart)
    written = _write_incidents(session, steps, rows)
    entries = _entries(session, steps, written)
    later = queued_entries(session, queued, actor=actor)
    if actor == SYSTEM.actor:  # one append for the whole part
        entries, later = entries + later, []
    log.record_many(session, actor=SYSTEM.actor, entries=entries)
    log.record_many(session, actor=actor, entries=later)
    return Joined(linked=[(s.wanted.pair, written.ids[s.key]) for s in steps
                          if isinstance(s, _PairLinked)],
                  queued=[q.pair for q in queued])


def _read(session: Session, reports: set[int]) -> tuple[_Groups, dict[int, dict[str, Any]]]:
    """The incidents ``reports`` are in now: memberships, and each incident's row and
    current reports."""
    active = _LINKS.c.unlinked_at.is_(None)
    incident_of: dict[int, int] = {}
    for chunk in _chunks(reports):
        incident_of.update(session.execute(select(_LINKS.c.report_id, _LINKS.c.incident_id)
                                           .where(_LINKS.c.report_id.in_(chunk), active)).all())
    held = set(incident_of.values())
    rows: dict[int, dict[str, Any]] = {}
    members: dict[int, list[int]] = {i: [] for i in held}
    for chunk in _chunks(held):
        rows.update((r["id"], dict(r)) for r in session.execute(
            select(_INCIDENTS).where(_INCIDENTS.c.id.in_(chunk))).mappings())
        for incident, report in session.execute(
                select(_LINKS.c.incident_id, _LINKS.c.report_id)
                .where(_LINKS.c.incident_id.in_(chunk), active)):
            members[incident].append(report)
    return _Groups(incident_of, members, {i: r["status"] for i, r in rows.items()}), rows


def _walk(pairs: Sequence[Wanted], groups: _Groups,
          apart: np.ndarray) -> tuple[list[_Step], list[Queued]]:
    """Each pair in turn as ``service._act_on`` decided it through ``join``: into a new
    incident, into the one holding either report, already together, or queued."""
    steps: list[_Step] = []
    queued: list[Queued] = []
    for p in pairs:
        a, b = p.pair
        key = None
        if p.verdict == "link" and not kept_apart(groups.of(a), groups.of(b), apart):
            key = _join(groups, a, b, describe(p.reason), steps)
        if key is None:
            queued.append(Queued(p.pair, p.truce, p.reason))
        else:
            steps.append(_PairLinked(p, key))
    return steps, queued


def _join(groups: _Groups, a: int, b: int, reason: str, steps: list[_Step]) -> int | None:
    """``linking.join`` on the groups: the incident the pair is in after it, or None."""
    ia, ib = groups.incident_of.get(a), groups.incident_of.get(b)
    if ia is not None and ia == ib:
        return ia
    if ia is None and ib is None:
        key = groups.create(a, b)
        steps.append(_Created(key, (a, b), reason))
        return key
    if ia is not None and ib is not None:
        return None
    holder, free = (ia, b) if ia is not None else (ib, a)
    assert holder is not None
    if groups.status[holder] not in LINKABLE:
        return None
    groups.link(holder, free)
    steps.append(_Linked(holder, free, reason))
    return holder


@dataclass
class _Written:
    """The incident id of each key, each incident's row as it stood before the part (a new
    one's as created), and the link rows in the order of the steps."""

    ids: dict[int, int]
    rows: dict[int, dict[str, Any]]
    links: list[dict[str, Any]]


def _write_incidents(session: Session, steps: list[_Step],
                     rows: dict[int, dict[str, Any]]) -> _Written:
    """Insert the new incidents (ids in the order made) and every link, and set the
    version of each incident linked into (a new one counts from 1, not bumped by the links
    it is created with)."""
    created = [s for s in steps if isinstance(s, _Created)]
    linked = [s for s in steps if isinstance(s, _Linked)]
    first = _reports(session, [s.reports[0] for s in created],
                     [r for s in created for r in s.reports] + [s.report for s in linked])
    now = utcnow()
    rows = dict(rows)
    ids = {i: i for i in rows}
    for s in created:
        rows[s.key] = _incident_row(first[s.reports[0]], now)
    versions: dict[int, int] = {}
    for step in linked:
        versions[step.key] = versions.get(step.key, rows[step.key]["version"]) + 1
    if created:
        returned = session.execute(
            insert(_INCIDENTS).returning(_INCIDENTS.c.id, sort_by_parameter_order=True),
            [{**rows[s.key], "version": versions.pop(s.key, 1)} for s in created])
        for s, (incident,) in zip(created, returned, strict=True):
            rows[s.key]["id"] = ids[s.key] = incident
    if versions:
        session.execute(update(_INCIDENTS).where(_INCIDENTS.c.id == bindparam("b_id"))
                        .values(version=bindparam("b_version")),
                        [{"b_id": ids[key], "b_version": v} for key, v in versions.items()])
    for key in versions:  # an incident the session loaded before is stale now (its links too)
        loaded = session.identity_map.get(identity_key(Incident, ids[key]))
        if loaded is not None:
            session.expire(loaded)
    links = [_link_row(ids[s.key], report, s.reason, now) for s in steps
             if not isinstance(s, _PairLinked) for report in _linked_reports(s)]
    if links:
        returned = session.execute(
            insert(_LINKS).returning(_LINKS.c.id, sort_by_parameter_order=True), links)
        for row, (link,) in zip(links, returned, strict=True):
            row["id"] = link
    return _Written(ids, rows, links)


def _linked_reports(step: _Step) -> tuple[int, ...]:
    if isinstance(step, _Created):
        return step.reports
    return (step.report,) if isinstance(step, _Linked) else ()


def _entries(session: Session, steps: list[_Step], written: _Written) -> list[log.PendingEntry]:
    """The entries the incidents service and ``pairs.record_linked`` would have appended,
    in order, with the same row snapshots (an entry linking into an incident: the new
    link, then the incident at its new version, as the ORM flushes new rows before changed
    ones); the linked pairs' candidate rows inserted."""
    pair_linked = iter(linked_entries(session, [
        Linked(s.wanted.pair, s.wanted.truce, s.wanted.reason, written.ids[s.key])
        for s in steps if isinstance(s, _PairLinked)], actor=SYSTEM.actor))
    links = iter(written.links)
    version = {key: row["version"] for key, row in written.rows.items()}
    entries: list[log.PendingEntry] = []
    for s in steps:
        if isinstance(s, _PairLinked):
            entries.append(next(pair_linked))
            continue
        incident = written.ids[s.key]
        subject = f"incident:{incident}"
        if isinstance(s, _Created):
            row = written.rows[s.key]
            entries.append(log.PendingEntry(
                "incident.created", subject,
                incident_view(IncidentRow(**{f: row[f] for f in IncidentRow._fields}),
                              report_ids=[]),
                rows=(core_row_state(_INCIDENTS, row),)))
        for report in _linked_reports(s):
            link = core_row_state(_LINKS, next(links))
            payload = {"incident": incident, "report": report, "reason": s.reason}
            if isinstance(s, _Created):
                entries.append(log.PendingEntry("incident.report_linked", subject, payload,
                                                rows=(link,)))
                continue
            version[s.key] += 1
            entries.append(log.PendingEntry("incident.report_linked", subject, payload, rows=(
                link, core_row_state(_INCIDENTS, {**written.rows[s.key],
                                                  "version": version[s.key]}))))
    return entries


def _reports(session: Session, firsts: list[int], linked: list[int]) -> dict[int, dict[str, Any]]:
    """The columns a new incident copies from its first report; NotFound, as the incidents
    service would raise, when a report to link no longer exists."""
    found: dict[int, dict[str, Any]] = {}
    columns = [_REPORTS.c.id, *(_REPORTS.c[name] for name in _COPIED)]
    wanted = set(firsts) | set(linked)
    for chunk in _chunks(wanted):
        found.update((r["id"], dict(r)) for r in session.execute(
            select(*columns).where(_REPORTS.c.id.in_(chunk))).mappings())
    missing = sorted(wanted - set(found))
    if missing:
        raise NotFound(f"no report {missing[0]}", field="report")
    return found


def _incident_row(first: dict[str, Any], now: Any) -> dict[str, Any]:
    row = {name: first[name] for name in _COPIED}
    return {**row, "title": default_title(row["category"], row["place_name"],
                                          row["occurred_start"].date().isoformat()),
            "status": "open", "created_at": now, "version": 1, "published_at": None,
            "published_by": None}


def _link_row(incident: int, report: int, reason: str, now: Any) -> dict[str, Any]:
    return {"incident_id": incident, "report_id": report, "linked_at": now,
            "linked_by": SYSTEM.actor, "link_reason": reason, "unlinked_at": None,
            "unlinked_by": None, "unlink_reason": None}


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for begin in range(0, len(ordered), _CHUNK):
        yield ordered[begin:begin + _CHUNK]
