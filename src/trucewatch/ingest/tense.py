"""Which way a date mention points: from the tense of the verb that governs it, and from the
words around it when there is no parse (the rule-only pipeline)."""

from __future__ import annotations

from spacy.tokens import Span, Token

from trucewatch.ingest.dates import Direction

# Verbs whose object or complement lies ahead of the moment they report (invited *for* talks
# *on Friday*; talks *scheduled* for Monday).
FORWARD_VERBS = frozenset({"invite", "schedule", "plan", "expect", "set", "postpone", "delay",
                           "attend", "come", "hold", "host", "convene", "resume", "meet",
                           "travel", "visit", "begin", "start", "open", "brief", "announce",
                           "call"})
_FUTURE_WORDS = frozenset({"will", "shall", "'ll", "wo", "going", "next", "upcoming", "coming",
                           "tomorrow", "planned", "scheduled", "due", "expected"})


def direction_of(sentence: Span, start: int, end: int) -> tuple[Direction, str]:
    """The direction of the date at character offsets [start, end) of the sentence's doc."""
    tokens = [t for t in sentence if t.idx >= start and t.idx + len(t) <= end]
    if not tokens:
        return "past", "default for news: the past"
    if sentence.doc.has_annotation("DEP"):
        return _from_parse(tokens[0])
    return _from_words(sentence, tokens[0])


def _from_parse(token: Token) -> tuple[Direction, str]:
    seen_noun = False
    for head in _heads(token):
        if head.pos_ in ("VERB", "AUX"):
            auxes = {c.lower_ for c in head.children if c.dep_ in ("aux", "auxpass")}
            if auxes & {"will", "shall", "'ll", "wo"}:
                return "future", f"governed by '{head.text}' in the future tense"
            if "to" in auxes or head.tag_ in ("VB", "VBG") and head.dep_ == "xcomp":
                return "future", f"governed by the infinitive 'to {head.text}'"
            if head.tag_ == "VBN" and head.dep_ == "acl" and head.lemma_ in FORWARD_VERBS:
                return "future", f"'{head.text}' points ahead"
            if head.tag_ in ("VBD", "VBN"):
                if seen_noun and head.lemma_ in FORWARD_VERBS:
                    return "future", f"the {head.lemma_} concerns what is to come"
                return "past", f"governed by '{head.text}' in the past tense"
            if head.tag_ in ("VBZ", "VBP"):
                return "future", f"governed by '{head.text}' in the present (what is planned)"
        elif head.pos_ in ("NOUN", "PROPN"):
            seen_noun = True
            if any(c.lower_ in _FUTURE_WORDS for c in head.children):
                return "future", f"'{head.text}' is said to be upcoming"
    return "past", "no verb governs it: the past, as news reports"


def _heads(token: Token) -> list[Token]:
    chain: list[Token] = []
    current = token
    while current.head is not current and len(chain) < 12:
        current = current.head
        chain.append(current)
    return chain


def _from_words(sentence: Span, token: Token) -> tuple[Direction, str]:
    before = [t.lower_ for t in sentence if t.i < token.i][-8:]
    if any(w in _FUTURE_WORDS for w in before):
        return "future", "a word of the future before it"
    if "to" in before[-5:] and any(w in FORWARD_VERBS for w in before[-4:]):
        return "future", "an infinitive before it (to attend, to come …)"
    if any(w in ("for", "attend") for w in before[-3:]):
        return "future", "something planned for that day"
    return "past", "default for news: the past"
