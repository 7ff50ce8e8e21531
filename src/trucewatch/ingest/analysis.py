"""One text analysed: its sentences, actor mentions, roles, conflicts, dates, places, talks
and events. Pure: the registry and the gazetteer come in, nothing is written."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from spacy.tokens import Token

from trucewatch.ingest.cleaning import CleanText, clean
from trucewatch.ingest.dates import DATE_EXPRESSION, DateResolution, resolve
from trucewatch.ingest.events import Event, Participant, Resolver, sentence_events
from trucewatch.ingest.gazetteer import Gazetteer, PlaceResolution
from trucewatch.ingest.mentions import PLACE_LABELS, Mention, Sentence, entity_spans, find_mentions
from trucewatch.ingest.pipeline import Pipeline
from trucewatch.ingest.references import Reference, find_references
from trucewatch.ingest.registry import Registry
from trucewatch.ingest.roles import RoleConflict, RoleMention, find_conflicts, find_roles
from trucewatch.ingest.tense import direction_of

_CAPITAL = re.compile(r"\b(?:the\s+)?([A-Z][a-z]+)\s+capital\b")
_TALKS = frozenset({"talks", "negotiations", "meeting", "conference", "summit"})
_SPONSORS = frozenset({"broker", "mediate", "sponsor", "host", "convene", "organise", "organize"})


@dataclass
class DateMention:
    sentence: Sentence
    start: int
    end: int
    resolution: DateResolution
    token: Token | None

    def as_json(self) -> dict[str, object]:
        return {**self.resolution.as_json(), "start": self.start, "end": self.end,
                "sentence": self.sentence.index}


@dataclass
class PlaceMention:
    sentence: Sentence
    start: int
    end: int
    resolution: PlaceResolution
    token: Token | None

    def as_json(self) -> dict[str, object]:
        return {**self.resolution.as_json(), "start": self.start, "end": self.end,
                "sentence": self.sentence.index}


@dataclass
class TalksMention:
    sentence: Sentence
    token: Token
    place: PlaceMention | None
    brokers: list[Participant]
    dates: list[DateMention]


@dataclass
class Analysis:
    text: str
    published: date
    cleaned: CleanText
    sentences: list[Sentence]
    mentions: list[Mention]
    roles: list[RoleMention]
    conflicts: list[RoleConflict]
    dates: list[DateMention]
    places: list[PlaceMention]
    talks: list[TalksMention]
    events: list[Event]
    pipeline: Pipeline
    notes: list[str] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)  # actors named by no name


def analyse(text: str, *, published: date, registry: Registry, gazetteer: Gazetteer,
            pipeline: Pipeline) -> Analysis:
    cleaned = clean(text)
    sentences: list[Sentence] = []
    docs = pipeline.nlp.pipe(p.text for p in cleaned.paragraphs)
    for paragraph, doc in zip(cleaned.paragraphs, docs, strict=True):
        for span in doc.sents:
            if span.text.strip():
                sentences.append(Sentence(len(sentences), span, paragraph.start + span.start_char,
                                          paragraph.headline))
    mentions = find_mentions(sentences, registry, gazetteer)
    roles = find_roles(mentions)
    conflicts = find_conflicts(roles, registry)
    countries = tuple({m.country for m in mentions if m.country})
    dates = [d for s in sentences for d in _dates(s, published)]
    places = [p for s in sentences for p in _places(s, gazetteer, countries, mentions)]
    resolver = Resolver(mentions)
    events = [e for s in sentences for e in sentence_events(s, resolver)] \
        if pipeline.nlp.has_pipe("parser") else []
    talks = _talks(sentences, resolver, places, dates) if events else []
    notes = [pipeline.warning] if pipeline.warning else []
    references = find_references(sentences, mentions)
    return Analysis(text, published, cleaned, sentences, mentions, roles, conflicts, dates,
                    places, talks, events, pipeline, notes, references)


def _dates(sentence: Sentence, published: date) -> list[DateMention]:
    found = []
    base = sentence.span.start_char
    for match in DATE_EXPRESSION.finditer(sentence.text):
        start, end = base + match.start(), base + match.end()
        direction, why = direction_of(sentence.span, start, end)
        resolution = resolve(match.group(0), published=published, direction=direction, why=why)
        span = sentence.span.doc.char_span(start, end, alignment_mode="expand")
        found.append(DateMention(sentence, sentence.offset(start), sentence.offset(end),
                                 resolution, span.root if span is not None else None))
    return found


def _places(sentence: Sentence, gazetteer: Gazetteer, countries: tuple[str, ...],
            mentions: list[Mention]) -> list[PlaceMention]:
    found: list[PlaceMention] = []
    doc = sentence.span.doc
    actor_tokens = {i for m in mentions if m.sentence is sentence and m.kind == "person"
                    for i in range(m.token_start, m.token_end)}
    seen: set[int] = set()
    for match in _CAPITAL.finditer(sentence.text):
        start = sentence.span.start_char + match.start()
        span = doc.char_span(start, sentence.span.start_char + match.end(), alignment_mode="expand")
        resolution = gazetteer.resolve(match.group(0))
        if span is not None and resolution.place is not None:
            found.append(PlaceMention(sentence, sentence.offset(span.start_char),
                                      sentence.offset(span.end_char), resolution, span.root))
            seen.update(t.i for t in span)
    for span, label in entity_spans(sentence):
        if label not in PLACE_LABELS | {"ORG", "PERSON"} or any(t.i in seen for t in span):
            continue
        if any(t.i in actor_tokens for t in span):
            continue
        text = re.sub(r"('s|’s)$", "", span.text)
        resolution = gazetteer.resolve(text, countries=countries)
        if resolution.place is None and label not in PLACE_LABELS:
            continue
        if resolution.place is not None and resolution.place.source == "country" \
                and label not in ("GPE", "LOC"):
            continue
        if resolution.place is not None and resolution.place.source == "geonames" and \
                label not in PLACE_LABELS and span[0].ent_id_ == "" and doc.has_annotation("TAG"):
            continue  # an organisation's name that happens to be a town somewhere
        found.append(PlaceMention(sentence, sentence.offset(span.start_char),
                                  sentence.offset(span.end_char), resolution, span.root))
    return found


def _talks(sentences: list[Sentence], resolver: Resolver, places: list[PlaceMention],
           dates: list[DateMention]) -> list[TalksMention]:
    """Every mention of talks, with where (a place in the phrase), who brokered them (the agent
    of 'brokered by …') and when, so that events about the same talks can be joined."""
    out: list[TalksMention] = []
    for sentence in sentences:
        for token in sentence.span:
            if token.lemma_.lower() not in _TALKS and token.lower_ not in _TALKS:
                continue
            subtree = {t.i for t in token.subtree}
            place = next((p for p in places if p.sentence is sentence and p.token is not None
                          and p.token.i in subtree and p.resolution.place is not None), None)
            brokers: list[Participant] = []
            for t in token.subtree:
                if t.dep_ == "acl" and t.lemma_ in _SPONSORS:
                    for child in t.children:
                        if child.dep_ == "agent":
                            brokers += [Participant(m.text, m.start, m.end, m)
                                        for m in resolver.mentions_in(child, skip_modifiers=True)
                                        if m.kind == "organisation"]
                    if place is None:
                        place = next((p for p in places if p.sentence is sentence and
                                      p.token is not None and p.token.i in {x.i for x in t.subtree}
                                      and p.resolution.place is not None), None)
            when = [d for d in dates if d.sentence is sentence and d.token is not None
                    and d.token.i in subtree]
            out.append(TalksMention(sentence, token, place, brokers, when))
    return out
