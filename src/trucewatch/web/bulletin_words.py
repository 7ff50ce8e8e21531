"""The words a bulletin's pictures say (drawn in Python, so marked here for the catalogues)."""

from __future__ import annotations

from trucewatch.web.i18n import N_, gettext

CHART_WORDS: dict[str, str] = {
    "outside the zones": N_("outside the zones"),
    "not attributed": N_("not attributed"),
    "others": N_("others"),
    "daily": N_("daily total"),
    "by_zone": N_("Incidents a day by zone: 7-day average (lines), all zones (bars)"),
    "by_party": N_("Confirmed violations a day by responsible party: 7-day average (lines), "
                   "all parties (bars)"),
}


def chart_word(key: str) -> str:
    return gettext(CHART_WORDS[key])
