"""What a bulletin shows of its incidents: summary tables over all of them, and the notable ones.

A bulletin is read, not searched: a month can hold thousands of incidents, and a table of
every one of them is a hundred printed pages nobody reads (and minutes of printing). So the
bulletin counts every incident of the period in small tables (by week, zone, governorate,
category, responsible party; the dissents by guarantor; the zones whose escalation alert
went off), and lists by name only a bounded, documented selection: the confirmed and the
disputed incidents with the most casualties (``NOTABLE`` of each). The complete list is the
bulletin's CSV or GeoJSON (``bulletins.listing``), which holds exactly the same incidents.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from trucewatch.analytics.escalation import poisson_cusum
from trucewatch.bulletins.period import Period

if TYPE_CHECKING:
    from trucewatch.bulletins.contents import Entry

NOTABLE = 25  # confirmed incidents named in the bulletin; as many disputed ones
MAX_ROWS = 12  # a summary table shows this many rows; the rest are summed as "others"
OTHERS = "others"
UNKNOWN = "unknown"
NOT_ATTRIBUTED = "not attributed"
DECIDED = ("confirmed", "not_confirmed", "disputed")


@dataclass
class Tally:
    """Incidents counted under one key (a week, a zone, a category, a party)."""

    key: str
    incidents: int = 0
    confirmed: int = 0
    not_confirmed: int = 0
    disputed: int = 0
    killed: int = 0  # the best figures of the confirmed incidents
    injured: int = 0

    @property
    def pending(self) -> int:
        return self.incidents - self.confirmed - self.not_confirmed - self.disputed

    def add(self, entry: Entry) -> None:
        self.incidents += 1
        if entry.status in DECIDED:
            setattr(self, entry.status, getattr(self, entry.status) + 1)
        if entry.status == "confirmed":
            self.killed += entry.killed
            self.injured += entry.injured


@dataclass(frozen=True)
class DissentCount:
    guarantor: str
    finding: str
    incidents: int


@dataclass(frozen=True)
class Escalation:
    """A zone whose daily count rose above its own baseline (Poisson CUSUM) in the period:
    the first day its alarm went off, on how many days it did, and its busiest such day."""

    zone: str
    first: date
    baseline: float  # incidents a day, on the first alarm's day
    days: int
    peak: int


@dataclass(frozen=True)
class Summary:
    incidents: int  # every incident the bulletin covers
    by_week: list[Tally]
    by_zone: list[Tally]
    by_governorate: list[Tally]  # empty unless governorate outlines are imported
    by_category: list[Tally]
    by_party: list[Tally]  # confirmed incidents by the party held responsible
    dissents: list[DissentCount]
    escalations: list[Escalation]
    notable_confirmed: list[Entry]
    notable_disputed: list[Entry]
    confirmed: int
    disputed: int

    @property
    def complete(self) -> bool:
        """True when the bulletin names every confirmed and disputed incident."""
        return (len(self.notable_confirmed) == self.confirmed
                and len(self.notable_disputed) == self.disputed)


def summarise(entries: list[Entry], *, history: list[Entry], since: date,
              period: Period) -> Summary:
    """The tables and the notable incidents of ``entries`` (the period's); ``history`` holds
    every incident read from ``since``, the escalation alerts' baseline."""
    confirmed = [e for e in entries if e.status == "confirmed"]
    disputed = [e for e in entries if e.status == "disputed"]
    return Summary(
        incidents=len(entries),
        by_week=_by_week(entries, period),
        by_zone=_tallies(entries, lambda e: e.zone),
        by_governorate=(_tallies(entries, lambda e: e.governorate or UNKNOWN)
                        if any(e.governorate for e in entries) else []),
        by_category=_tallies(entries, lambda e: e.category),
        by_party=_tallies(confirmed, lambda e: e.responsible or NOT_ATTRIBUTED),
        dissents=_dissents(disputed),
        escalations=escalations(history, since=since, period=period),
        notable_confirmed=notable(confirmed),
        notable_disputed=notable(disputed),
        confirmed=len(confirmed), disputed=len(disputed))


def notable(entries: list[Entry], limit: int = NOTABLE) -> list[Entry]:
    """All of them in date order if there are at most ``limit``; else the ``limit`` with the
    most killed, then injured (best figures), then the latest, most first."""
    if len(entries) <= limit:
        return sorted(entries, key=lambda e: (e.day, e.id))
    return sorted(entries, key=lambda e: (-e.killed, -e.injured, -e.day.toordinal(),
                                          -e.id))[:limit]


def _tallies(entries: Iterable[Entry], key: Callable[[Entry], str]) -> list[Tally]:
    found: dict[str, Tally] = {}
    for e in entries:
        name = key(e)
        found.setdefault(name, Tally(name)).add(e)
    ranked = sorted(found.values(), key=lambda t: (-t.incidents, t.key))
    if len(ranked) <= MAX_ROWS:
        return ranked
    rest = Tally(OTHERS)
    for t in ranked[MAX_ROWS - 1:]:
        for name in ("incidents", "confirmed", "not_confirmed", "disputed", "killed",
                     "injured"):
            setattr(rest, name, getattr(rest, name) + getattr(t, name))
    return [*ranked[:MAX_ROWS - 1], rest]


def _by_week(entries: list[Entry], period: Period) -> list[Tally]:
    """One row per ISO week the period touches (its days within the period), in order."""
    weeks: dict[tuple[int, int], Tally] = {}
    day = period.first
    while day <= period.last:
        year, week, weekday = day.isocalendar()
        last = min(period.last, day + timedelta(days=7 - weekday))
        weeks[(year, week)] = Tally(f"{year}-W{week:02d}: {day.isoformat()} – {last.isoformat()}"
                                    if last != day else f"{year}-W{week:02d}: {day.isoformat()}")
        day = last + timedelta(days=1)
    for e in entries:
        year, week, _ = e.day.isocalendar()
        weeks[(year, week)].add(e)
    return list(weeks.values())


def _dissents(disputed: list[Entry]) -> list[DissentCount]:
    tally = Counter((d.guarantor, d.finding) for e in disputed for d in set(e.dissents))
    return [DissentCount(g, f, n)
            for (g, f), n in sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))]


def escalations(history: list[Entry], *, since: date, period: Period) -> list[Escalation]:
    """Per zone, the alarms raised within the period on its daily count since ``since``."""
    days = (period.last - since).days + 1
    series: dict[str, list[int]] = defaultdict(lambda: [0] * days)
    for e in history:
        if since <= e.day <= period.last:
            series[e.zone][(e.day - since).days] += 1
    out = []
    for zone, counts in sorted(series.items()):
        alarms = [a for a in poisson_cusum(counts)
                  if since + timedelta(days=a.index) >= period.first]
        if alarms:
            out.append(Escalation(zone, since + timedelta(days=alarms[0].index),
                                  round(alarms[0].baseline, 2), len(alarms),
                                  max(counts[a.index] for a in alarms)))
    return sorted(out, key=lambda a: (a.first, a.zone))
