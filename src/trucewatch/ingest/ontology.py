"""The event types ingestion proposes, each with its CAMEO code and PLOVER equivalent, and the
words that trigger them. Violence types are the report taxonomy's categories."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventType:
    kind: str
    cameo: str
    label: str
    plover: str | None  # PLOVER has no event for a plain statement
    category: str | None = None  # the report taxonomy category, for violence

    def as_json(self) -> dict[str, object]:
        return {"kind": self.kind, "cameo": self.cameo, "cameo_root": self.cameo[:2],
                "label": self.label, "plover": self.plover, "category": self.category}


def _t(kind: str, cameo: str, label: str, plover: str | None,
       category: str | None = None) -> EventType:
    return EventType(kind, cameo, label, plover, category)


TYPES: dict[str, EventType] = {t.kind: t for t in (
    _t("statement", "010", "Make statement", None),
    _t("comment", "012", "Make pessimistic comment", None),
    _t("optimistic_comment", "013", "Make optimistic comment", None),
    _t("empathetic_comment", "018", "Make empathetic comment", None),
    _t("appeal", "020", "Make an appeal or request", "REQUEST"),
    _t("intent_to_cooperate", "030", "Express intent to cooperate", "AGREE"),
    _t("intent_to_meet", "036", "Express intent to meet or negotiate", "AGREE"),
    _t("invitation", "036", "Express intent to meet or negotiate (an invitation to talks)",
       "AGREE"),
    _t("consult", "040", "Consult", "CONSULT"),
    _t("visit", "042", "Make a visit", "CONSULT"),
    _t("host", "043", "Host a visit", "CONSULT"),
    _t("meet", "044", "Meet at a third location", "CONSULT"),
    _t("mediate", "045", "Mediate", "CONSULT"),
    _t("talks_held", "046", "Engage in negotiation", "CONSULT"),
    _t("talks_ended", "046", "Engage in negotiation (ended; the outcome says how)", "CONSULT"),
    _t("praise", "051", "Praise or endorse", "SUPPORT"),
    _t("defend", "052", "Defend verbally", "SUPPORT"),
    _t("recognise", "054", "Grant diplomatic recognition", "SUPPORT"),
    _t("apologise", "055", "Apologize", "CONCEDE"),
    _t("diplomatic_cooperation", "050", "Engage in diplomatic cooperation", "SUPPORT"),
    _t("agreement", "030", "Express intent to cooperate (agree to act together)", "AGREE"),
    _t("signing", "057", "Sign formal agreement", "AGREE"),
    _t("material_cooperation", "060", "Engage in material cooperation", "COOPERATE"),
    _t("military_cooperation", "062", "Cooperate militarily", "COOPERATE"),
    _t("aid", "070", "Provide aid", "AID"),
    _t("economic_aid", "071", "Provide economic aid", "AID"),
    _t("military_aid", "072", "Provide military aid", "AID"),
    _t("asylum", "075", "Grant asylum", "AID"),
    _t("humanitarian_aid", "073", "Provide humanitarian aid", "AID"),
    _t("yield", "080", "Yield", "CONCEDE"),
    _t("release", "0841", "Return, release person(s)", "CONCEDE"),
    _t("ease_sanctions", "085", "Ease economic sanctions, boycott, embargo", "CONCEDE"),
    _t("ceasefire", "0871", "Declare truce, ceasefire", "RETREAT"),
    _t("withdraw", "0874", "Retreat or surrender militarily", "RETREAT"),
    _t("investigate", "090", "Investigate", "INVESTIGATE"),
    _t("demand", "100", "Demand", "REQUEST"),
    _t("disapprove", "110", "Disapprove", "ACCUSE"),
    _t("criticise", "111", "Criticize or denounce", "ACCUSE"),
    _t("accuse", "112", "Accuse", "ACCUSE"),
    _t("sue", "115", "Bring lawsuit against", "ACCUSE"),
    _t("reject", "120", "Reject", "REJECT"),
    _t("decline_meeting", "125", "Reject proposal to meet, discuss, or negotiate", "REJECT"),
    _t("threaten", "130", "Threaten", "THREATEN"),
    _t("protest", "140", "Engage in political dissent", "PROTEST"),
    _t("demonstrate", "141", "Demonstrate or rally", "PROTEST"),
    _t("riot", "145", "Protest violently, riot", "PROTEST"),
    _t("mobilise", "150", "Exhibit force posture", "MOBILIZE"),
    _t("reduce_relations", "160", "Reduce relations", "REDUCE"),
    _t("break_relations", "161", "Reduce or break diplomatic relations", "REDUCE"),
    _t("sanction", "163", "Impose embargo, boycott, or sanctions", "SANCTION"),
    _t("coerce", "170", "Coerce", "COERCE"),
    _t("seize_property", "171", "Seize or damage property", "COERCE"),
    _t("arrest", "173", "Arrest, detain, or charge with legal action", "COERCE",
       "abduction_detention"),
    _t("expel", "174", "Expel or deport individuals", "COERCE"),
    _t("assault", "180", "Use unconventional violence", "ASSAULT", "attack_on_civilians"),
    _t("abduction", "181", "Abduct, hijack, or take hostage", "ASSAULT", "abduction_detention"),
    _t("bombing", "183", "Conduct suicide, car, or other non-military bombing", "ASSAULT",
       "explosive_device"),
    _t("killing", "1823", "Kill by physical assault", "ASSAULT", "attack_on_civilians"),
    _t("assassinate", "186", "Assassinate", "ASSAULT", "attack_on_civilians"),
    _t("fight", "190", "Use conventional military force", "FIGHT", "armed_clash"),
    _t("blockade", "191", "Impose blockade, restrict movement", "COERCE",
       "denial_humanitarian_access"),
    _t("occupy", "192", "Occupy territory", "FIGHT", "ground_assault"),
    _t("ground_assault", "193", "Fight with small arms and light weapons", "FIGHT",
       "ground_assault"),
    _t("shelling", "194", "Fight with artillery and tanks", "FIGHT", "shelling"),
    _t("air_strike", "195", "Employ aerial weapons", "FIGHT", "air_strike"),
    _t("drone_strike", "195", "Employ aerial weapons (drone)", "FIGHT", "drone_strike"),
    _t("violate_ceasefire", "196", "Violate ceasefire", "FIGHT", "armed_clash"),
    _t("mass_violence", "200", "Use unconventional mass violence", "ASSAULT",
       "attack_on_civilians"),
)}

# Verb lemmas → event kind. Context refines some (decline + talks → decline_meeting).
VERBS: dict[str, str] = {
    "say": "statement", "state": "statement", "announce": "statement", "declare": "statement",
    "tell": "statement", "add": "statement", "note": "statement", "claim": "statement",
    "deny": "reject", "urge": "appeal", "appeal": "appeal", "ask": "appeal", "request": "appeal",
    "call": "appeal", "plead": "appeal", "invite": "invitation", "offer": "intent_to_cooperate",
    "promise": "intent_to_cooperate", "pledge": "intent_to_cooperate", "vow": "intent_to_cooperate",
    "agree": "agreement", "sign": "signing", "ratify": "signing", "consult": "consult",
    "meet": "meet", "visit": "visit", "host": "host", "receive": "host", "mediate": "mediate",
    "broker": "mediate", "negotiate": "talks_held", "discuss": "consult", "praise": "praise",
    "welcome": "praise", "commend": "praise", "hail": "praise", "endorse": "praise",
    "support": "diplomatic_cooperation", "cooperate": "material_cooperation",
    "help": "aid", "aid": "aid", "deliver": "humanitarian_aid", "release": "release",
    "free": "release", "withdraw": "withdraw", "retreat": "withdraw", "investigate": "investigate",
    "probe": "investigate", "demand": "demand", "criticize": "disapprove",
    "criticise": "disapprove", "condemn": "disapprove", "denounce": "disapprove",
    "blame": "accuse", "accuse": "accuse", "allege": "accuse", "reject": "reject",
    "refuse": "reject", "decline": "reject", "rebuff": "reject", "boycott": "decline_meeting",
    "threaten": "threaten", "warn": "threaten", "protest": "protest", "demonstrate": "protest",
    "deploy": "mobilise", "mobilize": "mobilise", "mobilise": "mobilise",
    "sever": "reduce_relations", "expel": "reduce_relations", "sanction": "sanction",
    "arrest": "arrest", "detain": "arrest", "imprison": "arrest", "kidnap": "abduction",
    "abduct": "abduction", "kill": "killing", "murder": "killing", "execute": "killing",
    "massacre": "mass_violence", "attack": "fight", "fight": "fight", "clash": "fight",
    "battle": "fight", "besiege": "blockade", "block": "blockade", "blockade": "blockade",
    "seize": "occupy", "capture": "occupy", "occupy": "occupy", "storm": "ground_assault",
    "shoot": "ground_assault", "shell": "shelling", "bombard": "shelling",
    "bomb": "air_strike", "strike": "air_strike", "raid": "air_strike", "violate": "violate_ceasefire",
    "breach": "violate_ceasefire", "end": "talks_ended", "conclude": "talks_ended",
    "collapse": "talks_ended", "hold": "talks_held", "attend": "talks_held",
    "establish": "intent_to_cooperate",
    # More of the CAMEO codebook's verbs, by root (Schrodt 2012, ch. 2).
    "comment": "statement", "remark": "statement", "lament": "comment", "regret": "comment",
    "hope": "optimistic_comment", "sympathize": "empathetic_comment",
    "sympathise": "empathetic_comment", "mourn": "empathetic_comment",
    "condole": "empathetic_comment", "implore": "appeal", "beseech": "appeal",
    "petition": "appeal", "seek": "appeal", "encourage": "appeal",
    "assure": "intent_to_cooperate", "guarantee": "intent_to_cooperate",
    "commit": "intent_to_cooperate", "undertake": "intent_to_cooperate",
    "confer": "consult", "talk": "consult", "telephone": "consult", "phone": "consult",
    "travel": "visit", "tour": "visit", "arrive": "visit",
    "greet": "host", "intercede": "mediate", "bargain": "talks_held",
    "thank": "praise", "applaud": "praise", "congratulate": "praise", "back": "praise",
    "defend": "defend", "recognize": "recognise", "recognise": "recognise",
    "apologize": "apologise", "apologise": "apologise", "collaborate": "material_cooperation",
    "assist": "aid", "fund": "economic_aid", "finance": "economic_aid",
    "lend": "economic_aid", "donate": "aid", "arm": "military_aid", "supply": "aid",
    "train": "military_cooperation", "shelter": "asylum", "concede": "yield",
    "surrender": "withdraw", "pull": "withdraw", "disarm": "yield",
    "lift": "ease_sanctions", "ease": "ease_sanctions", "examine": "investigate",
    "inspect": "investigate", "scrutinize": "investigate", "insist": "demand",
    "disapprove": "disapprove", "deplore": "disapprove", "object": "disapprove",
    "complain": "disapprove", "slam": "criticise", "blast": "criticise",
    "castigate": "criticise", "censure": "criticise", "rebuke": "criticise",
    "charge": "accuse", "sue": "sue", "dismiss": "reject", "oppose": "reject",
    "veto": "reject", "resist": "reject", "menace": "threaten", "march": "demonstrate",
    "rally": "demonstrate", "picket": "demonstrate", "riot": "riot",
    "mass": "mobilise", "reinforce": "mobilise", "suspend": "reduce_relations",
    "cut": "reduce_relations", "recall": "break_relations", "embargo": "sanction",
    "confiscate": "seize_property", "demolish": "seize_property", "destroy": "seize_property",
    "raze": "seize_property", "jail": "arrest", "convict": "arrest", "sentence": "arrest",
    "indict": "arrest", "deport": "expel", "banish": "expel", "exile": "expel",
    "torture": "assault", "beat": "assault", "assault": "assault", "hijack": "abduction",
    "assassinate": "assassinate", "slay": "killing", "wound": "assault",
    "injure": "assault", "invade": "occupy", "ambush": "ground_assault",
    "fire": "ground_assault", "engage": "fight", "combat": "fight",
    "blow": "bombing", "detonate": "bombing", "airstrike": "air_strike",
}

# Verbs whose object names the event ("launched an attack", "imposed sanctions on", "expressed
# sorrow for"): the object is typed (LIGHT_NOUNS), the verb gives the source. A verb that is
# an event of its own (VERBS) keeps its type.
LIGHT_VERBS = frozenset({
    "launch", "carry", "conduct", "stage", "mount", "make", "issue", "impose", "express",
    "offer", "provide", "give", "pay", "level", "file", "present", "order", "extend", "grant",
    "voice", "lodge", "deliver", "send", "announce", "open", "begin", "start", "hold",
    "sign", "reach", "step", "intensify", "lift", "ease", "supply", "fire", "drop",
})
WEAPONS = frozenset({"arms", "weapon", "weapons", "missile", "missiles", "rocket", "rockets",
                     "ammunition", "shell", "shells", "mortar", "mortars", "bomb", "bombs"})
LIGHT_NOUNS: dict[str, str] = {
    "attack": "fight", "attacks": "fight", "offensive": "fight", "assault": "fight",
    "strike": "air_strike", "strikes": "air_strike", "raid": "air_strike",
    "raids": "air_strike", "airstrike": "air_strike", "airstrikes": "air_strike",
    "missile": "shelling", "missiles": "shelling", "rocket": "shelling", "rockets": "shelling",
    "shell": "shelling", "shells": "shelling", "mortar": "shelling", "mortars": "shelling",
    "bomb": "air_strike", "bombs": "air_strike", "protest": "protest",
    "protests": "protest", "demonstration": "demonstrate", "demonstrations": "demonstrate",
    "rally": "demonstrate", "visit": "visit", "appeal": "appeal", "call": "appeal",
    "plea": "appeal", "request": "appeal", "warning": "threaten", "threat": "threaten",
    "threats": "threaten", "ultimatum": "threaten", "sanctions": "sanction",
    "sanction": "sanction", "embargo": "sanction", "aid": "aid", "assistance": "aid",
    "support": "diplomatic_cooperation", "accusation": "accuse", "accusations": "accuse",
    "allegation": "accuse", "allegations": "accuse", "charges": "accuse",
    "criticism": "criticise", "condemnation": "disapprove", "complaint": "disapprove",
    "investigation": "investigate", "probe": "investigate", "inquiry": "investigate",
    "warrant": "arrest", "warrants": "arrest", "appreciation": "praise", "gratitude": "praise",
    "thanks": "praise", "praise": "praise", "sympathy": "empathetic_comment",
    "condolences": "empathetic_comment", "sorrow": "empathetic_comment",
    "regret": "comment", "concern": "comment", "apology": "apologise", "demand": "demand",
    "demands": "demand", "permission": "yield", "asylum": "asylum", "arms": "military_aid",
    "weapons": "military_aid", "loan": "economic_aid", "loans": "economic_aid",
    "agreement": "agreement", "deal": "agreement", "treaty": "signing", "accord": "agreement",
    "ceasefire": "ceasefire", "truce": "ceasefire", "talks": "talks_held",
    "negotiations": "talks_held", "exercises": "mobilise", "drills": "mobilise",
    "crackdown": "coerce", "blockade": "blockade", "siege": "blockade",
}

# Nouns that name an event of their own ("an air strike on", "shelling of").
NOUNS: dict[str, str] = {
    "invitation": "invitation", "shelling": "shelling", "bombardment": "shelling",
    "artillery": "shelling", "airstrike": "air_strike", "air strike": "air_strike",
    "air raid": "air_strike", "bombing": "air_strike", "drone strike": "drone_strike",
    "clash": "fight", "clashes": "fight", "fighting": "fight", "sniper": "ground_assault",
    "car bomb": "bombing", "explosion": "bombing", "ied": "bombing", "siege": "blockade",
    "violation": "violate_ceasefire", "violations": "violate_ceasefire", "ceasefire": "ceasefire",
    "truce": "ceasefire", "talks": "talks_held", "negotiations": "talks_held",
}

SPEECH_VERBS = frozenset({"say", "add", "tell", "announce", "state", "claim", "report", "confirm",
                          "deny", "insist", "stress", "note", "explain", "declare", "quote",
                          "write", "tweet", "warn", "argue", "acknowledge"})
MEETING_WORDS = frozenset({"talks", "talk", "meeting", "meet", "negotiations", "negotiation",
                           "conference", "invitation", "summit", "dialogue", "round"})

# Words of a title before or after a name ("HNC coordinator", "Russian Foreign Minister").
ROLE_HEADS = frozenset({
    "minister", "coordinator", "spokesman", "spokeswoman", "spokesperson", "head", "chief",
    "leader", "president", "chairman", "chairwoman", "chair", "commander", "envoy", "ambassador",
    "deputy", "director", "pm", "fm", "secretary", "secretary-general", "negotiator", "official",
    "representative", "member", "founder", "general", "colonel", "governor", "mayor", "premier",
    "emir", "king", "prince", "sheikh", "mufti", "cleric", "adviser", "advisor", "aide",
    "delegate", "mediator", "coordinator-general"})
ROLE_MODIFIERS = frozenset({
    "foreign", "defence", "defense", "prime", "deputy", "general", "special", "chief", "senior",
    "top", "former", "interior", "vice", "military", "political", "un", "lead",
    "acting", "first", "information", "media", "opposition", "rebel", "army", "regional",
    "executive", "assistant", "affairs"})
