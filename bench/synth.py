"""Seeded synthetic report streams with ground truth, for bench/correlate.py.

Events happen in Syria's governorates over a chosen period; each is reported 1–6 times
(by parties, monitors, media and the public), each report with its own noise, and the
truth (the event of each report) is kept beside it. The noise, at ``--noise 1`` (the
default level; 0 gives clean copies, 2 doubles every rate and spread):

- **time**: each report picks a time precision (exact 30 %, day 50 %, week 12 %,
  month 8 %); an exact time strays by N(0, 2 h); a day is the day before the event in
  10 % (reported late, "last night"); weeks and months are the event's own.
- **place**: each report picks a place precision (exact 50 %, near 25 %, district 15 %,
  region 5 %, no point 5 %) and its point strays by N(0, σ) with σ = 0.3, 2, 10 or 40 km;
  the place name is a transliteration variant in 40 % (Kafr/Kfar, -eh/-a, q/k, ou/u,
  al-/el-/none, doubled letters) and missing in 10 %.
- **category**: a neighbouring category (shelling ↔ air strike, ground assault ↔ armed
  clash, attack on civilians ↔ sniper fire) in 15 %.
- **actors**: the alleged actor by one of its names or aliases, a transliteration of one
  in 20 %, missing in 20 %, the other side (a party blaming its opponent) in 5 %; the
  affected side missing in 40 %.
- **casualties**: killed ×U(0.7, 1.3) as a range of ±20 %, missing in 25 %.
- **narrative**: from the event's own words (weapon, target, town, time of day), 30 % of
  words dropped or swapped for a synonym, empty in 15 %.
- **near misses**: 15 % of events have a twin: same town, same day, another event
  (another category or target, another time of day, other casualties).

Towns are generated: ``--towns`` places inside the governorates' boxes with names from
Syrian place-name parts, so that a million reports spread as real ones do. Actor names
resolve through the alias table :data:`ACTORS` (normalised as trucewatch normalises, and
by transliteration skeleton), as filing resolves them through the actor registry.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta

from trucewatch.actors.names import normalise_name
from trucewatch.correlation.features import ReportRecord
from trucewatch.ingest.transliteration import skeleton
from trucewatch.reports.when import parse_when

# Governorates: name, south, west, north, east (approximate boxes of their populated parts).
GOVERNORATES: tuple[tuple[str, float, float, float, float], ...] = (
    ("Aleppo", 35.9, 36.6, 36.7, 38.3), ("Idlib", 35.4, 36.2, 36.3, 36.9),
    ("Hama", 34.9, 36.3, 35.5, 37.3), ("Homs", 34.3, 36.3, 35.0, 37.5),
    ("Rif Dimashq", 33.3, 36.0, 33.9, 36.9), ("Damascus", 33.48, 36.25, 33.56, 36.35),
    ("Daraa", 32.5, 35.9, 33.1, 36.5), ("Quneitra", 32.9, 35.7, 33.3, 35.95),
    ("As-Suwayda", 32.5, 36.4, 33.0, 37.0), ("Latakia", 35.3, 35.8, 35.9, 36.2),
    ("Tartus", 34.7, 35.8, 35.2, 36.2), ("Raqqa", 35.7, 38.4, 36.5, 39.4),
    ("Deir ez-Zor", 34.4, 39.8, 35.6, 40.9), ("Al-Hasakah", 36.0, 40.3, 37.2, 42.2),
)
_PREFIX = ("Kafr", "Tell", "Ain", "Deir", "Beit", "Khirbet", "Maarat", "Jisr", "Qasr", "Khan",
           "Tal", "Umm", "Abu", "Arab", "Jabal", "Wadi", "")
_ROOTS = ("Zita", "Nabl", "Rifaa", "Shuyukh", "Hamra", "Sultan", "Batna", "Shams", "Qadi",
          "Salam", "Hasan", "Daher", "Amud", "Hout", "Karm", "Sabil", "Nasr", "Ruman", "Zaytun",
          "Sheikh", "Hilal", "Qamar", "Hamid", "Khalil", "Jarad", "Rami", "Saqr", "Burj",
          "Dalia", "Hajar", "Mahmoud", "Turkman", "Jumaa", "Dahab", "Awad", "Tayyib", "Mansour")
_SUFFIX = ("", "", "eh", "iyeh", "ah", "at", "un", "in")

# Organisations and their names, aliases and spellings (the alias table filing resolves).
ACTORS: dict[str, tuple[str, ...]] = {
    "syrian-army": ("Syrian Arab Army", "SAA", "Syrian army", "government forces",
                    "regime forces", "Syrian government forces"),
    "russian-af": ("Russian Aerospace Forces", "VKS", "Russian air force", "Russian warplanes"),
    "hts": ("Hayat Tahrir al-Sham", "HTS", "Hay'at Tahrir ash-Sham", "Tahrir al-Sham"),
    "fsa": ("Free Syrian Army", "FSA", "armed opposition", "opposition fighters"),
    "ahrar": ("Ahrar al-Sham", "Ahrar ash-Sham", "Harakat Ahrar al-Sham"),
    "jaish-islam": ("Jaish al-Islam", "Jaysh al-Islam", "Army of Islam"),
    "is": ("Islamic State", "ISIS", "ISIL", "Daesh", "Daash"),
    "sdf": ("Syrian Democratic Forces", "SDF", "QSD"),
    "tsk": ("Turkish Armed Forces", "TSK", "Turkish army"),
    "hezbollah": ("Hezbollah", "Hizbullah", "Hizballah"),
    "coalition": ("US-led coalition", "international coalition", "CJTF-OIR"),
}
CIVILIANS = "civilians"
_PAIRS = (("syrian-army", CIVILIANS), ("russian-af", CIVILIANS), ("syrian-army", "fsa"),
          ("fsa", "syrian-army"), ("hts", "syrian-army"), ("syrian-army", "hts"),
          ("is", "sdf"), ("coalition", "is"), ("tsk", "sdf"), ("ahrar", "syrian-army"),
          ("jaish-islam", CIVILIANS), ("hezbollah", "fsa"), ("sdf", "is"))
_CATEGORIES = (("shelling", 30), ("air_strike", 30), ("ground_assault", 10),
               ("armed_clash", 10), ("attack_on_civilians", 8), ("sniper_fire", 5),
               ("explosive_device", 5), ("abduction_detention", 2))
_NEIGHBOUR = {"shelling": "air_strike", "air_strike": "shelling", "ground_assault": "armed_clash",
              "armed_clash": "ground_assault", "attack_on_civilians": "sniper_fire",
              "sniper_fire": "attack_on_civilians", "explosive_device": "shelling",
              "abduction_detention": "attack_on_civilians"}
_WEAPON = {"shelling": ("mortar shells", "artillery rounds", "rockets", "tank fire"),
           "air_strike": ("barrel bombs", "missiles", "cluster munitions", "vacuum bombs"),
           "ground_assault": ("an infantry advance", "armoured vehicles"),
           "armed_clash": ("heavy machine guns", "small arms"),
           "attack_on_civilians": ("gunmen", "a raid"), "sniper_fire": ("a sniper",),
           "explosive_device": ("a car bomb", "a roadside bomb", "a landmine"),
           "abduction_detention": ("armed men", "a patrol")}
_TARGETS = ("market", "school", "bakery", "hospital", "mosque", "checkpoint", "farm", "water station",
            "residential building", "field clinic", "bus station", "olive grove", "front line")
_SYNONYM = {"market": "souk", "hospital": "clinic", "killed": "dead", "wounded": "injured",
            "struck": "hit", "residential": "civilian", "building": "block", "bombs": "bombing"}
_TIME_OF_DAY = ("at dawn", "in the morning", "at noon", "in the afternoon", "in the evening",
                "at night")
_KM_PER_DEG = 111.2
_SIGMA_KM = {"exact": 0.3, "near": 2.0, "district": 10.0, "region": 40.0}


@dataclass(frozen=True)
class Town:
    name: str
    latitude: float
    longitude: float
    governorate: str


@dataclass(frozen=True)
class Event:
    id: int
    at: datetime
    town: Town
    category: str
    alleged: str
    affected: str
    killed: int
    target: str
    weapon: str
    time_of_day: str


def towns(rng: random.Random, n: int) -> list[Town]:
    out, seen = [], set()
    while len(out) < n:
        name = " ".join(p for p in (rng.choice(_PREFIX), rng.choice(_ROOTS) + rng.choice(_SUFFIX))
                        if p)
        if name in seen:
            name = f"{name} {rng.choice(('al-Kabir', 'al-Saghir', 'al-Sharqi', 'al-Gharbi'))}"
            if name in seen:
                continue
        seen.add(name)
        gov, south, west, north, east = rng.choice(GOVERNORATES)
        out.append(Town(name, rng.uniform(south, north), rng.uniform(west, east), gov))
    return out


def variant(rng: random.Random, name: str) -> str:
    """A transliteration variant of a place or actor name."""
    rules = (("Kafr", "Kfar"), ("eh", "a"), ("q", "k"), ("Q", "K"), ("ou", "u"), ("u", "ou"),
             ("al-", "el-"), ("al-", "al "), ("ee", "i"), ("i", "ee"), ("ah", "a"), ("Sh", "Ch"),
             ("aa", "a"), ("y", "i"), ("Tell", "Tal"), ("Deir", "Dayr"), ("Beit", "Bayt"))
    applicable = [r for r in rules if r[0] in name]
    if not applicable:
        return name.lower() if rng.random() < 0.5 else name.upper()
    old, new = rng.choice(applicable)
    return name.replace(old, new, 1)


def _day_seconds(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def events(rng: random.Random, *, n: int, start: date, days: int,
           places: list[Town], noise: float) -> Iterator[Event]:
    cats = [c for c, _ in _CATEGORIES]
    weights = [w for _, w in _CATEGORIES]
    eid = 0
    while eid < n:
        town = rng.choice(places)
        at = _day_seconds(start + timedelta(days=rng.randrange(days))) + timedelta(
            minutes=rng.randrange(4 * 60, 23 * 60))
        category = rng.choices(cats, weights)[0]
        alleged, affected = rng.choice(_PAIRS)
        event = Event(eid, at, town, category, alleged, affected,
                      max(0, int(rng.expovariate(1 / 4))), rng.choice(_TARGETS),
                      rng.choice(_WEAPON[category]), _TIME_OF_DAY[min(5, (at.hour - 4) // 3)])
        yield event
        eid += 1
        if eid < n and rng.random() < 0.15 * min(noise, 1.0) * 1.0:
            # A near miss: same town, same day, another event.
            other = rng.choice([c for c in cats if c != category])
            later = at.replace(hour=rng.choice([h for h in range(5, 23) if abs(h - at.hour) > 3]))
            yield Event(eid, later, town, other, *rng.choice(_PAIRS),
                        max(0, int(rng.expovariate(1 / 4))),
                        rng.choice([t for t in _TARGETS if t != event.target]),
                        rng.choice(_WEAPON[other]), _TIME_OF_DAY[min(5, (later.hour - 4) // 3)])
            eid += 1


def _p(rate: float, noise: float) -> float:
    return min(1.0, rate * noise)


def _actor_name(rng: random.Random, key: str, noise: float) -> str:
    if key == CIVILIANS:
        return rng.choice(("civilians", "residents", "the population"))
    name = rng.choice(ACTORS[key])
    return variant(rng, name) if rng.random() < _p(0.2, noise) else name


def _narrative(rng: random.Random, e: Event, place: str, noise: float) -> str:
    killed = f"{e.killed} killed" if e.killed else "no casualties reported"
    words = (f"{e.weapon} struck the {e.target} in {place} {e.time_of_day} "
             f"{killed} several wounded").split()
    out = []
    for w in words:
        r = rng.random()
        if r < _p(0.15, noise):
            continue
        out.append(_SYNONYM.get(w, w) if r < _p(0.3, noise) else w)
    return " ".join(out)


def reports_of(rng: random.Random, e: Event, first_id: int, noise: float) -> list[ReportRecord]:
    """1–6 reports of one event, each with its own noise."""
    count = rng.choices((1, 2, 3, 4, 5, 6), (35, 25, 15, 10, 8, 7))[0]
    out = []
    for k in range(count):
        out.append(_report(rng, e, first_id + k, noise))
    return out


def _report(rng: random.Random, e: Event, rid: int, noise: float) -> ReportRecord:
    tprec = rng.choices(("exact", "day", "week", "month"), (30, 50, 12, 8))[0] if noise else "exact"
    if tprec == "exact":
        at = e.at + timedelta(hours=rng.gauss(0, 2 * noise))
        when = parse_when(at.strftime("%Y-%m-%dT%H:%M:%SZ"), now=at + timedelta(days=1))
    else:
        day = e.at.date() - timedelta(days=1 if rng.random() < _p(0.1, noise) and tprec == "day"
                                      else 0)
        when = parse_when(day.isoformat(), tprec, now=e.at + timedelta(days=40))
    gprec = rng.choices(("exact", "near", "district", "region", None),
                        (50, 25, 15, 5, 5))[0] if noise else "exact"
    lat = lon = None
    if gprec is not None:
        sigma = _SIGMA_KM[gprec] * noise / _KM_PER_DEG
        lat = e.town.latitude + rng.gauss(0, sigma)
        lon = e.town.longitude + rng.gauss(0, sigma) / math.cos(math.radians(e.town.latitude))
    place = e.town.name
    r = rng.random()
    if r < _p(0.1, noise):
        place = ""
    elif r < _p(0.5, noise):
        place = variant(rng, place)
    category = _NEIGHBOUR[e.category] if rng.random() < _p(0.15, noise) else e.category
    r = rng.random()
    alleged: str | None = e.alleged
    if r < _p(0.2, noise):
        alleged = None
    elif r < _p(0.25, noise) and e.affected != CIVILIANS:
        alleged = e.affected
    affected: str | None = None if rng.random() < _p(0.4, noise) else e.affected
    killed = None
    if rng.random() >= _p(0.25, noise):
        best = e.killed * rng.uniform(1 - 0.3 * noise, 1 + 0.3 * noise) if noise else e.killed
        killed = (max(0, int(best * 0.8)), int(math.ceil(best * 1.2)))
    narrative = "" if rng.random() < _p(0.15, noise) else _narrative(rng, e, place or "the town",
                                                                   noise)
    return ReportRecord(
        id=rid, start=when.start, end=when.end, time_precision=when.precision.value,
        category=category, latitude=lat, longitude=lon, geo_precision=gprec,
        place_name=place,
        alleged=None if alleged is None else _actor_name(rng, alleged, noise),
        affected=None if affected is None else _actor_name(rng, affected, noise),
        killed=killed, narrative=narrative)


def alias_table() -> dict[str, str]:
    """Normalised names and transliteration skeletons → organisation key."""
    table: dict[str, str] = {}
    for key, names in ACTORS.items():
        for name in names:
            table[normalise_name(name)] = key
            table.setdefault("~" + skeleton(name), key)
    for name in ("civilians", "residents", "the population"):
        table[normalise_name(name)] = CIVILIANS
    return table


def resolve(table: dict[str, str], name: str | None) -> str | None:
    """An actor name → its organisation, as filing resolves names through the registry."""
    if name is None:
        return None
    return table.get(normalise_name(name)) or table.get("~" + skeleton(name))


def stream(*, n_reports: int, seed: int = 2017, start: date = date(2017, 1, 1), days: int = 365,
           n_towns: int = 600, noise: float = 1.0) -> tuple[list[ReportRecord], list[int]]:
    """``n_reports`` reports (actor names resolved) and the event of each (the truth)."""
    rng = random.Random(seed)
    places = towns(rng, n_towns)
    table = alias_table()
    reports: list[ReportRecord] = []
    truth: list[int] = []
    for e in events(rng, n=n_reports, start=start, days=days, places=places, noise=noise):
        for r in reports_of(rng, e, len(reports), noise):
            r.alleged = resolve(table, r.alleged)
            r.affected = resolve(table, r.affected)
            reports.append(r)
            truth.append(e.id)
            if len(reports) == n_reports:
                return reports, truth
    return reports, truth


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--noise", type=float, default=1.0)
    args = parser.parse_args(argv)
    reports, truth = stream(n_reports=args.reports, seed=args.seed, noise=args.noise)
    for r, t in zip(reports, truth, strict=True):
        row = asdict(r) | {"event": t, "start": r.start.isoformat(), "end": r.end.isoformat()}
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
