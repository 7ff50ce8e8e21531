"""What a bulletin says, read from the store for one edition and one period.

The public edition holds published material only, whoever asks: published incidents
with the decision that was published, reports linked to them, published meetings. The
guarantor edition (``bulletin.guarantor_edition``: guarantor officers and the mediator's
office) holds every incident of the period, its latest decision, every report received,
and the meetings not yet published. What the printed bulletin shows of them (summary
tables, the notable incidents) is ``bulletins.summary``.
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trucewatch.actors.models import Actor
from trucewatch.analytics.escalation import BASELINE_DAYS, GUARD_DAYS
from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import PUBLIC, Principal
from trucewatch.bulletins.period import AVERAGE_DAYS, Period
from trucewatch.bulletins.summary import NOT_ATTRIBUTED, Summary, summarise
from trucewatch.geo.zones import ZoneIndex
from trucewatch.incidents.models import Incident, IncidentLink
from trucewatch.reports.models import Casualty, Report
from trucewatch.storage.base import utcnow
from trucewatch.talks.meetings import list_meetings
from trucewatch.truces.models import Truce, TruceZone
from trucewatch.verification.models import ReviewRound
from trucewatch.web.basemap import governorates

OUTSIDE = "outside the zones"


class Edition(StrEnum):
    PUBLIC = "public"
    GUARANTOR = "guarantor"


@dataclass(frozen=True)
class CasualtyRange:
    outcome: str  # killed | injured
    low: int
    best: int
    high: int


@dataclass(frozen=True)
class Dissent:
    """One guarantor's dissent from a decision, as its signed record gives it."""

    guarantor: str
    finding: str
    responsible: str | None = None

    def __str__(self) -> str:
        return f"{self.guarantor}: {self.finding}" + (
            f" ({self.responsible})" if self.responsible else "")


@dataclass(frozen=True)
class Entry:
    """One incident as the bulletin shows it."""

    id: int
    title: str
    day: date
    place: str
    latitude: float | None
    longitude: float | None
    category: str
    zone: str
    status: str  # the published decision (public) or the incident's status now (guarantor)
    published: bool
    responsible: str | None = None
    confidence: str | None = None
    basis: str | None = None
    round: int | None = None
    dissents: tuple[Dissent, ...] = ()
    casualties: tuple[CasualtyRange, ...] = ()  # the period's incidents only
    governorate: str | None = None  # with imported governorate outlines

    def casualty(self, outcome: str) -> CasualtyRange | None:
        return next((c for c in self.casualties if c.outcome == outcome), None)

    @property
    def killed(self) -> int:
        found = self.casualty("killed")
        return found.best if found else 0

    @property
    def injured(self) -> int:
        found = self.casualty("injured")
        return found.best if found else 0


@dataclass(frozen=True)
class Figures:
    reports: int
    confirmed: int
    not_confirmed: int
    disputed: int
    pending: int  # open or under review (guarantor edition only; 0 in the public one)
    casualties: tuple[CasualtyRange, ...]


@dataclass(frozen=True)
class Trend:
    days: list[date]
    by_zone: dict[str, list[int]]
    by_party: dict[str, list[int]]  # confirmed violations by the party held responsible


@dataclass(frozen=True)
class Zone:
    truce: str
    name: str
    geometry: dict[str, Any]


@dataclass(frozen=True)
class Bulletin:
    edition: Edition
    period: Period
    generated_at: datetime
    figures: Figures
    entries: list[Entry]  # the incidents that began in the period
    trend: Trend
    zones: list[Zone]
    summary: Summary
    meetings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def confirmed(self) -> list[Entry]:
        return [e for e in self.entries if e.status == "confirmed"]

    @property
    def disputed(self) -> list[Entry]:
        return [e for e in self.entries if e.status == "disputed"]


def build_bulletin(session: Session, *, principal: Principal, period: Period,
                   edition: Edition = Edition.PUBLIC, now: datetime | None = None,
                   data_dir: str | Path | None = None) -> Bulletin:
    """The bulletin of ``period``; the guarantor edition needs ``bulletin.guarantor_edition``.

    With ``data_dir`` holding imported governorate outlines, incidents are counted by
    governorate too."""
    if edition is Edition.GUARANTOR:
        require(principal, Action.BULLETIN_GUARANTOR)
    public = edition is Edition.PUBLIC
    zones, index = _zones(session)
    # Read back far enough for the trend's first 7-day mean and for the escalation
    # baseline of the period's first day (analytics.escalation).
    start = min(_midnight(period.trend_first, back=AVERAGE_DAYS - 1),
                _midnight(period.first, back=BASELINE_DAYS + GUARD_DAYS))
    entries = _entries(session, public=public, start=start, end=period.end, zone_index=index)
    in_period = [e for e in entries if period.first <= e.day <= period.last]
    in_period = _with_casualties(session, in_period)
    if data_dir is not None:
        in_period = _with_governorates(in_period, governorates(data_dir))
    return Bulletin(
        edition=edition, period=period, generated_at=now or utcnow(),
        figures=_figures(session, public=public, period=period, entries=in_period),
        entries=in_period,
        trend=_trend(entries, period),
        zones=zones,
        summary=summarise(in_period, history=entries, since=start.date(), period=period),
        meetings=_meetings(session, principal=PUBLIC if public else principal, period=period),
    )


