"""Recording talks through the domain functions: the log, the reply workflow, and bad input
that gets a clear error and changes nothing (on both stores)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests import factories

from trucewatch.actors.service import affiliate, create_actor
from trucewatch.auth.principal import PUBLIC, operator
from trucewatch.errors import InvalidInput, InvalidTransition, NotFound, TrucewatchError
from trucewatch.log import service as log
from trucewatch.log.models import LogEntry
from trucewatch.storage import Store
from trucewatch.talks import service as talks
from trucewatch.talks.models import Attendance, Invitation, Meeting, Reply
from trucewatch.talks.workflow import INVITATION

OP = operator("cli:test")
_n = itertools.count(1)


def _person(session: Session, organisation: str | None = None, **period: str) -> str:
    slug = f"person-{next(_n)}"
    create_actor(session, data={"slug": slug, "kind": "person",
                                "names": [{"name": slug.replace("-", " ").title()}]}, actor="test")
    if organisation is not None:
        affiliate(session, data={"person": slug, "organisation": organisation, "role": "head",
                                 **period}, actor="test")
    return slug


def _meeting(session: Session, convenor: str) -> str:
    slug = f"talks-{next(_n)}"
    talks.create_meeting(session, principal=OP, data={
        "slug": slug, "title": "Talks", "format": "direct", "starts_on": "2017-01-23",
        "ends_on": "2017-01-24", "convenors": [convenor], "venue": "Astana"})
    return slug


def _counts(store: Store) -> tuple[int, ...]:
    with store.session() as s:
        return tuple(int(s.scalar(select(func.count()).select_from(t)) or 0)
                     for t in (LogEntry, Meeting, Invitation, Reply, Attendance))


def test_every_change_is_a_log_entry_of_the_meeting(session: Session) -> None:
    org, other = factories.organisation(session), factories.organisation(session)
    slug = _meeting(session, org)
    sent = talks.invite(session, principal=OP, meeting=slug,
                        data={"capacity": "organisation", "invitee": other, "sent_on": "2017-01-10"})
    talks.reply(session, principal=OP, invitation_id=sent.id,
                data={"status": "accepted", "replied_on": "2017-01-12", "replied_by": other,
                      "reason": "to consolidate the ceasefire", "source": "a statement"})
    talks.record_attendance(session, principal=OP, meeting=slug,
                            data={"attendee": other, "invitation": sent.id, "role": "delegation"})
    talks.add_document(session, principal=OP, slug=slug,
                       data={"kind": "final_statement", "title": "Joint statement",
                             "adopted_on": "2017-01-24"})
    talks.change_meeting(session, principal=OP, slug=slug, data={"venue": "Astana, Kazakhstan"})
    talks.publish_meeting(session, principal=OP, slug=slug)
    entries = log.entries_for(session, f"meeting:{slug}")
    assert [e.kind for e in entries] == [
        "meeting.created", "invitation.sent", "invitation.replied", "attendance.recorded",
        "meeting.document_added", "meeting.changed", "meeting.published"]
    assert {e.actor for e in entries} == {"cli:test"}
    assert log.verify(session) == []
    view = talks.meeting_view(session, talks.get_meeting(session, slug, principal=PUBLIC))
    assert view["venue"] == "Astana, Kazakhstan" and view["invitations"][0]["status"] == "accepted"
    assert view["attendance"][0]["invitation"] == sent.id


def _to(session: Session, invitation: int, path: list[str]) -> None:
    for i, status in enumerate(path):
        talks.reply(session, principal=OP, invitation_id=invitation,
                    data={"status": status, "replied_on": f"2017-01-{11 + i:02d}"})


# The shortest way from pending to each status, through the service.
PATHS = {"pending": [], "accepted": ["accepted"], "declined": ["declined"],
         "no_answer": ["no_answer"], "withdrawn": ["withdrawn"]}


def test_the_reply_workflow_walked_through_the_service(session: Session) -> None:
    org, other = factories.organisation(session), factories.organisation(session)
    slug = _meeting(session, org)
    assert set(PATHS) == set(INVITATION.statuses)
    for current, target in itertools.product(INVITATION.statuses, INVITATION.statuses):
        if target == "pending":
            continue
        sent = talks.invite(session, principal=OP, meeting=slug, data={
            "capacity": "organisation", "invitee": other, "sent_on": "2017-01-10"})
        _to(session, sent.id, PATHS[current])
        attempt = {"status": target, "replied_on": "2017-01-20"}
        if target in INVITATION.transitions[current]:
            talks.reply(session, principal=OP, invitation_id=sent.id, data=attempt)
            assert session.get_one(Invitation, sent.id).status == target
        else:
            with pytest.raises(TrucewatchError) as caught:
                talks.reply(session, principal=OP, invitation_id=sent.id, data=attempt)
            assert caught.value.field == "status", (current, target)
            assert isinstance(caught.value, InvalidTransition) or current == target


def _refused(store: Store, error: type[TrucewatchError], field: str, change: Any) -> str:
    """Run ``change`` in its own transaction: it must fail naming ``field`` and write nothing."""
    before = _counts(store)
    with pytest.raises(error) as caught, store.session() as s:
        change(s)
    assert caught.value.field == field
    assert _counts(store) == before
    return str(caught.value)


def test_bad_input_gets_a_clear_error_and_changes_nothing(store: Store) -> None:
    with store.session() as s:
        coalition = factories.organisation(s, org_type="political_body")
        head = _person(s, coalition, valid_from="2016-03-06")
        former = _person(s, coalition, valid_from="2015-01-05", valid_to="2016-03-06")
        later = _person(s, coalition, valid_from="2017-05-06")
        slug = _meeting(s, factories.organisation(s, org_type="state"))
        sent = talks.invite(s, principal=OP, meeting=slug, data={
            "capacity": "personal", "invitee": head, "sent_on": "2017-01-20"}).id

    message = _refused(store, NotFound, "invitation", lambda s: talks.reply(
        s, principal=OP, invitation_id=sent + 100,
        data={"status": "declined", "replied_on": "2017-01-21"}))
    assert message == f"invitation: no invitation {sent + 100}"

    message = _refused(store, InvalidInput, "replied_on", lambda s: talks.reply(
        s, principal=OP, invitation_id=sent,
        data={"status": "declined", "replied_on": "2017-01-19"}))
    assert "sent on 2017-01-20" in message

    for person in (former, later):
        message = _refused(store, InvalidInput, "represents", lambda s, p=person: talks.invite(
            s, principal=OP, meeting=slug, data={"capacity": "representative", "invitee": p,
                                                 "represents": coalition,
                                                 "sent_on": "2017-01-20"}))
        assert f"{person} is not affiliated with {coalition} on 2017-01-20" in message
    # Without a date sent, the meeting's first day is the date of the affiliation.
    _refused(store, InvalidInput, "represents", lambda s: talks.invite(
        s, principal=OP, meeting=slug, data={"capacity": "representative", "invitee": former,
                                             "represents": coalition}))
    with store.session() as s:  # the head, affiliated on that date, may represent it
        talks.invite(s, principal=OP, meeting=slug, data={
            "capacity": "representative", "invitee": head, "represents": coalition,
            "sent_on": "2017-01-20"})


@pytest.mark.parametrize(("data", "field"), [
    ({"capacity": "personal"}, None),  # no invitee
    ({"capacity": "personal", "invitee": "nobody-at-all"}, "invitee"),
    ({"capacity": "class"}, None),  # a class needs its description
    ({"capacity": "organisation", "invitee": "ORG", "sent_on": "2017-02-01"}, "sent_on"),
    ({"capacity": "personal", "invitee": "ORG"}, "invitee"),  # an organisation is no person
    ({"capacity": "organisation", "invitee": "ORG", "represents": "ORG"}, None),
])
def test_malformed_invitations(session: Session, data: dict[str, Any], field: str | None) -> None:
    org = factories.organisation(session)
    slug = _meeting(session, org)
    data = {k: (org if v == "ORG" else v) for k, v in data.items()}
    with pytest.raises(InvalidInput) as caught:
        talks.invite(session, principal=OP, meeting=slug, data=data)
    assert caught.value.field == field or (field is None and caught.value.field is None)


def test_unpublished_talks_are_hidden_from_the_public(session: Session) -> None:
    slug = _meeting(session, factories.organisation(session))
    with pytest.raises(NotFound):
        talks.get_meeting(session, slug, principal=PUBLIC)
    assert talks.timeline(session, principal=PUBLIC) == []
    assert [e["kind"] for e in talks.timeline(session, principal=OP)] == ["meeting"]
