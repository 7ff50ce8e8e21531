"""Actors referred to without a name: a group ("the regime", "Coalition military forces",
"rebels"), a title ("the Foreign Secretary"), or a pronoun ("we", "he"). They are not proposed
as new actors (they name none), but they are actors in the text: events take them as
sources and targets, and the extraction lists them with their kind."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from trucewatch.ingest.actor_codes import AGENT_WORDS
from trucewatch.ingest.mentions import Mention, Sentence
from trucewatch.ingest.ontology import ROLE_HEADS

# Nouns for a group of people acting together: CAMEO's agent types (actor_codes.AGENT_WORDS)
# other than single persons' titles, and general collective nouns.
GROUP_NOUNS = frozenset(
    {w for code, words in AGENT_WORDS.items() if code != "GOV" for w in words if " " not in w}
    | {"government", "regime", "administration", "cabinet", "ministry", "authorities",
       "officials", "leadership", "delegation", "embassy"}
    | {"coalition", "alliance", "group", "groups", "organisation", "organization", "unit",
       "units", "partners", "allies", "backers", "community", "nations", "countries",
       "states", "members", "enemy", "side", "sides", "squadron", "wing", "team", "teams"}
) - {"people", "man", "men", "woman", "women", "child", "children", "family", "families",
     "tank", "tanks", "jet", "jets", "warplane", "warplanes", "hospital", "school", "mosque",
     "church", "bank", "banks", "business", "industry", "union", "force", "party"}
PERSON_TITLES = frozenset(ROLE_HEADS | {"secretary", "minister", "ambassador", "advisor"}) - {
    "member", "founder", "official", "representative", "delegate", "head"}
PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "his", "hers", "i", "me", "my"})
GROUP_PRONOUNS = frozenset({"we", "us", "our", "ours"})
THIRD_PLURAL = frozenset({"they", "them", "their", "theirs"})


@dataclass
class Reference:
    text: str
    kind: str  # person or organisation
    how: str  # group noun, title, pronoun
    sentence: Sentence
    token_start: int
    token_end: int

    @property
    def span(self) -> Span:
        return self.sentence.span.doc[self.token_start:self.token_end]

    @property
    def start(self) -> int:
        return self.sentence.offset(self.span.start_char)

    @property
    def end(self) -> int:
        return self.sentence.offset(self.span.end_char)

    def as_json(self) -> dict[str, object]:
        return {"text": self.text, "kind": self.kind, "how": self.how, "start": self.start,
                "end": self.end, "sentence": self.sentence.index}


def find_references(sentences: list[Sentence], mentions: list[Mention]) -> list[Reference]:
    """Unnamed actors in parsed sentences; tokens inside a named mention are left to it."""
    named = {(id(m.sentence.span.doc), i) for m in mentions
             for i in range(m.token_start, m.token_end)}
    out: list[Reference] = []
    last_group = -2  # the sentence of the last organisation named or referred to
    for sentence in sentences:
        doc = sentence.span.doc
        if not doc.has_annotation("DEP"):
            continue
        if any(m.sentence is sentence and m.kind == "organisation" for m in mentions):
            last_group = sentence.index
        for token in sentence.span:
            if (id(doc), token.i) in named:
                continue
            found = _reference(token, sentence, last_group)
            if found is None:
                continue
            if found.kind == "organisation":
                last_group = sentence.index
            out.append(found)
    return out


def _reference(token: Token, sentence: Sentence, last_group: int) -> Reference | None:
    lower = token.lower_
    if token.pos_ == "PRON" or token.tag_ in ("PRP", "PRP$"):
        if lower in PERSON_PRONOUNS:
            return _make(token, token, sentence, "person", "pronoun")
        if lower in GROUP_PRONOUNS or (lower in THIRD_PLURAL and
                                       sentence.index - last_group <= 1):
            return _make(token, token, sentence, "organisation", "pronoun")
        return None
    if token.pos_ not in ("NOUN", "PROPN") or token.dep_ == "compound":
        return None
    lemma = token.lemma_.lower()
    if lower in PERSON_TITLES and token.tag_ in ("NN", "NNP"):
        return _make(_left(token), token, sentence, "person", "title")
    if lower in GROUP_NOUNS or lemma in GROUP_NOUNS and token.tag_ in ("NNS", "NNPS"):
        return _make(_left(token), token, sentence, "organisation", "group noun")
    if lower == "people" and _of_a_country(token):
        return _make(_left(token), token, sentence, "organisation", "a people")
    return None


def _of_a_country(token: Token) -> bool:
    """"the Syrian people", "the people of Syria": a nation named as a group."""
    modifiers = [c for c in token.children if c.dep_ == "amod" and c.ent_type_ == "NORP"]
    of = [g for c in token.children if c.dep_ == "prep" and c.lower_ == "of"
          for g in c.children if g.ent_type_ == "GPE"]
    return bool(modifiers or of)


def _left(head: Token) -> Token:
    """The first word of the phrase before ``head``: determiners, adjectives, compounds."""
    first = head
    for child in head.lefts:
        if child.dep_ in ("det", "amod", "compound", "nmod", "poss", "nummod") and \
                child.i < first.i:
            first = child
    return first


def _make(first: Token, head: Token, sentence: Sentence, kind: str, how: str) -> Reference:
    span = sentence.span.doc[first.i:head.i + 1]
    return Reference(span.text, kind, how, sentence, span.start, span.end)