def _midnight(day: date, *, back: int) -> datetime:
    return datetime.combine(day - timedelta(days=back), time(), tzinfo=UTC)


def _zones(session: Session) -> tuple[list[Zone], dict[int, tuple[ZoneIndex, dict[int, str]]]]:
    rows = session.execute(select(TruceZone.id, TruceZone.truce_id, TruceZone.name,
                                  TruceZone.geometry, Truce.slug)
                           .join(Truce, Truce.id == TruceZone.truce_id)
                           .order_by(TruceZone.truce_id, TruceZone.id)).all()
    by_truce: dict[int, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    names: dict[int, dict[int, str]] = defaultdict(dict)
    for zone_id, truce_id, name, geometry, _slug in rows:
        by_truce[truce_id].append((zone_id, geometry))
        names[truce_id][zone_id] = name
    index = {t: (ZoneIndex(z), names[t]) for t, z in by_truce.items()}
    return [Zone(slug, name, geometry) for _i, _t, name, geometry, slug in rows], index


def _entries(session: Session, *, public: bool, start: datetime, end: datetime,
             zone_index: dict[int, tuple[ZoneIndex, dict[int, str]]]) -> list[Entry]:
    where = [Incident.occurred_start >= start, Incident.occurred_start < end]
    if public:
        where.append(Incident.published_at.is_not(None))
    incidents = session.execute(
        select(Incident.id, Incident.title, Incident.occurred_start, Incident.place_name,
               Incident.latitude, Incident.longitude, Incident.category, Incident.status,
               Incident.published_at, Incident.truce_id)
        .where(*where).order_by(Incident.occurred_start, Incident.id)).all()
    bodies = _decisions(session, where=where, public=public)
    zone_names = _zone_names(incidents, zone_index)
    entries = []
    for row in incidents:
        body = bodies.get(row.id)
        status = row.status
        if public:  # what was published, even if a later round reopened the incident
            status = body["decision"] if body else row.status
        elif body is not None and body["decision"] != row.status:
            body = None  # decided once, under review again: the old decision is not current
        dissents = tuple(Dissent(d["guarantor"], d["finding"], d.get("responsible"))
                         for d in (body or {}).get("dissents", []))
        entries.append(Entry(
            id=row.id, title=row.title, day=row.occurred_start.date(), place=row.place_name,
            latitude=row.latitude, longitude=row.longitude, category=row.category,
            zone=zone_names.get(row.id, OUTSIDE), status=status,
            published=row.published_at is not None,
            responsible=body.get("responsible") if body else None,
            confidence=body.get("confidence") if body else None,
            basis=body.get("basis") if body else None,
            round=body.get("round") if body else None, dissents=dissents))
    return entries


def _decisions(session: Session, *, where: list[Any], public: bool) -> dict[int, dict[str, Any]]:
    """Each incident's latest decided round (public: the latest decided by publication)."""
    query = (select(ReviewRound.incident_id, ReviewRound.decision_body)
             .join(Incident, Incident.id == ReviewRound.incident_id)
             .where(*where, ReviewRound.status == "decided",
                    ReviewRound.decision_body.is_not(None))
             .order_by(ReviewRound.incident_id, ReviewRound.number))
    if public:
        query = query.where(ReviewRound.decided_at <= Incident.published_at)
    return {incident_id: json.loads(body or "null") for incident_id, body in session.execute(query)}


def _zone_names(incidents: Sequence[Any],
                zone_index: dict[int, tuple[ZoneIndex, dict[int, str]]]) -> dict[int, str]:
    found: dict[int, str] = {}
    by_truce: dict[int, list[Any]] = defaultdict(list)
    for row in incidents:
        if row.truce_id in zone_index:
            by_truce[row.truce_id].append(row)
    for truce_id, rows in by_truce.items():
        index, names = zone_index[truce_id]
        for row, zone_id in zip(rows, index.zones_of([(r.latitude, r.longitude) for r in rows]),
                                strict=True):
            if zone_id is not None:
                found[row.id] = names[zone_id]
    return found


def _figures(session: Session, *, public: bool, period: Period, entries: list[Entry]) -> Figures:
    counts = {s: sum(1 for e in entries if e.status == s)
              for s in ("confirmed", "not_confirmed", "disputed")}
    reports = select(func.count(Report.id)).where(Report.received_at >= period.start,
                                                  Report.received_at < period.end)
    if public:  # only reports of published incidents: a count of the rest is not published
        reports = reports.where(Report.id.in_(
            select(IncidentLink.report_id)
            .join(Incident, Incident.id == IncidentLink.incident_id)
            .where(IncidentLink.unlinked_at.is_(None), Incident.published_at.is_not(None))))
    totals: dict[str, list[int]] = {"killed": [0, 0, 0], "injured": [0, 0, 0]}
    for e in entries:
        if e.status == "confirmed":  # summed over the confirmed incidents
            for c in e.casualties:
                total = totals.setdefault(c.outcome, [0, 0, 0])
                total[0] += c.low
                total[1] += c.best
                total[2] += c.high
    return Figures(reports=session.scalar(reports) or 0, confirmed=counts["confirmed"],
                   not_confirmed=counts["not_confirmed"], disputed=counts["disputed"],
                   pending=0 if public else len(entries) - sum(counts.values()),
                   casualties=tuple(CasualtyRange(o, *t) for o, t in totals.items()))


def _with_casualties(session: Session, entries: list[Entry]) -> list[Entry]:
    found = _casualties(session, [e.id for e in entries])
    return [replace(e, casualties=found[e.id]) if e.id in found else e for e in entries]


def _with_governorates(entries: list[Entry], outlines: dict[str, Any]) -> list[Entry]:
    """Each incident's governorate: the first imported outline that holds its point."""
    features = outlines.get("features", [])
    if not features:
        return entries
    names = {i: str(f.get("properties", {}).get("name", f"#{i + 1}"))
             for i, f in enumerate(features)}
    index = ZoneIndex([(i, f["geometry"]) for i, f in enumerate(features)])
    hits = index.zones_of([(e.latitude, e.longitude) for e in entries])
    return [replace(e, governorate=names[hit] if hit is not None else None)
            for e, hit in zip(entries, hits, strict=True)]


def _casualties(session: Session,
                incident_ids: list[int]) -> dict[int, tuple[CasualtyRange, ...]]:
    """Each incident's casualties. Within an incident its reports disagree: the range runs
    from the smallest low to the largest high, the best is the median best."""
    per: dict[tuple[int, int, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for chunk in _chunks(incident_ids, 5000):
        rows = session.execute(
            select(IncidentLink.incident_id, Casualty.report_id, Casualty.outcome,
                   Casualty.low, Casualty.best, Casualty.high)
            .join(Casualty, Casualty.report_id == IncidentLink.report_id)
            .where(IncidentLink.incident_id.in_(chunk), IncidentLink.unlinked_at.is_(None)))
        for incident_id, report_id, outcome, low, best, high in rows:
            cell = per[(incident_id, report_id, outcome)]  # a report's groups add up
            cell[0] += low
            cell[1] += best
            cell[2] += high
    by_incident: dict[tuple[int, str], list[list[int]]] = defaultdict(list)
    for (incident_id, _report, outcome), cell in per.items():
        by_incident[(incident_id, outcome)].append(cell)
    out: dict[int, list[CasualtyRange]] = defaultdict(list)
    for (incident_id, outcome), cells in sorted(by_incident.items()):
        out[incident_id].append(CasualtyRange(
            outcome, min(c[0] for c in cells), int(statistics.median_low([c[1] for c in cells])),
            max(c[2] for c in cells)))
    return {incident_id: tuple(ranges) for incident_id, ranges in out.items()}


def _chunks(values: list[int], size: int) -> list[list[int]]:
    return [values[i:i + size] for i in range(0, len(values), size)]


def _trend(entries: list[Entry], period: Period) -> Trend:
    first = period.trend_first - timedelta(days=AVERAGE_DAYS - 1)
    days = [first + timedelta(days=i) for i in range((period.last - first).days + 1)]
    position = {d: i for i, d in enumerate(days)}
    by_zone: dict[str, list[int]] = defaultdict(lambda: [0] * len(days))
    by_party: dict[str, list[int]] = defaultdict(lambda: [0] * len(days))
    for e in entries:
        i = position.get(e.day)
        if i is None:
            continue
        by_zone[e.zone][i] += 1
        if e.status == "confirmed":
            by_party[e.responsible or NOT_ATTRIBUTED][i] += 1
    return Trend(days=days, by_zone=dict(sorted(by_zone.items())),
                 by_party=dict(sorted(by_party.items())))


def _meetings(session: Session, *, principal: Principal, period: Period) -> list[dict[str, Any]]:
    rows = [m for m in list_meetings(session, principal=principal)
            if m.starts_on <= period.last and m.ends_on >= period.first]
    convenors = {a.id: a.name for a in session.scalars(select(Actor).where(Actor.id.in_(
        {c.actor_id for m in rows for c in m.convenors})))}
    return [{"slug": m.slug, "title": m.title, "format": m.format,
             "starts_on": m.starts_on.isoformat(), "ends_on": m.ends_on.isoformat(),
             "venue": m.venue, "published": m.published_at is not None,
             "convenors": [convenors[c.actor_id] for c in m.convenors]} for m in rows]
