"""The seed article's facts, read back from the demo through the domain functions, on both stores."""

from __future__ import annotations

from typing import Any

from trucewatch.auth.principal import PUBLIC
from trucewatch.storage import Store
from trucewatch.talks import service as talks


def _row(matrix: dict[str, Any], organisation: str) -> dict[str, Any]:
    return next(r for r in matrix["organisations"] if r["organisation"] == organisation)


def test_moscow_participation_matrix(demo_store: Store) -> None:
    with demo_store.session() as session:
        matrix = talks.participation_matrix(session, principal=PUBLIC,
                                            meeting="moscow-2017-01-27")
    hnc = _row(matrix, "hnc")
    # No invitation to the HNC as a body; its coordinator invited personally, and declined.
    assert hnc["invited_as_body"] == [] and hnc["members_invited_while_organisation_not"]
    [hijab] = hnc["members_invited_personally"]
    assert (hijab["person"], hijab["role"], hijab["status"]) == (
        "riyad-hijab", "coordinator", "declined")
    assert not hnc["attended"]

    coalition = _row(matrix, "national-coalition")
    assert coalition["invited_as_body"] == [] and coalition["members_invited_while_organisation_not"]
    invited = {m["person"]: m["role"] for m in coalition["members_invited_personally"]}
    assert invited == {"anas-al-abdah": "head",
                       "national-coalition-deputy-head": "deputy of the sitting chief"}
    assert [c["to"] for c in coalition["covered_by_class"]] == [
        "all the opposition representatives from the political opposition that wish to come "
        "to Moscow", "past heads of the National Coalition"]
    # The Coalition declined: every invitation to its heads and deputy, said its spokesman.
    assert coalition["replied"] == "declined"
    assert {r["reported_by"] for r in coalition["replies"]} == {"ahmad-ramadan"}
    assert all(m["status"] == "declined" for m in coalition["members_invited_personally"])
    assert [m["former"] for m in coalition["members_invited_personally"]] == [False, False]


def test_moscow_meeting_and_the_open_invitation(demo_store: Store) -> None:
    with demo_store.session() as session:
        meeting = talks.get_meeting(session, "moscow-2017-01-27", principal=PUBLIC)
        view = talks.meeting_view(session, meeting)
    assert (view["starts_on"], view["format"], view["venue"]) == ("2017-01-27", "briefing",
                                                                  "Moscow")
    assert [c["slug"] for c in view["convenors"]] == ["russian-foreign-ministry", "sergei-lavrov"]
    [open_call] = [i for i in view["invitations"] if i["capacity"] == "class"
                   and i["class_organisation_type"] == "political_body"]
    assert (open_call["sent_by"], open_call["sent_on"], open_call["status"]) == (
        "sergei-lavrov", "2017-01-25", "pending")
    hijab = next(i for i in view["invitations"] if i["invitee"] == "riyad-hijab")
    assert hijab["capacity"] == "personal"
    [answer] = hijab["replies"]
    assert (answer["status"], answer["replied_by"], answer["reported_by"]) == (
        "declined", "riyad-hijab", "riyad-naasan-agha")


def test_astana_round_attendance_and_its_agreement(demo_store: Store) -> None:
    with demo_store.session() as session:
        view = talks.meeting_view(session, talks.get_meeting(session, "astana-2017-01",
                                                             principal=PUBLIC))
        matrix = talks.participation_matrix(session, principal=PUBLIC, meeting="astana-2017-01")
    assert (view["starts_on"], view["ends_on"]) == ("2017-01-23", "2017-01-24")
    assert [c["slug"] for c in view["convenors"]] == ["russia", "iran", "turkey"]
    assert {a["attendee"] for a in view["attendance"]} == {
        "syrian-government", "armed-opposition", "hnc", "staffan-de-mistura"}
    [agreement] = view["documents"]
    assert agreement["kind"] == "agreement" and "mechanism" in agreement["quote"]
    attended = {r["organisation"] for r in matrix["organisations"] if r["attended"]}
    assert attended == {"syrian-government", "armed-opposition", "hnc", "united-nations"}


def test_histories_and_timeline(demo_store: Store) -> None:
    with demo_store.session() as session:
        hnc = talks.actor_history(session, principal=PUBLIC, actor="HNC")
        hijab = talks.actor_history(session, principal=PUBLIC, actor="riyad-hijab")
        events = talks.timeline(session, principal=PUBLIC, truce="syria-2016-12-30")
    assert [m["meeting"] for m in hnc["meetings"]] == ["astana-2017-01", "moscow-2017-01-27"]
    astana, moscow = hnc["meetings"]
    assert astana["attended"] and not astana["invitations"]
    assert {(i["how"], i["status"]) for i in moscow["invitations"]} == {
        ("a member, personally", "declined"), ("as one of a class", "pending")}
    [only] = hijab["meetings"]
    assert [(i["how"], i["status"]) for i in only["invitations"]] == [
        ("in a personal capacity", "declined")]
    assert [e["date"] for e in events] == sorted(e["date"] for e in events)
    kinds = [(e["date"], e["kind"]) for e in events]
    assert kinds[0] == ("2017-01-23", "meeting") and kinds[-1] == ("2017-01-27", "meeting")
    assert ("2017-01-25", "invitation") in kinds and ("2017-01-26", "reply") in kinds
