"""CAMEO actor codes for the people and groups an event names: a country (ISO 3166-1
alpha-3, as CAMEO uses it) or an international body, then agent codes for the sector
("the Georgian government" → GEOGOV, "Syrian rebels" → SYRREB, "the UN" → IGOUNO).

The country comes from the linked actor, else from a country's name, demonym, other
spelling or capital in the phrase, read from the ``countryinfo`` package (installed data,
nothing fetched). The agent codes and their words follow the CAMEO codebook's agent types
(Schrodt 2012, ch. 5); international bodies its IGO codes.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from spacy.tokens import Token

from trucewatch.actors.names import normalise_name

NO_COUNTRY = "---"

# CAMEO agent types (codebook ch. 5) and the head nouns that name them.
AGENT_WORDS: dict[str, frozenset[str]] = {
    "GOV": frozenset({
        "government", "regime", "administration", "cabinet", "ministry", "minister", "president",
        "presidency", "premier", "chancellor", "king", "queen", "emir", "monarch", "authority",
        "authorities", "official", "officials", "leader", "leadership", "state department",
        "foreign ministry", "secretary", "spokesman", "spokeswoman", "spokesperson", "mayor",
        "governor", "ambassador", "diplomat", "envoy", "embassy", "kremlin", "white house",
        "foreign office", "prime minister", "vice president", "head of state", "delegation",
        "adviser", "advisor", "advisers", "advisors"}),
    "MIL": frozenset({
        "military", "army", "troops", "troop", "soldier", "soldiers", "forces", "force", "navy",
        "air force", "marines", "commander", "general", "officer", "officers", "peacekeeper",
        "peacekeepers", "defence ministry", "defense ministry", "pentagon", "battalion",
        "brigade", "division", "tank", "tanks", "warplane", "warplanes", "jet", "jets"}),
    "REB": frozenset({
        "rebel", "rebels", "insurgent", "insurgents", "militant", "militants", "guerrilla",
        "guerrillas", "fighter", "fighters", "militia", "militias", "jihadist", "jihadists",
        "separatist", "separatists", "terrorist", "terrorists"}),
    "OPP": frozenset({
        "opposition", "dissident", "dissidents", "activist", "activists", "demonstrator",
        "demonstrators", "protester", "protesters", "protestor", "protestors", "opponent",
        "opponents", "rioter", "rioters"}),
    "COP": frozenset({"police", "policeman", "policemen", "police officer", "gendarmerie"}),
    "JUD": frozenset({"court", "judge", "judges", "prosecutor", "prosecutors", "tribunal",
                      "judiciary", "supreme court"}),
    "LEG": frozenset({"parliament", "lawmaker", "lawmakers", "legislator", "legislators",
                      "legislature", "congress", "senate", "senator", "senators", "mp", "mps",
                      "duma", "assembly", "parliamentarian", "parliamentarians"}),
    "SPY": frozenset({"intelligence", "spy", "spies", "intelligence service"}),
    "MED": frozenset({"media", "journalist", "journalists", "reporter", "reporters",
                      "newspaper", "television", "broadcaster", "news agency"}),
    "EDU": frozenset({"student", "students", "university", "school", "teacher", "teachers",
                      "professor", "academic"}),
    "BUS": frozenset({"company", "companies", "firm", "firms", "business", "businessman",
                      "airline", "airlines", "bank", "banks", "corporation", "industry"}),
    "CRM": frozenset({"criminal", "criminals", "gang", "gangs", "smuggler", "smugglers",
                      "pirate", "pirates", "kidnapper", "kidnappers", "trafficker"}),
    "CVL": frozenset({"civilian", "civilians", "people", "resident", "residents", "villager",
                      "villagers", "child", "children", "woman", "women", "citizen", "citizens",
                      "population", "family", "families", "man", "men", "worshipper"}),
    "REF": frozenset({"refugee", "refugees", "displaced", "migrant", "migrants",
                      "asylum seeker", "asylum seekers"}),
    "HLH": frozenset({"doctor", "doctors", "hospital", "medic", "medics", "nurse", "nurses"}),
    "LAB": frozenset({"worker", "workers", "trade union", "union", "unions"}),
    "REL": frozenset({"cleric", "clerics", "church", "imam", "clergy", "priest", "bishop",
                      "mosque"}),
    "NGO": frozenset({"charity", "ngo", "ngos", "aid group", "aid agency", "aid workers"}),
    "HRI": frozenset({"human rights group", "rights group", "observatory"}),
    "UAF": frozenset({"gunman", "gunmen", "attacker", "attackers", "assailant", "assailants"}),
    "PTY": frozenset({"party", "parties"}),
}
_AGENT_OF: dict[str, str] = {w: code for code, words in AGENT_WORDS.items() for w in words}

# International bodies (CAMEO codebook, IGO and transnational codes).
INTERNATIONAL: dict[str, str] = {
    "united nations": "IGOUNO", "un": "IGOUNO", "u.n.": "IGOUNO",
    "un security council": "IGOUNO", "security council": "IGOUNO",
    "european union": "IGOEUREEC", "eu": "IGOEUREEC", "e.u.": "IGOEUREEC",
    "nato": "IGOWSTNAT", "african union": "IGOAFRAFU", "arab league": "IGOARBALL",
    "league of arab states": "IGOARBALL", "interpol": "IGOCOPITP",
    "international criminal court": "IGOJUDICC", "world bank": "IGOWSTWBK",
    "international monetary fund": "IGOWSTIMF", "imf": "IGOWSTIMF",
    "red cross": "NGOHLHIRC", "international committee of the red cross": "NGOHLHIRC",
    "icrc": "NGOHLHIRC", "al-qaeda": "IMGMUSALQ", "al qaeda": "IMGMUSALQ",
    "al-qaida": "IMGMUSALQ", "islamic state": "IMGMUSISI", "isil": "IMGMUSISI",
    "isis": "IMGMUSISI", "daesh": "IMGMUSISI", "da'esh": "IMGMUSISI",
}

# Dependency relations inside a phrase that may name its country, in order of preference:
# the words before the head ("US leader", "Syria's army"), then "of/from/in" phrases.
_MODIFIERS = frozenset({"compound", "amod", "poss", "nmod", "nummod", "det"})
_PLACE_PREPOSITIONS = ("of", "from", "in")
_LABELS = frozenset({"GPE", "NORP", "ORG", "LOC", "LANGUAGE", ""})


@dataclass(frozen=True)
class ActorCode:
    country: str | None  # alpha-3, or IGO / IMG / NGO for international bodies
    agents: tuple[str, ...]
    basis: str  # which words gave the code

    @property
    def code(self) -> str:
        return (self.country or NO_COUNTRY) + "".join(self.agents)

    @property
    def empty(self) -> bool:
        return self.country is None and not self.agents

    def as_json(self) -> dict[str, object]:
        return {"code": self.code, "country": self.country, "agents": list(self.agents),
                "basis": self.basis}


@dataclass(frozen=True)
class CountryWords:
    """Every way ``countryinfo`` names a country, folded, to its alpha-3 code."""

    names: dict[str, str]  # "syria", "syrian arab republic", "syrian", "damascus" → SYR
    abbreviations: dict[str, str]  # case-sensitive: "US", "USA", "UK" → USA, GBR
    longest: int  # words in the longest name

    def lookup(self, words: list[Token]) -> str | None:
        text = " ".join(t.text for t in words)
        if len(words) == 1 and text in self.abbreviations:
            return self.abbreviations[text]
        folded = normalise_name(text)
        found = self.names.get(folded) or self.names.get(folded.removesuffix("s"))
        return found


def _latin(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z .,'’()-]+", text))


@functools.lru_cache(maxsize=1)
def country_words() -> CountryWords:
    import countryinfo

    from trucewatch.ingest.gazetteer import DEMONYMS

    names: dict[str, str] = {}
    abbreviations: dict[str, str] = {}
    alpha2: dict[str, str] = {}
    for country in countryinfo.all_countries():
        info = country.info()
        code = (info.get("ISO") or {}).get("alpha3")
        if not code:
            continue
        alpha2[(info.get("ISO") or {}).get("alpha2", "")] = code
        capital = info.get("capital")
        capitals = capital if isinstance(capital, list) else [capital or ""]
        spellings = [info.get("name") or "", info.get("demonym") or "",
                     *(re.sub(r"\s+D\.?C\.?$", "", c) for c in capitals if isinstance(c, str))]
        for spelling in info.get("altSpellings") or []:
            if spelling.isupper() and 2 <= len(spelling) <= 3:
                # Only the codes people write as words ("US", "UK", "USA"), not every alpha-2.
                if spelling == code or spelling in ("US", "UK", "UAE", "DRC", "PRC", "DPRK"):
                    abbreviations.setdefault(spelling, code)
            else:
                spellings.append(spelling)
        for spelling in spellings:
            key = normalise_name(spelling)
            if key and _latin(spelling) and "," not in spelling:
                names.setdefault(key, code)
    for demonym, iso2 in DEMONYMS.items():
        if iso2 in alpha2:
            names.setdefault(demonym, alpha2[iso2])
    names.setdefault(normalise_name("U.S."), names.get("united states", "USA"))
    names.setdefault(normalise_name("U.K."), names.get("united kingdom", "GBR"))
    abbreviations.setdefault("U.S.", names.get("united states", "USA"))
    abbreviations.setdefault("U.K.", names.get("united kingdom", "GBR"))
    longest = max(len(k.split()) for k in [*names, *INTERNATIONAL])
    return CountryWords(names, abbreviations, longest)


def _find_country(tokens: list[Token], words: CountryWords) -> tuple[str, str] | None:
    """The first country or international body named by a run of ``tokens``."""
    i = 0
    while i < len(tokens):
        for n in range(min(words.longest, len(tokens) - i), 0, -1):
            run = tokens[i:i + n]
            if any(t.i != run[0].i + k for k, t in enumerate(run)):
                continue  # not contiguous in the sentence
            if not any(t.text[:1].isupper() for t in run):
                continue  # country words are capitalised ("us" is a pronoun)
            if run[0].ent_type_ not in _LABELS and run[0].ent_type_ != "":
                continue
            doc = run[0].doc
            text = doc.text[run[0].idx:run[-1].idx + len(run[-1].text)]
            body = INTERNATIONAL.get(normalise_name(text)) or INTERNATIONAL.get(text.lower())
            if body is not None:
                return body, text
            found = words.lookup(run)
            if found is not None:
                return found, text
        i += 1
    return None


def _agents(head: Token) -> tuple[str, ...]:
    """Agent codes from the head noun and the nouns and adjectives right before it."""
    found: list[str] = []
    words = [c for c in head.children if c.dep_ in ("compound", "amod") and c.i < head.i]
    candidates = [f"{w.lower_} {head.lower_}" for w in words] + [head.lower_, head.lemma_.lower()]
    candidates += [w.lower_ for w in words]
    for word in candidates:
        code = _AGENT_OF.get(word)
        if code is not None and code not in found:
            found.append(code)
    return tuple(found[:2])


def _based(token: Token) -> bool:
    """"Turkey-based": where a body sits, not whose it is."""
    following = token.doc[token.i + 1:token.i + 3]
    return len(following) == 2 and following[0].text == "-" and following[1].lower_ == "based"


def _noun_phrase(head: Token) -> list[Token]:
    """The words of the noun phrase headed by ``head``, without its clauses ("… that wish to
    come to Moscow") and the phrases they hold."""
    out = [head]
    for child in head.children:
        if child.dep_ not in _CLAUSES:
            out += [t for t in _noun_phrase(child)]
    return sorted(out, key=lambda t: t.i)


_CLAUSES = frozenset({"relcl", "acl", "advcl", "ccomp", "xcomp", "appos", "parataxis"})


def code_phrase(head: Token, *, country: str | None = None, basis: str = "") -> ActorCode:
    """The CAMEO code of the noun phrase headed by ``head``; ``country`` (alpha-3) when the
    phrase is a linked actor whose country is known."""
    words = country_words()
    agents = _agents(head)
    found: tuple[str, str] | None = (country, basis) if country else None
    if found is None:
        own = [t for t in head.subtree if t.i <= head.i and (t.i == head.i or t.dep_ in _MODIFIERS or
                                                              t.head.dep_ in _MODIFIERS)
               and not _based(t)]
        found = _find_country(sorted(own, key=lambda t: t.i), words)
    if found is None:
        for prep in (c for c in head.children if c.dep_ == "prep" and
                     c.lower_ in _PLACE_PREPOSITIONS):
            objects = [g for g in prep.children if g.dep_ == "pobj"]
            for obj in objects:
                found = _find_country(_noun_phrase(obj), words)
                if found is not None:
                    break
            if found is not None:
                break
    if found is None:
        return ActorCode(None, agents, head.text if agents else "")
    place, text = found
    if head.text in text.split():  # the head is part of the name ("European Union")
        agents = ()
    if len(place) > 3:  # an international body's full code, then the phrase's own agents
        body = tuple(place[i:i + 3] for i in range(3, len(place), 3))
        return ActorCode(place[:3], body + tuple(a for a in agents if a not in body), text)
    return ActorCode(place, agents, f"{text}; {head.text}" if agents else text)


def code_name(name: str) -> ActorCode | None:
    """The code of a whole name that is a country or an international body ("Al-Qaeda")."""
    folded = normalise_name(name)
    body = INTERNATIONAL.get(folded) or INTERNATIONAL.get(name.lower())
    if body is not None:
        return ActorCode(body[:3], tuple(body[i:i + 3] for i in range(3, len(body), 3)), name)
    country = country_words().names.get(folded) or country_words().abbreviations.get(name)
    return ActorCode(country, (), name) if country else None


def alpha3(iso2: str | None) -> str | None:
    """The alpha-3 code of an alpha-2 one (the registry and the gazetteer keep alpha-2)."""
    if not iso2:
        return None
    return _alpha3().get(iso2.upper())


@functools.lru_cache(maxsize=1)
def _alpha3() -> dict[str, str]:
    import countryinfo

    out: dict[str, str] = {}
    for country in countryinfo.all_countries():
        iso = country.info().get("ISO") or {}
        if iso.get("alpha2") and iso.get("alpha3"):
            out.setdefault(iso["alpha2"], iso["alpha3"])
    return out
