"""From an analysis to proposals: actors, affiliations, events, invitations, replies and
reports, each with its sentence, character offsets and confidence."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from trucewatch.actors.names import normalise_name
from trucewatch.ingest.analysis import Analysis, DateMention, PlaceMention
from trucewatch.ingest.events import Event, Participant
from trucewatch.ingest.mentions import Mention, Sentence, slugify
from trucewatch.ingest.registry import Registry

# "… that wish to come to Moscow" for talks on Friday: the talks are not part of who is invited.
_MEETING_TAIL = re.compile(r"[\"”']?\s+for\s+(?:the\s+)?(?:talks|a meeting|meetings|negotiations)\b.*$")
KINDS = ("actor", "affiliation", "event", "invitation", "reply", "report")


@dataclass
class Proposal:
    kind: str
    payload: dict[str, Any]
    sentence: Sentence
    start: int  # the evidence span in the analysed text
    end: int
    confidence: float
    notes: list[str] = field(default_factory=list)
    also: list[int] = field(default_factory=list)  # other sentences saying the same
    key: str = ""  # what makes two proposals the same fact (set by propose)

    @property
    def sentence_start(self) -> int:
        return self.sentence.start

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "payload": self.payload, "sentence": self.sentence.text,
                "sentence_index": self.sentence.index, "sentence_start": self.sentence.start,
                "sentence_end": self.sentence.end, "start": self.start, "end": self.end,
                "confidence": round(self.confidence, 2), "notes": self.notes,
                "also_in_sentences": self.also, "key": self.key}


def actor_ref(p: Participant | Mention | None) -> dict[str, Any] | None:
    if p is None:
        return None
    m = p if isinstance(p, Mention) else p.mention
    view: dict[str, Any] = {"text": p.text}
    if m is not None:
        view.update(actor=_slug(m), name=m.name, kind=m.kind, known=m.known)
    if isinstance(p, Participant) and p.via:
        view["via"] = p.via
    return view


def _slug(m: Mention) -> str:
    return m.key if m.known else slugify(m.name)


def propose(analysis: Analysis, registry: Registry) -> list[Proposal]:
    proposals = _actors(analysis) + _affiliations(analysis, registry)
    invitations: list[Proposal] = []
    others: list[Proposal] = []
    for event in analysis.events:
        kind = event.type.kind
        if kind == "invitation" and not event.negated:
            invitations += _invitations(event, analysis, invitations)
        elif event.type.category is not None:
            others.append(_report(event, analysis))
        else:
            others.append(_event(event, analysis))
    _join_meetings(invitations)
    replies = [r for e in analysis.events if e.type.kind == "decline_meeting" and not e.negated
               for r in _replies(e, analysis, invitations)]
    return _dedupe(proposals + invitations + replies + others)


def _actors(analysis: Analysis) -> list[Proposal]:
    first: dict[str, Mention] = {}
    names: dict[str, list[str]] = {}
    for m in analysis.mentions:
        if m.known:
            continue
        first.setdefault(m.key, m)
        if m.text not in names.setdefault(m.key, []) and normalise_name(m.text) != \
                normalise_name(m.name):
            names[m.key].append(m.text)
    out = []
    for key, m in first.items():
        payload = {"slug": slugify(m.name), "kind": m.kind,
                   "organisation_type": m.organisation_type, "country": m.country,
                   "names": [{"name": m.name, "lang": "en", "primary": True}] +
                   [{"name": n, "lang": "en", "primary": False} for n in names[key]
                    if n.isupper() or m.kind == "organisation"]}
        conflicts = [c.as_json() for c in analysis.conflicts if c.person_key == key]
        if conflicts:
            payload["conflicts"] = conflicts
        out.append(Proposal("actor", payload, m.sentence, m.start, m.end, m.confidence,
                            [f"{m.text}: {m.method}"]))
    return out


def _affiliations(analysis: Analysis, registry: Registry) -> list[Proposal]:
    out = []
    for role in analysis.roles:
        if role.person is None:
            continue
        person, org = role.person, role.organisation
        recorded = [a for a in registry.roles_of(person.key)
                    if normalise_name(a.role) == normalise_name(role.role)]
        payload: dict[str, Any] = {
            "person": _slug(person), "person_name": person.name,
            "organisation": _slug(org) if org else None,
            "organisation_name": org.name if org else None, "role": role.role,
            "how": role.how}
        conflicts = [c.as_json() for c in analysis.conflicts if c.person_key == person.key]
        if conflicts:
            payload["conflicts"] = conflicts
        notes = []
        if recorded:
            payload["recorded"] = [f"{a.person} is {a.role} of {a.organisation}" for a in recorded]
            notes.append("the registry records this role already")
        out.append(Proposal("affiliation", payload, person.sentence, role.start, role.end,
                            role.confidence * (0.5 if recorded else 1.0), notes))
    return out


def _in_subtree(event: Event, items: list[DateMention] | list[PlaceMention]) -> list[Any]:
    trigger = event.trigger
    if trigger.pos_ == "NOUN" and trigger.dep_ in ("nsubj", "nsubjpass", "dobj"):
        trigger = trigger.head  # "an air strike hit Zone A on Tuesday": the verb's clause
    tokens = {t.i for t in trigger.subtree}
    subject = [c for c in event.trigger.children if c.dep_ in ("nsubj", "nsubjpass")]
    for s in subject:
        tokens |= {t.i for t in s.subtree}
    return [x for x in items if x.sentence is event.sentence and x.token is not None
            and x.token.i in tokens]


def _dates_of(event: Event, analysis: Analysis) -> list[dict[str, Any]]:
    own = _in_subtree(event, analysis.dates) or [
        d for d in analysis.dates if d.sentence is event.sentence and d.resolution.precision
        != "duration"][:1]
    return [d.as_json() for d in own if d.resolution.precision != "duration"]


def _places_of(event: Event, analysis: Analysis) -> list[dict[str, Any]]:
    return [p.as_json() for p in _in_subtree(event, analysis.places)]


def _common(event: Event, analysis: Analysis) -> dict[str, Any]:
    return {"type": event.type.as_json(), "trigger": event.trigger.text,
            "sources": [actor_ref(p) for p in event.sources],
            "targets": [actor_ref(p) for p in event.targets],
            "negated": event.negated, "mode": event.mode, "reported_by": actor_ref(event.reporter),
            "dates": _dates_of(event, analysis), "places": _places_of(event, analysis)}


def _confidence(event: Event) -> float:
    c = event.confidence
    if event.mode == "reported_unattributed":
        c -= 0.1
    if event.sentence.headline:
        c -= 0.15
    return max(0.1, c)


def _event(event: Event, analysis: Analysis) -> Proposal:
    payload = _common(event, analysis)
    if event.object_text:
        payload["object"] = event.object_text
    if event.outcome:
        payload["outcome"] = event.outcome
    if event.type.kind in ("talks_ended", "talks_held", "agreement", "decline_meeting"):
        payload["talks"] = _talks_of(event, analysis)
    notes = []
    if event.negated:
        notes.append("negated: a fact about something that did not happen")
    if event.mode != "fact":
        notes.append("reported speech" + (f" ({event.reporter.text})" if event.reporter else
                                          ", not attributed"))
    return Proposal("event", payload, event.sentence, event.trigger_start, event.trigger_end,
                    _confidence(event), notes)


def _talks_of(event: Event, analysis: Analysis) -> dict[str, Any] | None:
    """The talks an event is about, joined across sentences by their place."""
    places = _in_subtree(event, analysis.places)
    key = places[0].resolution.place if places and places[0].resolution.place else None
    if key is None:
        return None
    brokers: dict[str, dict[str, Any]] = {}
    for talks in analysis.talks:
        if talks.place is not None and talks.place.resolution.place == key:
            for b in talks.brokers:
                ref = actor_ref(b)
                if ref is not None:
                    brokers.setdefault(str(ref.get("actor", ref["text"])), ref)
    return {"place": key.as_json(), "brokers": list(brokers.values())}


def _meeting(event: Event, analysis: Analysis) -> dict[str, Any]:
    dates = [d for d in _in_subtree(event, analysis.dates)
             if d.resolution.precision == "day"]
    places = [p for p in _in_subtree(event, analysis.places) if p.resolution.place is not None]
    for talks in analysis.talks:
        if talks.sentence is event.sentence:
            dates = dates or [d for d in talks.dates if d.resolution.precision == "day"]
            places = places or ([talks.place] if talks.place else [])
    date = dates[0].resolution.start if dates else None
    place = places[0].resolution.place if places else None
    sponsor = next((p for p in event.sources if p.mention is not None), None)
    words = ["talks"]
    if place is not None:
        words.append(f"in {place.name}")
    if date is not None:
        words.append(f"on {date}")
    return {"description": " ".join(words), "date": date,
            "date_explanation": dates[0].resolution.explanation if dates else None,
            "place": place.as_json() if place else None, "convenor": actor_ref(sponsor)}


def _invitations(event: Event, analysis: Analysis, earlier: list[Proposal]) -> list[Proposal]:
    meeting = _meeting(event, analysis)
    notes: list[str] = []
    inviter = next((p for p in event.sources if p.mention is not None), None)
    previous = earlier[-1].payload if earlier else None
    if previous is not None and meeting["date"] is None and meeting["place"] is None:
        meeting = previous["meeting"]
        notes.append("the talks are those of the invitation before it in the text")
    sent_by = actor_ref(inviter)
    if sent_by is None and previous is not None and previous["meeting"] == meeting:
        sent_by = previous["sent_by"]
        notes.append("the inviter is the one named for these talks before")
    targets = event.targets or ([Participant(event.object_text, event.trigger_start,
                                             event.trigger_end)] if event.object_text else [])
    out = []
    for target in targets:
        m = target.mention
        member_of = None
        if m is None:
            capacity = "class"
            inner = [x for x in analysis.mentions if x.sentence is event.sentence and
                     x.kind == "organisation" and target.start <= x.start < target.end]
            member_of = actor_ref(inner[0]) if inner else None
        elif m.kind == "person":
            capacity = "personal" if event.capacity == "personal" else "representative" if any(
                r.person is m and r.organisation is not None for r in analysis.roles) else "personal"
        else:
            capacity = "organisation"
        represents = None
        if m is not None and capacity == "representative":
            role = next(r for r in analysis.roles if r.person is m and r.organisation is not None)
            represents = actor_ref(role.organisation)
        if m is None:
            target = Participant(_MEETING_TAIL.sub("", target.text), target.start,
                                 target.start + len(_MEETING_TAIL.sub("", target.text)))
        payload = {"meeting": meeting, "capacity": capacity,
                   "invitee": actor_ref(target) if m is not None else None,
                   "represents": represents,
                   "class_description": target.text if m is None else "",
                   "class_member_of": member_of, "sent_by": sent_by, "mode": event.mode,
                   "reported_by": actor_ref(event.reporter)}
        out.append(Proposal("invitation", payload, event.sentence, target.start, target.end,
                            _confidence(event), list(notes)))
    return out


def _join_meetings(invitations: list[Proposal]) -> None:
    """Invitations to talks on the same day are to the same talks: the one that names the
    place and the convenor completes the others (noted on each)."""
    for inv in invitations:
        meeting = inv.payload["meeting"]
        fuller = [o.payload for o in invitations if o is not inv and
                  (meeting["date"] is None or o.payload["meeting"]["date"] == meeting["date"])
                  and (meeting["place"] is None or o.payload["meeting"]["place"] == meeting["place"])
                  and o.payload["meeting"]["date"] is not None]
        fuller.sort(key=lambda o: (o["meeting"]["place"] is None, o["sent_by"] is None))
        if not fuller:
            continue
        best = fuller[0]
        if best["meeting"] != meeting and (meeting["date"] is None or meeting["place"] is None
                                           or meeting["convenor"] is None):
            inv.payload["meeting"] = best["meeting"]
            inv.notes.append("the talks completed from another sentence about talks on "
                             f"{best['meeting']['date']}")
        if inv.payload["sent_by"] is None and best["sent_by"] is not None:
            inv.payload["sent_by"] = best["sent_by"]
            inv.notes.append("the inviter named for these talks in another sentence")


def _replies(event: Event, analysis: Analysis, invitations: list[Proposal]) -> list[Proposal]:
    out = []
    for source in event.sources:
        if source.mention is None:
            continue
        slug = _slug(source.mention)
        match, how = _matching_invitation(slug, invitations)
        dates = [d for d in _in_subtree(event, analysis.dates) if d.resolution.precision == "day"
                 and d.resolution.start and d.resolution.start <= analysis.published.isoformat()]
        replied_on = dates[0].resolution.start if dates else analysis.published.isoformat()
        payload = {"status": "declined", "replied_by": actor_ref(source),
                   "reported_by": actor_ref(event.reporter), "mode": event.mode,
                   "replied_on": replied_on,
                   "replied_on_explanation": dates[0].resolution.explanation if dates else
                   "not dated in the text: on or before the publication date",
                   "invitation": _key(match) if match else None,
                   "invitation_match": how,
                   "meeting": match.payload["meeting"] if match else None,
                   "to_meet": [actor_ref(t) for t in event.targets]}
        out.append(Proposal("reply", payload, event.sentence, event.trigger_start,
                            event.trigger_end, _confidence(event) * (1 if match else 0.7)))
    return out


def _matching_invitation(slug: str, invitations: list[Proposal]) -> tuple[Proposal | None, str]:
    for inv in invitations:
        invitee = inv.payload["invitee"]
        if invitee and invitee.get("actor") == slug:
            return inv, "the invitation to the same invitee"
    for inv in invitations:
        member = inv.payload["class_member_of"]
        if member and member.get("actor") == slug:
            return inv, "an invitation to members of the same organisation"
    classes = [i for i in invitations if i.payload["capacity"] == "class"]
    if classes:
        return classes[0], "the invitation to a class of actors for the same talks"
    return None, "no invitation in this text"


def _report(event: Event, analysis: Analysis) -> Proposal:
    payload = _common(event, analysis)
    payload["category"] = event.type.category
    payload["narrative"] = event.sentence.text
    return Proposal("report", payload, event.sentence, event.trigger_start, event.trigger_end,
                    _confidence(event) - (0.2 if event.negated else 0), [])


def _key(p: Proposal) -> str:
    payload = p.payload
    if p.kind == "actor":
        return f"actor:{payload['slug']}"
    if p.kind == "affiliation":
        return f"affiliation:{payload['person']}:{payload['organisation']}:{payload['role']}"
    if p.kind == "invitation":
        invitee = payload["invitee"]["actor"] if payload["invitee"] else \
            normalise_name(payload["class_description"])
        return f"invitation:{invitee}:{payload['capacity']}:{payload['meeting']['description']}"
    if p.kind == "reply":
        return f"reply:{payload['replied_by']['actor']}:{payload['invitation']}"
    return f"{p.kind}:{payload['type']['kind']}:{payload['negated']}:" + ",".join(
        str(s and s.get("actor", s["text"])) for s in payload["sources"]) + ":" + ",".join(
        str(s and s.get("actor", s["text"])) for s in payload["targets"])


def _dedupe(proposals: list[Proposal]) -> list[Proposal]:
    """The same fact said twice (a caption repeating the body) is one proposal, kept from
    the sentence that supports it best, with the other sentences listed."""
    best: dict[str, Proposal] = {}
    order: list[str] = []
    for p in proposals:
        key = p.key = _key(p)
        if key not in best:
            best[key] = p
            order.append(key)
            continue
        kept = best[key]
        if p.confidence > kept.confidence:
            p.also = [*kept.also, kept.sentence.index]
            best[key] = p
        elif p.sentence.index != kept.sentence.index:
            kept.also.append(p.sentence.index)
    return [best[k] for k in order]
