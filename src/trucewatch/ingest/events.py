"""Who did what to whom in each sentence: a trigger word typed with CAMEO, its sources and
targets from the dependency parse, negation, and reported speech (who said so)."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Token

from trucewatch.ingest.actor_codes import ActorCode, alpha3, code_name, code_phrase
from trucewatch.ingest.mentions import Mention, Sentence
from trucewatch.ingest.ontology import (
    LIGHT_NOUNS,
    LIGHT_VERBS,
    MEETING_WORDS,
    NOUNS,
    SPEECH_VERBS,
    TYPES,
    VERBS,
    WEAPONS,
    EventType,
)

_PRONOUNS = frozenset({"he", "she", "him", "her"})
_HEAD_DEPS = frozenset({"compound", "amod", "poss", "nmod"})
_NEGATORS = frozenset({"no", "never", "not", "n't", "neither", "nor"})


@dataclass
class Participant:
    text: str
    start: int
    end: int
    mention: Mention | None = None
    via: str = ""  # how a pronoun was resolved
    head: Token | None = None  # the phrase's head word, for its CAMEO actor code
    code: ActorCode | None = None

    def as_json(self) -> dict[str, object]:
        m = self.mention
        view: dict[str, object] = {"text": self.text, "start": self.start, "end": self.end,
                                   "actor": m.key if m else None, "name": m.name if m else None}
        if self.via:
            view["via"] = self.via
        if not self.coded().empty:
            view["cameo"] = self.coded().as_json()
        return view

    def coded(self) -> ActorCode:
        """The CAMEO actor code: the linked actor's country, else the phrase's words."""
        if self.code is None:
            m = self.mention
            if m is not None and self.head is not None and self.head not in m.span and \
                    (not m.country or _inside_preposition(m, self.head)) and \
                    not code_phrase(self.head).empty:
                self.code = code_phrase(self.head)  # the phrase's head is the actor
                return self.code
            country = alpha3(m.country) if m is not None else None
            named = code_name(m.text) if m is not None and country is None else None
            if named is not None:
                self.code = named
                return named
            head = self.head if self.head is not None else (m.span.root if m else None)
            self.code = code_phrase(head, country=country, basis=m.text if m else "") \
                if head is not None else ActorCode(None, (), "")
        return self.code


@dataclass
class Event:
    type: EventType
    sentence: Sentence
    trigger: Token
    sources: list[Participant] = field(default_factory=list)
    targets: list[Participant] = field(default_factory=list)
    negated: bool = False
    mode: str = "fact"  # fact, reported, reported_unattributed
    reporter: Participant | None = None
    object_text: str = ""
    outcome: str = ""
    capacity: str = ""  # for invitations: personal, organisation, class …
    confidence: float = 0.7

    @property
    def trigger_start(self) -> int:
        return self.sentence.offset(self.trigger.idx)

    @property
    def trigger_end(self) -> int:
        return self.trigger_start + len(self.trigger.text)


class Resolver:
    """Finds the mentions behind tokens, and who a pronoun is (the last speaker for 'he said',
    the subject of the governing speech verb for 'X said that he …')."""

    def __init__(self, mentions: list[Mention]) -> None:
        self.mentions = mentions
        self.by_token: dict[tuple[int, int], Mention] = {}
        for m in mentions:
            for i in range(m.token_start, m.token_end):
                self.by_token[(id(m.sentence.span.doc), i)] = m
        self.last_speaker: Participant | None = None

    def mention(self, token: Token) -> Mention | None:
        return self.by_token.get((id(token.doc), token.i))

    def participants(self, token: Token, sentence: Sentence) -> list[Participant]:
        """The actors a noun phrase headed by ``token`` names (its conjuncts and appositions
        included), a pronoun resolved, or the phrase itself when it names none."""
        if token.lower_ in _PRONOUNS:
            found = self.pronoun(token, sentence)
            return [found] if found else []
        heads = [token, *token.conjuncts]
        out: list[Participant] = []
        for head in heads:
            m = self.mention(head)
            if m is not None:
                out.append(_participant(m))
                continue
            inner = self.mentions_in(head, skip_modifiers=True)
            if inner:
                out += [_participant(x, phrase=head) for x in inner]
            elif head.pos_ in ("NOUN", "PROPN"):
                out.append(_phrase(head, sentence))
        unique: dict[tuple[str | None, str], Participant] = {}
        for p in out:
            unique.setdefault((p.mention.key if p.mention else None, p.text), p)
        return list(unique.values())

    def mentions_in(self, token: Token, *, skip_modifiers: bool) -> list[Mention]:
        found: list[Mention] = []
        for t in token.subtree:
            m = self.mention(t)
            if m is None or m in found:
                continue
            root = m.span.root
            if skip_modifiers and root.dep_ in _HEAD_DEPS and self.mention(root.head) is not m:
                continue
            found.append(m)
        return found

    def pronoun(self, token: Token, sentence: Sentence) -> Participant | None:
        speech = token.head
        if token.dep_ == "nsubj" and speech.lemma_ in SPEECH_VERBS and self.last_speaker:
            p = self.last_speaker
            return Participant(p.text, p.start, p.end, p.mention,
                               f"'{token.text}' → the last speaker, {p.text}", p.head)
        for ancestor in token.ancestors:
            if ancestor.lemma_ in SPEECH_VERBS:
                for child in ancestor.children:
                    if child.dep_ == "nsubj" and child.i < token.i:
                        m = self.mention(child)
                        if m is not None and m.kind == "person":
                            return Participant(m.text, m.start, m.end, m,
                                               f"'{token.text}' → the speaker, {m.text}")
        before = [m for m in self.mentions if m.kind == "person" and (
            m.sentence.index < sentence.index or
            (m.sentence.index == sentence.index and m.token_end <= token.i))]
        if before:
            m = max(before, key=lambda x: (x.sentence.index, x.token_start))
            return Participant(m.text, m.start, m.end, m,
                               f"'{token.text}' → the last person named, {m.text}")
        return None


def _inside_preposition(m: Mention, head: Token) -> bool:
    """Whether ``m`` only says where the phrase headed by ``head`` is ("the US commander in
    Iraq"), rather than naming it ("Syria regime allies Russia and Iran")."""
    token = m.span.root
    while token.i != head.i and token.head.i != token.i:
        if token.dep_ == "pobj":
            return True
        token = token.head
    return False


_TARGET_PREPOSITIONS = ("with", "against", "on", "at", "into", "toward", "towards")
_GIVING = frozenset({"02", "05", "06", "07", "08", "10"})  # "give/supply/appeal … to X"
_RECEIVING = frozenset({"receive", "get", "obtain", "accept"})


def _is_actor(p: Participant) -> bool:
    """A named actor, or a phrase that names a country, a body or an agent type."""
    return p.mention is not None or not p.coded().empty


def _participant(m: Mention, phrase: Token | None = None) -> Participant:
    """``phrase``: the head of the noun phrase the mention is inside ("the US commander in
    Iraq, General David Petraeus"), which codes the actor when it names an agent type."""
    return Participant(m.text, m.start, m.end, m, head=phrase if phrase is not None else
                       m.span.root)


def _phrase(head: Token, sentence: Sentence) -> Participant:
    tokens = [t for t in head.subtree if t.dep_ not in ("punct",) and not t.is_quote]
    if tokens and tokens[0].lower_ in ("a", "an"):
        tokens = tokens[1:]
    if not tokens:
        tokens = [head]
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
    return Participant(sentence.span.doc.text[start:end], sentence.offset(start),
                       sentence.offset(end), head=head)


def _subject(verb: Token) -> Token | None:
    current: Token | None = verb
    for _ in range(4):
        if current is None:
            return None
        for child in current.children:
            if child.dep_ in ("nsubj", "nsubjpass", "csubj"):
                return child
        if current.dep_ in ("conj", "xcomp", "advcl") and current.head is not current:
            current = current.head
        elif current.dep_ == "acl" and current.head.pos_ in ("NOUN", "PROPN"):
            return None
        else:
            return None
    return None


def _agent(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ == "agent":
            return next((g for g in child.children if g.dep_ == "pobj"), None)
    return None


def _preposition_objects(verb: Token, words: tuple[str, ...]) -> list[Token]:
    out: list[Token] = []
    for child in verb.children:
        if child.dep_ in ("prep", "dative") and child.lower_ in words:
            for prep in (child, *child.conjuncts):
                out += [g for g in prep.children if g.dep_ == "pobj"]
    return out


def _negated(token: Token) -> bool:
    if any(c.dep_ == "neg" or (c.dep_ == "det" and c.lower_ in _NEGATORS) for c in token.children):
        return True
    if token.pos_ == "NOUN":
        return any(c.dep_ == "neg" for c in token.head.children) if token.dep_ in (
            "dobj", "nsubjpass", "nsubj") else False
    return any(c.dep_ in ("nsubj", "nsubjpass", "dobj") and any(
        g.dep_ == "det" and g.lower_ in _NEGATORS for g in c.children) and c.lemma_ in NOUNS
        for c in token.children)


def _meeting_context(token: Token) -> bool:
    words = {t.lemma_.lower() for t in token.subtree} | {t.lower_ for t in token.head.subtree}
    return bool(words & MEETING_WORDS)


def classify(token: Token) -> EventType | None:
    """The event type ``token`` triggers, with the context that refines it."""
    lemma = token.lemma_.lower()
    if token.pos_ in ("VERB", "AUX") or token.tag_.startswith("VB"):
        kind = VERBS.get(lemma)
        if kind is None:
            return None
        if kind == "reject" and _meeting_context(token):
            kind = "decline_meeting"
        if kind in ("talks_ended", "talks_held"):
            subject = _subject(token)
            objects = [c for c in token.children if c.dep_ == "dobj"]
            nouns = [t.lemma_.lower() for t in ([subject] if subject is not None else []) + objects]
            if not set(nouns) & MEETING_WORDS:
                return None
        if kind == "host" and any(c.dep_ == "dobj" and c.lemma_ == "invitation"
                                  for c in token.children):
            return None  # "received an invitation": the invitation is the event
        if any(c.dep_ == "dobj" and _light_object(c) for c in token.children):
            return None  # "received weapons from X": the weapons are X's event
        if kind in ("talks_held", "meet") and token.dep_ in ("advcl", "xcomp", "relcl") and \
                any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children):
            return None  # "to attend Friday's talks": a purpose, not a fact
        if kind == "agreement" and any(c.lemma_ == "sign" for c in token.subtree):
            kind = "signing"
        if kind == "meet" and token.dep_ == "xcomp" and token.head.lemma_ in VERBS and \
                VERBS[token.head.lemma_] in ("reject", "decline_meeting"):
            return None  # "declined to meet": the decline is the event
        if kind == "intent_to_cooperate" and token.dep_ == "xcomp" and \
                token.head.lemma_ == "agree":
            return None  # "agreed to establish": one agreement
        return TYPES[kind]
    if token.pos_ == "NOUN" and _light_object(token):
        if _received_from(token.head) and lemma in WEAPONS:
            return TYPES["military_aid"]  # weapons received are weapons given
        return TYPES[LIGHT_NOUNS.get(token.lower_) or LIGHT_NOUNS[lemma]]
    if token.pos_ == "NOUN":
        compounds = [c.lower_ for c in token.children if c.dep_ == "compound"]
        kind = (NOUNS.get(f"{compounds[-1]} {lemma}") if compounds else None) or \
            NOUNS.get(lemma) or NOUNS.get(token.lower_)
        if kind in ("talks_held", "ceasefire", "violate_ceasefire"):
            return None  # nouns of talks and truces are the subject of other events
        return TYPES[kind] if kind else None
    return None


def _light_object(token: Token) -> bool:
    """The object of a verb that only carries it: "launched an attack", "imposed sanctions"."""
    verb = token.head
    lemma = verb.lemma_.lower()
    light = lemma in LIGHT_VERBS and lemma not in VERBS or _received_from(verb)
    return token.dep_ == "dobj" and light and \
        (token.lower_ in LIGHT_NOUNS or token.lemma_.lower() in LIGHT_NOUNS)


def _received_from(verb: Token) -> bool:
    """"X received weapons from Y": Y is the source of what X received (CAMEO codes the
    giver)."""
    return verb.lemma_.lower() in _RECEIVING and bool(_preposition_objects(verb, ("from",)))


def _reporting(token: Token, resolver: Resolver, sentence: Sentence) -> tuple[str, Participant | None]:
    child = token
    for ancestor in token.ancestors:
        if ancestor.lemma_ in SPEECH_VERBS and child.dep_ in ("ccomp", "xcomp", "parataxis",
                                                             "conj", "advcl", "dobj"):
            subject = _subject(ancestor)
            if subject is None:
                return "reported_unattributed", None
            if subject.dep_ == "nsubjpass" and ancestor.lemma_ == "say":
                return "reported_unattributed", None
            people = resolver.participants(subject, sentence)
            return "reported", people[0] if people else None
        child = ancestor
    return "fact", None


def sentence_events(sentence: Sentence, resolver: Resolver) -> list[Event]:
    """The events of one parsed sentence (statements kept only when they report none)."""
    events: list[Event] = []
    for token in sentence.span:
        kind = classify(token)
        if kind is None:
            continue
        event = Event(kind, sentence, token)
        _fill(event, resolver)
        if kind.kind != "statement" or not _reports_event(token):
            events.append(event)
        if kind.kind == "statement" and event.sources:
            resolver.last_speaker = event.sources[0]
    return events


def _reports_event(speech: Token) -> bool:
    return any(classify(t) is not None and t is not speech for t in speech.subtree)


def _fill(event: Event, resolver: Resolver) -> None:
    token, sentence = event.trigger, event.sentence
    event.negated = _negated(token)
    event.mode, event.reporter = _reporting(token, resolver, sentence)
    if token.pos_ == "NOUN":
        _fill_noun(event, resolver)
        return
    subject = _subject(token)
    agent = _agent(token)
    if subject is not None and subject.dep_ == "nsubjpass":
        if agent is not None:
            event.sources = resolver.participants(agent, sentence)
        event.targets = resolver.participants(subject, sentence)
    elif subject is not None:
        event.sources = resolver.participants(subject, sentence)
    elif agent is not None:
        event.sources = resolver.participants(agent, sentence)
        if token.dep_ == "acl":
            event.targets = [_phrase(token.head, sentence)]
    objects = [c for c in token.children if c.dep_ in ("dobj", "attr")]
    for child in token.children:
        if child.dep_ == "xcomp":
            objects += [c for c in child.children if c.dep_ == "dobj"]
            if event.type.kind != "invitation":
                event.targets += [p for t in _preposition_objects(child, ("with", "to"))
                                  for p in resolver.participants(t, sentence)]
    for obj in objects:
        event.targets += resolver.participants(obj, sentence)
        event.object_text = _phrase(obj, sentence).text
    giving = event.type.cameo[:2] in _GIVING and event.type.kind != "withdraw"
    prepositions = _TARGET_PREPOSITIONS + (("to",) if giving else ())
    event.targets += [p for t in _preposition_objects(token, prepositions)
                      for p in resolver.participants(t, sentence) if _is_actor(p)]
    if not event.targets and token.dep_ == "acl" and subject is None:
        event.targets = [_phrase(token.head, sentence)]  # "soldiers killed in …"
    if event.type.kind == "talks_ended":
        without = [c for c in token.children if c.lower_ in ("without", "with")]
        for prep in without:
            pobj = next((g for g in prep.children if g.dep_ == "pobj"), None)
            if pobj is not None:
                event.outcome = f"{prep.text} {_phrase(pobj, sentence).text}"
    if event.type.kind in ("agreement", "intent_to_cooperate", "signing"):
        comp = next((c for c in token.children if c.dep_ in ("xcomp", "ccomp", "prep")
                     and c.lower_ != "in"), None)
        if comp is not None:
            event.object_text = sentence.span.doc.text[
                comp.left_edge.idx:comp.right_edge.idx + len(comp.right_edge)]
    event.sources = [p for p in event.sources if p.text]
    event.targets = [p for p in event.targets if p.text and p not in event.sources]
    event.confidence = 0.75 if any(p.mention for p in event.sources) else 0.5


def _fill_noun(event: Event, resolver: Resolver) -> None:
    """'received a personal invitation', 'invitations were sent to …', 'an air strike on …'."""
    token, sentence = event.trigger, event.sentence
    verb = token.head
    if any(c.lower_ == "personal" for c in token.children):
        event.capacity = "personal"
    if _light_object(token) and _received_from(verb):
        _fill_light(event, resolver)
    elif token.dep_ == "dobj" and verb.lemma_ in ("receive", "get", "accept", "decline", "reject"):
        subject = _subject(verb)
        if subject is not None:
            event.targets = resolver.participants(subject, sentence)
    elif _light_object(token) and event.type.kind != "invitation":
        _fill_light(event, resolver)
    elif token.dep_ in ("nsubjpass", "dobj") and verb.pos_ in ("VERB", "AUX"):
        event.targets = [p for t in _preposition_objects(verb, ("to",))
                         for p in _split_modifiers(t, resolver, sentence)]
        agent = _agent(verb) if token.dep_ == "nsubjpass" else _subject(verb)
        if agent is not None:
            event.sources = resolver.participants(agent, sentence)
        event.negated = event.negated or any(c.dep_ == "neg" for c in verb.children)
        event.mode, event.reporter = _reporting(verb, resolver, sentence)
    else:
        event.targets = [p for t in _preposition_objects(token, ("on", "against", "to", "in"))
                         for p in resolver.participants(t, sentence) if _is_actor(p)]
        if token.dep_ in ("nsubj", "nsubjpass") and verb.pos_ == "VERB":
            # "an air strike hit X": the verb says what the event struck
            event.targets += [p for c in verb.children if c.dep_ == "dobj"
                              for p in resolver.participants(c, sentence) if _is_actor(p)]
    event.confidence = 0.7 if event.targets else 0.5


def _fill_light(event: Event, resolver: Resolver) -> None:
    """"launched missiles at X", "imposed sanctions on X", "expressed sorrow for X": the verb's
    subject is the source; "X received weapons from Y": Y is."""
    token, sentence = event.trigger, event.sentence
    verb = token.head
    agent = _agent(verb)
    subject = agent if agent is not None else _subject(verb)
    if _received_from(verb):
        event.sources = [p for t in _preposition_objects(verb, ("from",))
                         for p in resolver.participants(t, sentence)]
        event.targets = resolver.participants(subject, sentence) if subject is not None \
            else []
        event.mode, event.reporter = _reporting(verb, resolver, sentence)
        event.confidence = 0.6
        return
    if subject is not None and subject.dep_ != "nsubjpass":
        event.sources = resolver.participants(subject, sentence)
    event.targets = [p for head in (token, verb)
                     for t in _preposition_objects(head, _TARGET_PREPOSITIONS + ("for", "to"))
                     for p in resolver.participants(t, sentence) if _is_actor(p)]
    event.negated = event.negated or _negated(verb)
    event.mode, event.reporter = _reporting(verb, resolver, sentence)


def _split_modifiers(head: Token, resolver: Resolver, sentence: Sentence) -> list[Participant]:
    """'the current and past heads of X' → 'the current heads of X', 'the past heads of X'."""
    if resolver.mention(head) is not None or head.pos_ == "PROPN":
        return resolver.participants(head, sentence)
    modifiers = [c for c in head.children if c.dep_ == "amod" and c.conjuncts]
    if not modifiers:
        return [_phrase(head, sentence)]
    whole = _phrase(head, sentence)
    first = modifiers[0]
    span_start = first.idx
    span_end = first.conjuncts[-1].idx + len(first.conjuncts[-1])
    out = []
    for word in (first, *first.conjuncts):
        text = (sentence.span.doc.text[whole.start - sentence.start + sentence.span.start_char:
                                       span_start] + word.text +
                sentence.span.doc.text[span_end:whole.end - sentence.start +
                                       sentence.span.start_char])
        out.append(Participant(text, whole.start, whole.end))
    return out
