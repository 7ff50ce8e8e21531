"""The talks of the demo: the Astana round (23–24 January 2017) and Lavrov's Moscow meeting
(27 January 2017), with the invitations and replies the seed article reports.

Each record quotes, word for word, the sentence of the seed article it comes from
(``tests/talks/test_demo_talks.py`` checks that every quote is in the article); what the
article does not say is marked as public record.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from trucewatch.auth.service import get_user, principal_for
from trucewatch.talks import service as talks

SEED = "AFP wire, 26 January 2017: \"Key opposition leaders decline talks with Russian PM\""
PUBLIC_RECORD = "public record"
TRUCE = "syria-2016-12-30"

LAVROV_INVITED = ("On Wednesday Lavrov told Russian lawmakers that he had invited \"all the "
                  "opposition representatives from the political opposition that wish to come "
                  "to Moscow\" for talks on Friday.")
BRIEF = "He said \"we will brief them about what happened in Astana\"."
HIJAB = ("High Negotiations Committee spokesman Riyad Naasan said that HNC coordinator Riyad "
         "Hijab had \"received a personal invitation\" to attend Friday's talks \"but "
         "declined\".")
COALITION_DECLINED = ("The Turkey-based opposition National Coalition also declined to meet "
                      "with Lavrov, said spokesman Ahmad Ramadan.")
COALITION_INVITED = ("He said invitations were sent to the current and past heads of the "
                     "National Coalition and to the deputy of the sitting chief.")
HNC_IN_ASTANA = ("The HNC is the main Syrian opposition umbrella group and has taken part in "
                 "peace talks brokered by Syria regime allies Russia and Iran and rebel backer "
                 "Turkey in the Kazakh capital, Astana, this week.")
NO_BREAKTHROUGH = ("The peace talks in the Kazakh capital ended on Tuesday without a major "
                   "breakthrough.")
MECHANISM = ("Russia, Iran and Turkey agreed in Astana to establish a joint \"mechanism\" to "
             "shore up a shaky three-week truce in Syria, but offered few concrete details on "
             "how it would work.")
ONLY_NON_JIHADISTS = ("Syria's opposition comprises a wide range of factions, including "
                      "moderate rebels and Islamist armed groups, and only non-jihadists "
                      "attended the Astana talks.")

ASTANA: dict[str, Any] = {
    "slug": "astana-2017-01", "title": "Astana talks on Syria (first round)",
    "format": "proximity", "starts_on": "2017-01-23", "ends_on": "2017-01-24",
    "venue": "Astana, Kazakhstan", "convenors": ["russia", "iran", "turkey"], "truce": TRUCE,
    "agenda": "Consolidating the ceasefire of 30 December 2016.",
    "outcome": "Ended without a major breakthrough; the guarantors agreed to set up a "
               "trilateral mechanism.",
    "source": SEED, "quote": NO_BREAKTHROUGH,
}
MOSCOW: dict[str, Any] = {
    "slug": "moscow-2017-01-27", "title": "Lavrov's meeting with the Syrian political opposition",
    "format": "briefing", "starts_on": "2017-01-27", "venue": "Moscow",
    "convenors": ["russian-foreign-ministry", "sergei-lavrov"], "truce": TRUCE,
    "agenda": "A briefing on what happened in Astana.", "source": SEED, "quote": BRIEF,
}
# Astana: who came (the article's sentence for the HNC; the delegations from public record).
ASTANA_ATTENDANCE: tuple[dict[str, Any], ...] = (
    {"attendee": "syrian-government", "role": "delegation", "source": PUBLIC_RECORD},
    {"attendee": "armed-opposition", "role": "delegation", "source": SEED,
     "quote": ONLY_NON_JIHADISTS},
    {"attendee": "hnc", "role": "took part", "source": SEED, "quote": HNC_IN_ASTANA},
    {"attendee": "staffan-de-mistura", "represents": "united-nations",
     "role": "UN special envoy", "source": PUBLIC_RECORD},
)
MECHANISM_DOCUMENT: dict[str, Any] = {
    "kind": "agreement", "title": "Trilateral mechanism to observe and ensure full compliance "
    "with the ceasefire", "adopted_on": "2017-01-24", "source": SEED, "quote": MECHANISM,
    "summary": "Russia, Iran and Turkey will set up a joint mechanism; few details given.",
}
# Moscow: (invitation, reply or None).
DECLINED_BY_COALITION = {"status": "declined", "replied_on": "2017-01-26",
                         "replied_by": "national-coalition", "reported_by": "ahmad-ramadan",
                         "source": SEED, "quote": COALITION_DECLINED}
MOSCOW_INVITATIONS: tuple[tuple[dict[str, Any], dict[str, Any] | None], ...] = (
    ({"capacity": "class", "class_organisation_type": "political_body",
      "class_description": "all the opposition representatives from the political "
                           "opposition that wish to come to Moscow",
      "sent_by": "sergei-lavrov", "sent_on": "2017-01-25", "source": SEED,
      "quote": LAVROV_INVITED,
      "note": "Announced to Russian lawmakers; the foreign ministry did not say which groups "
              "were invited."}, None),
    ({"capacity": "personal", "invitee": "riyad-hijab", "source": SEED, "quote": HIJAB,
      "note": "The date it was sent is not reported. The HNC added that \"no invitation has "
              "yet been sent to the High Negotiations Committee\"."},
     {"status": "declined", "replied_on": "2017-01-26", "replied_by": "riyad-hijab",
      "reported_by": "riyad-naasan-agha", "source": SEED, "quote": HIJAB}),
    ({"capacity": "personal", "invitee": "anas-al-abdah", "source": SEED,
      "quote": COALITION_INVITED,
      "note": "The article names no one: Anas al-Abdah was the Coalition's head on that date "
              "(public record). The date it was sent is not reported."}, DECLINED_BY_COALITION),
    ({"capacity": "class", "class_member_of": "national-coalition",
      "class_description": "past heads of the National Coalition", "source": SEED,
      "quote": COALITION_INVITED,
      "note": "The article does not name the past heads who were invited."},
     DECLINED_BY_COALITION),
    ({"capacity": "personal", "invitee": "national-coalition-deputy-head", "source": SEED,
      "quote": COALITION_INVITED}, DECLINED_BY_COALITION),
)


def load_talks(session: Session) -> int:
    """Record both meetings as the demo's coordinator and publish them; returns how many."""
    coordinator = principal_for(get_user(session, "un-coordinator"))
    talks.create_meeting(session, principal=coordinator, data=ASTANA)
    for attendance in ASTANA_ATTENDANCE:
        talks.record_attendance(session, principal=coordinator, meeting=ASTANA["slug"],
                                data=attendance)
    talks.add_document(session, principal=coordinator, slug=ASTANA["slug"],
                       data=MECHANISM_DOCUMENT)
    talks.create_meeting(session, principal=coordinator, data=MOSCOW)
    for invitation, answer in MOSCOW_INVITATIONS:
        sent = talks.invite(session, principal=coordinator, meeting=MOSCOW["slug"],
                            data=invitation)
        if answer is not None:
            talks.reply(session, principal=coordinator, invitation_id=sent.id, data=answer)
    for meeting in (ASTANA, MOSCOW):
        talks.publish_meeting(session, principal=coordinator, slug=meeting["slug"])
    return 2
