"""Actor mentions in the sentences, linked to the registry: by name or alias, by a
transliteration variant, by surname, by acronym; the rest become new actors to propose."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Span

from trucewatch.actors.names import normalise_name
from trucewatch.ingest.gazetteer import Gazetteer
from trucewatch.ingest.ontology import ROLE_HEADS, ROLE_MODIFIERS
from trucewatch.ingest.registry import KnownActor, Registry
from trucewatch.ingest.transliteration import skeleton

ACTOR_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LANGUAGE"})  # "Russian" PM: LANGUAGE
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# Words that make an organisation's type plain from its name.
_ORG_TYPES = (
    (re.compile(r"\b(front|army|brigades?|battalions?|legion|forces|militia|movement|"
                r"division|regiment|fighters|rebels|jabhat|jaysh|ahrar|hezbollah|state group)\b",
                re.I), "armed_group"),
    (re.compile(r"\b(ministry|government|cabinet|kremlin|president|regime|embassy|parliament|"
                r"duma|department|office)\b", re.I), "state"),
    (re.compile(r"\b(united nations|un|nato|union|council|league|organi[sz]ation|agency for|"
                r"unicef|unhcr|ocha|who|icrc|red cross|red crescent)\b", re.I),
     "international_organisation"),
    (re.compile(r"\b(news|agency|times|post|press|tv|television|radio|journal|afp|reuters|"
                r"bbc|cnn|tass|ria|sana|al jazeera)\b", re.I), "media"),
    (re.compile(r"\b(observatory|watch|amnesty|helmets|foundation|ngo|charity|doctors)\b",
                re.I), "ngo"),
)


@dataclass
class Sentence:
    index: int
    span: Span
    start: int  # offset in the analysed text
    headline: bool

    @property
    def text(self) -> str:
        return self.span.text

    @property
    def end(self) -> int:
        return self.start + len(self.span.text)

    def offset(self, char_in_doc: int) -> int:
        """An offset in the analysed text from one in the sentence's doc."""
        return self.start + char_in_doc - self.span.start_char


@dataclass
class Mention:
    text: str
    label: str
    sentence: Sentence
    token_start: int  # token indices in the doc
    token_end: int
    key: str = ""  # the actor this mention refers to: a registry slug or "new:<slug>"
    name: str = ""  # the actor's name
    kind: str = ""  # person or organisation
    organisation_type: str | None = None
    country: str | None = None
    method: str = ""  # how it was linked
    confidence: float = 0.0
    candidates: list[str] = field(default_factory=list)

    @property
    def start(self) -> int:
        return self.sentence.offset(self.span.start_char)

    @property
    def end(self) -> int:
        return self.sentence.offset(self.span.end_char)

    @property
    def span(self) -> Span:
        return self.sentence.span.doc[self.token_start:self.token_end]

    @property
    def acting(self) -> bool:
        """A person or organisation, or a country that acts or is acted on in its sentence
        ("France condemned", "talks with Turkey", "Russia's support"), not one that only
        says where ("in Syria")."""
        if self.label not in ("GPE", "NORP", "LANGUAGE"):
            return self.kind in ("person", "organisation")
        root = self.span.root
        if self.label != "GPE" and root.pos_ not in ("NOUN", "PROPN"):
            return False  # "Syrian forces": a nationality, not an actor
        if self.label != "GPE" and root.tag_ in ("NNS", "NNPS"):
            return True  # "Syrians", "the Iraqis": a people
        while root.dep_ == "conj" and root.head is not root:
            root = root.head
        if root.dep_ in ("nsubj", "nsubjpass", "dobj", "dative", "poss", "npadvmod"):
            return True
        return root.dep_ == "pobj" and root.head.lower_ in ("by", "with", "against", "between",
                                                            "including")

    @property
    def known(self) -> bool:
        return not self.key.startswith("new:")

    def as_json(self) -> dict[str, object]:
        return {"text": self.text, "label": self.label, "actor": self.key, "name": self.name,
                "kind": self.kind, "method": self.method, "confidence": self.confidence,
                "start": self.start, "end": self.end, "candidates": self.candidates}


