"""Roles the text gives people ("HNC coordinator Riyad Hijab", "said spokesman Ahmad Ramadan",
"Russian Foreign Minister Sergei Lavrov"), roles without a name ("Russian PM"), and the
conflicts between them, which are flagged rather than settled."""

from __future__ import annotations

from dataclasses import dataclass

from trucewatch.actors.names import normalise_name
from trucewatch.ingest.mentions import Mention
from trucewatch.ingest.ontology import ROLE_HEADS, ROLE_MODIFIERS
from trucewatch.ingest.registry import Registry

_EXPANSIONS = {"pm": "prime minister", "fm": "foreign minister", "premier": "prime minister"}


@dataclass
class RoleMention:
    person: Mention | None  # None: a role without a name ("Russian PM")
    organisation: Mention | None
    role: str
    start: int  # offsets of the whole phrase in the analysed text
    end: int
    confidence: float
    how: str

    @property
    def sentence_text(self) -> str:
        m = self.person or self.organisation
        assert m is not None
        return m.sentence.text


def normalise_role(words: list[str]) -> str:
    role = " ".join(w.lower() for w in words)
    return _EXPANSIONS.get(role, role)


def _role_words_before(m: Mention, stop: int) -> int:
    """The token index where the role words before ``m`` start (== m.token_start when none)."""
    doc = m.span.doc
    i = m.token_start
    while i - 1 >= stop and (doc[i - 1].lower_ in ROLE_HEADS or doc[i - 1].lower_ in ROLE_MODIFIERS):
        i -= 1
    # "deputy" alone is a modifier; a role needs a head word
    if not any(doc[j].lower_ in ROLE_HEADS for j in range(i, m.token_start)):
        return m.token_start
    return i


def find_roles(mentions: list[Mention]) -> list[RoleMention]:
    """Role phrases around the mentions of each sentence."""
    found: list[RoleMention] = []
    by_sentence: dict[int, list[Mention]] = {}
    for m in mentions:
        by_sentence.setdefault(m.sentence.index, []).append(m)
    for group in by_sentence.values():
        ends = {m.token_end: m for m in group}
        for m in group:
            start = _role_words_before(m, m.sentence.span.start)
            doc = m.span.doc
            if m.kind == "person" and start < m.token_start:
                role = normalise_role([t.text for t in doc[start:m.token_start]])
                organisation = ends.get(start)
                if organisation is not None and organisation.kind == "organisation":
                    found.append(RoleMention(m, organisation, role, organisation.start, m.end,
                                             0.85, "title before the name"))
                    continue
                organisation = _subject_organisation(m, group)
                found.append(RoleMention(m, organisation, role, m.sentence.offset(
                    doc[start].idx), m.end, 0.55 if organisation else 0.4,
                    "title before the name; organisation from the clause it speaks about"
                    if organisation else "title before the name; organisation not named"))
            elif m.kind == "organisation":
                role_only = _role_after(m)
                if role_only is not None:
                    words, end_token = role_only
                    if not any(o.token_start == end_token and o.kind == "person" for o in group):
                        found.append(RoleMention(None, m, normalise_role(words), m.start,
                                                 m.sentence.offset(doc[end_token - 1].idx + len(
                                                     doc[end_token - 1])), 0.5,
                                                 "a role without a name"))
    return found


def _role_after(m: Mention) -> tuple[list[str], int] | None:
    doc = m.span.doc
    i = m.token_end
    words: list[str] = []
    while i < m.sentence.span.end and (doc[i].lower_ in ROLE_HEADS or doc[i].lower_ in ROLE_MODIFIERS):
        words.append(doc[i].text)
        i += 1
    if words and words[-1].lower() in ROLE_HEADS:
        return words, i
    return None


def _subject_organisation(person: Mention, group: list[Mention]) -> Mention | None:
    """For 'X declined …, said spokesman Y': the organisation that is a subject in the clause
    Y's statement governs."""
    doc = person.span.doc
    if not doc.has_annotation("DEP"):
        return None
    speech = doc[person.token_end - 1].head
    for m in group:
        if m is person or m.kind != "organisation":
            continue
        head = doc[m.token_end - 1]
        if head.dep_ in ("nsubj", "nsubjpass") and (head.head.head == speech or head.head == speech
                                                   or speech in head.head.ancestors):
            return m
    return None


@dataclass
class RoleConflict:
    mention: RoleMention  # the role without a name
    person_key: str
    person_name: str
    role_elsewhere: str
    evidence: str
    evidence_start: int

    def as_json(self) -> dict[str, object]:
        org = self.mention.organisation
        return {"text": self.mention.sentence_text[:200], "says": self.mention.role,
                "of": org.name if org else None,
                "person": self.person_key.removeprefix("new:"),
                "person_name": self.person_name, "elsewhere": self.role_elsewhere,
                "evidence": self.evidence, "start": self.mention.start,
                "evidence_start": self.evidence_start,
                "note": f"'{self.mention.role}' here, '{self.role_elsewhere}' elsewhere: "
                        "flagged for a person to settle, not corrected"}


def find_conflicts(roles: list[RoleMention], registry: Registry) -> list[RoleConflict]:
    """A role without a name whose organisation (or its country) has exactly one named person
    in the text, holding a different role there: the text contradicts itself."""
    conflicts: list[RoleConflict] = []
    named = [r for r in roles if r.person is not None and r.organisation is not None]
    for role_only in (r for r in roles if r.person is None and r.organisation is not None):
        org = role_only.organisation
        assert org is not None
        same = [r for r in named if r.organisation is not None and (
            r.organisation.key == org.key or (org.country and r.organisation.country == org.country))]
        persons = {r.person.key for r in same if r.person is not None}
        if len(persons) != 1:
            continue
        other = same[0]
        assert other.person is not None
        if normalise_name(other.role) != normalise_name(role_only.role):
            conflicts.append(RoleConflict(role_only, other.person.key, other.person.name,
                                          other.role, other.sentence_text, other.start))
    return conflicts
