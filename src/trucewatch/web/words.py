"""The domain's words as the pages show them, translated: statuses, findings, roles, kinds.

Stored values (``under_review``, ``not_violation``) stay English in the database and the API;
``{{ value | word }}`` shows them in the reader's language, and anything unknown as it is.
"""

from __future__ import annotations

from trucewatch.reports.taxonomy import TAXONOMY
from trucewatch.web.i18n import N_, gettext

WORDS: dict[str, str] = {
    # incident statuses, round statuses and decisions
    "open": N_("open"), "under_review": N_("under review"), "confirmed": N_("confirmed"),
    "not_confirmed": N_("not confirmed"), "disputed": N_("disputed"), "closed": N_("closed"),
    "decided": N_("decided"),
    # findings and confidence
    "violation": N_("violation"), "not_violation": N_("not a violation"),
    "cannot_determine": N_("cannot determine"), "fair": N_("fair"), "weak": N_("weak"),
    "contested": N_("contested"),
    # reports
    "party": N_("party"), "monitor": N_("monitor"), "media": N_("media"), "public": N_("public"),
    "exact": N_("exact"), "day": N_("day"), "week": N_("week"), "month": N_("month"),
    "near": N_("near"), "district": N_("district"), "region": N_("region"),
    "killed": N_("killed"), "injured": N_("injured"), "civilian": N_("civilian"),
    "combatant": N_("combatant"), "unknown": N_("unknown"),
    # roles
    "reporter": N_("reporter"), "guarantor_officer": N_("guarantor officer"),
    "coordinator": N_("coordinator"), "administrator": N_("administrator"),
    "observer": N_("observer"),
    # talks
    "direct": N_("direct"), "proximity": N_("proximity"), "briefing": N_("briefing"),
    "organisation": N_("organisation"), "personal": N_("personal"),
    "representative": N_("representative"), "class": N_("class"), "pending": N_("pending"),
    "accepted": N_("accepted"), "declined": N_("declined"), "no_answer": N_("no answer"),
    "withdrawn": N_("withdrawn"), "final_statement": N_("final statement"),
    "agreement": N_("agreement"), "communique": N_("communiqué"), "other": N_("other"),
    # how an actor was invited (talks.derived)
    "as a body": N_("as a body"), "in a personal capacity": N_("in a personal capacity"),
    "as a representative": N_("as a representative"),
    "through a representative": N_("through a representative"),
    "a member, personally": N_("a member, personally"),
    "as one of a class": N_("as one of a class"),
}
CATEGORIES: dict[str, str] = {
    "shelling": N_("Shelling or artillery fire"), "air_strike": N_("Air strike"),
    "drone_strike": N_("Drone strike"), "ground_assault": N_("Ground assault"),
    "armed_clash": N_("Armed clash"), "sniper_fire": N_("Sniper fire"),
    "explosive_device": N_("Explosive device"), "attack_on_civilians": N_("Attack on civilians"),
    "abduction_detention": N_("Abduction or detention"),
    "denial_humanitarian_access": N_("Denial of humanitarian access"),
    "denial_monitor_access": N_("Denial of access to monitors"),
    "troop_buildup": N_("Troop build-up"), "property_destruction": N_("Destruction of property"),
    "other": N_("Other violation"),
}
_LABELS = {c.label: CATEGORIES.get(c.code, c.label) for c in TAXONOMY}


def word(value: object) -> str:
    """A stored value in the reader's language (unknown ones as they are, without '_')."""
    text = str(value.value if hasattr(value, "value") else value)
    known = WORDS.get(text)
    return gettext(known) if known else text.replace("_", " ")


def map_words() -> dict[str, object]:
    """What the map's script says (popups, cluster titles), in the reader's language."""
    statuses = ("open", "under_review", "confirmed", "not_confirmed", "disputed", "closed")
    return {"statuses": {s: word(s) for s in statuses},
            "incidents": gettext("Incidents: %(count)s") % {"count": "{count}"}}


def category(value: object) -> str:
    """A taxonomy category, by its code or its English label, in the reader's language."""
    text = str(value)
    known = CATEGORIES.get(text) or _LABELS.get(text)
    return gettext(known) if known else text.replace("_", " ")