def slugify(name: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", normalise_name(name))).strip("-")[:80]


def _strip(text: str) -> str:
    text = re.sub(r"^(the|The)\s+", "", text.strip())
    return re.sub(r"('s|’s|')$", "", text).strip(" ,.\"“”")


def entity_spans(sentence: Sentence) -> list[tuple[Span, str]]:
    """The entities of a sentence, widened over adjacent proper nouns the NER cut off
    ('Negotiations Committee' → 'High Negotiations Committee')."""
    found: list[tuple[Span, str]] = []
    doc = sentence.span.doc
    taken = {t.i for e in sentence.span.ents for t in e}
    for ent in sentence.span.ents:
        start, end = ent.start, ent.end
        if ent.label_ in ("ORG", "PERSON") and ent.ent_id_ == "":
            while start - 1 >= sentence.span.start and doc[start - 1].tag_ == "NNP" \
                    and doc[start - 1].i not in taken \
                    and doc[start - 1].lower_ not in ROLE_HEADS | ROLE_MODIFIERS:
                start -= 1
        found.append((doc[start:end], ent.label_))
    if not doc.has_annotation("TAG"):
        found += _capitalised(sentence, taken)
    found += _international(sentence, {t.i for span, label in found for t in span
                                       if label in ACTOR_LABELS})
    return found


def _international(sentence: Sentence, taken: set[int]) -> list[tuple[Span, str]]:
    """Names of international bodies and armed groups (actor_codes.INTERNATIONAL) the NER
    missed or took for a number ("ISIL", "an ISIL-held building")."""
    from trucewatch.ingest.actor_codes import INTERNATIONAL

    spans: list[tuple[Span, str]] = []
    doc = sentence.span.doc
    for token in sentence.span:
        if token.i in taken or not token.text[:1].isupper():
            continue
        word = token.text.lower().replace("’", "'")
        if word in INTERNATIONAL or ("-" in word and word.split("-")[0] in INTERNATIONAL):
            spans.append((doc[token.i:token.i + 1], "ORG"))
    return spans


_CAPITALISED = re.compile(r"\b(?:[A-Z][a-z'’-]+|[A-Z]{2,})(?:\s+(?:al-|el-|de\s|bin\s)?"
                          r"(?:[A-Z][a-z'’-]+|[A-Z]{2,}))*")
_NOT_NAMES = frozenset({"The", "A", "An", "But", "And", "On", "In", "He", "She", "They", "It",
                        "We", "This", "That", "Advertisement", "Monday", "Tuesday", "Wednesday",
                        "Thursday", "Friday", "Saturday", "Sunday", "January", "February",
                        "March", "April", "May", "June", "July", "August", "September",
                        "October", "November", "December", "Key", "Mr", "Mrs", "Ms"})


def _capitalised(sentence: Sentence, taken: set[int]) -> list[tuple[Span, str]]:
    """Without a statistical NER: runs of capitalised words are candidate names."""
    spans: list[tuple[Span, str]] = []
    for match in _CAPITALISED.finditer(sentence.text):
        words = match.group(0).split()
        while words and words[0] in _NOT_NAMES:
            words = words[1:]
        if not words:
            continue
        text = " ".join(words)
        begin = sentence.span.start_char + match.start() + match.group(0).index(words[0])
        span = sentence.span.doc.char_span(begin, begin + len(text), alignment_mode="expand")
        if span is None or any(t.i in taken for t in span):
            continue
        spans.append((span, "PERSON" if len(words) == 2 and not any(w.isupper() for w in words)
                      else "ORG"))
    return spans


def find_mentions(sentences: list[Sentence], registry: Registry,
                  gazetteer: Gazetteer) -> list[Mention]:
    """Every actor mention, linked; labels the NER got wrong in one sentence are corrected
    from the others (a name tagged PERSON anywhere is a person everywhere)."""
    raw: list[Mention] = []
    for sentence in sentences:
        for span, label in entity_spans(sentence):
            if label not in ACTOR_LABELS:
                continue
            text = _strip(span.text)
            if not text:
                continue
            raw.append(Mention(text, label, sentence, span.start, span.end,
                               key=span[0].ent_id_ if span[0].ent_id_ else ""))
    persons = {normalise_name(m.text) for m in raw if m.label == "PERSON"}
    surnames = {normalise_name(m.text).split()[-1] for m in raw if m.label == "PERSON"}
    for m in raw:
        folded = normalise_name(m.text)
        if m.label == "ORG" and (folded in persons or folded in surnames):
            m.label = "PERSON"
        elif m.label == "GPE" and folded in surnames and folded not in gazetteer.demonyms:
            m.label = "PERSON"  # "Davis said", after "Capt. Jeff Davis": not the town
    raw += _surnames(sentences, raw)
    mentions = [m for m in raw if _link(m, registry, gazetteer)]
    _unify_new(mentions)
    return mentions


def _surnames(sentences: list[Sentence], raw: list[Mention]) -> list[Mention]:
    """A full name's surname alone, where the NER marked nothing ("Davis said" after
    "Capt. Jeff Davis"): the same person."""
    surnames = {m.text.split()[-1] for m in raw if m.label == "PERSON" and len(m.text.split()) > 1
                and m.text.split()[-1][:1].isupper()}
    taken = {(id(m.sentence.span.doc), i) for m in raw for i in range(m.token_start, m.token_end)}
    out: list[Mention] = []
    for sentence in sentences:
        doc = sentence.span.doc
        for token in sentence.span:
            if token.text in surnames and token.pos_ == "PROPN" and token.ent_type_ in (
                    "", "ORG", "GPE", "NORP") and (id(doc), token.i) not in taken:
                out.append(Mention(token.text, "PERSON", sentence, token.i, token.i + 1))
    return out


def _link(m: Mention, registry: Registry, gazetteer: Gazetteer) -> bool:
    """Link ``m`` to the registry or describe the new actor it names; False drops it."""
    folded = normalise_name(m.text)
    if m.label == "NORP" and folded not in gazetteer.demonyms and _group_name(m.text) or \
            m.label == "GPE" and _group_name(m.text) and not m.text.isupper():
        m.label = "ORG"  # "ISIL" tagged as a nationality, "Daesh" as a country
    if m.label in ("NORP", "LANGUAGE") or (folded in gazetteer.demonyms and folded not in registry.by_name):
        code = gazetteer.demonyms.get(folded) or gazetteer.demonyms.get(folded.removesuffix("s"))
        if code is None:
            return False
        state = registry.by_country.get(code)
        if state is not None:
            return _known(m, state, "demonym", 0.8)
        m.key, m.name, m.kind, m.organisation_type, m.country = (
            f"new:{code.lower()}", _country_name(gazetteer, code) or m.text, "organisation",
            "state", code)
        m.method, m.confidence = "demonym, not in the registry", 0.6
        return True
    if m.key and registry.get(m.key) is not None:
        return _known(m, registry.get(m.key), "name or alias (entity ruler)", 0.95)  # type: ignore[arg-type]
    for index, method, confidence in ((registry.by_name, "name or alias", 0.95),
                                      (registry.by_skeleton, "transliteration variant", 0.8)):
        key = folded if index is registry.by_name else skeleton(m.text)
        matches = _fits(index.get(key, []), m.label)
        if len(matches) == 1:
            return _known(m, matches[0], method, confidence)
        if len(matches) > 1:
            m.candidates = [a.slug for a in matches]
            return _known(m, matches[0], f"{method}, ambiguous", 0.4)
    if m.label == "PERSON" and len(folded.split()) == 1:
        matches = registry.by_surname.get(folded, [])
        if len(matches) == 1:
            return _known(m, matches[0], "surname", 0.75)
    if not m.span.doc.has_annotation("TAG"):
        # Without a model a capitalised run is only a guess: a known town is a place.
        guess = gazetteer.resolve(m.text).place
        if guess is not None and guess.source != "country":
            return False
    if m.label == "PERSON" and m.span.doc.has_annotation("TAG") and _place_name(m.text, gazetteer):
        return False  # "Near Ar Raqqah": a town the NER took for a person
    kind = "person" if m.label == "PERSON" else "organisation"
    country = None
    org_type: str | None = None
    if m.label == "GPE":
        place = gazetteer.resolve(m.text)
        if place.place is None or place.place.source != "country":
            return False  # a town is a place, not an actor
        org_type, country = "state", place.place.country
        state = registry.by_country.get(country or "")
        if state is not None:
            return _known(m, state, "country name", 0.9)
    elif kind == "organisation":
        org_type = guess_organisation_type(m.text)
    m.key, m.name, m.kind, m.organisation_type, m.country = (
        f"new:{slugify(m.text)}", m.text, kind, org_type, country)
    m.method, m.confidence = "not in the registry", 0.6
    return bool(slugify(m.text))


def _group_name(text: str) -> bool:
    """An acronym or an armed group's name, not a nationality ("ISIL", "Daesh")."""
    from trucewatch.ingest.actor_codes import INTERNATIONAL

    return text.isupper() and len(text) > 2 or normalise_name(text) in INTERNATIONAL


def _place_name(text: str, gazetteer: Gazetteer) -> bool:
    words = text.split()
    if words and words[0] in ("Near", "In", "At", "From"):
        text = " ".join(words[1:])
    place = gazetteer.resolve(text).place
    return place is not None and place.source in ("geonames", "zone", "imported") and \
        place.population >= 15000


def _fits(actors: list[KnownActor], label: str) -> list[KnownActor]:
    if label == "PERSON":
        return [a for a in actors if a.kind == "person"] or actors
    return [a for a in actors if a.kind == "organisation"] or actors


def _known(m: Mention, actor: KnownActor, method: str, confidence: float) -> bool:
    m.key, m.name, m.kind = actor.slug, actor.name, actor.kind
    m.organisation_type, m.country = actor.organisation_type, actor.country
    m.method, m.confidence = method, confidence
    return True


def _country_name(gazetteer: Gazetteer, code: str) -> str | None:
    return gazetteer.country_names.get(code)


def guess_organisation_type(name: str) -> str:
    for pattern, org_type in _ORG_TYPES:
        if pattern.search(name):
            return org_type
    return "political_body"


def _unify_new(mentions: list[Mention]) -> None:
    """New actors named several ways in one text become one: a surname ('Lavrov') joins the
    full name, an acronym ('HNC') the name it abbreviates."""
    full = {m.key: m for m in mentions if not m.known}
    by_surname: dict[str, Mention] = {}
    by_acronym: dict[str, Mention] = {}
    for m in sorted(full.values(), key=lambda m: -len(m.name)):
        words = m.name.split()
        if m.kind == "person" and len(words) > 1:
            by_surname.setdefault(normalise_name(words[-1]), m)
        if m.kind == "organisation" and len(words) > 1:
            initials = "".join(w[0] for w in words if w[0].isupper())
            if len(initials) > 1:
                by_acronym.setdefault(initials, m)
    for m in mentions:
        if m.known:
            continue
        target = by_surname.get(normalise_name(m.name)) if m.kind == "person" else \
            by_acronym.get(m.name) if m.name.isupper() else None
        if target is None and m.kind == "organisation":
            target = by_acronym.get(m.name)
        if target is not None and target is not m:
            m.key, m.name, m.method = target.key, target.name, f"{m.method}; same as " \
                f"'{target.text}' in this text"
