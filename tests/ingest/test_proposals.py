"""Proposals stored, accepted into records through the domain functions (citing the source
text's SHA-256 in the log), rejected, refused twice; imported places and zones resolve;
the rule-only pipeline says so. On SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from trucewatch.auth.principal import Principal, Role, operator
from trucewatch.errors import Conflict, InvalidInput, PermissionDenied
from trucewatch.ingest.acceptance import accept_proposal, reject_proposal
from trucewatch.ingest.models import Proposal
from trucewatch.ingest.places import import_places
from trucewatch.ingest.service import ingest_text, list_proposals
from trucewatch.log import service as log
from trucewatch.log.models import LogEntry
from trucewatch.storage import Store
from trucewatch.talks.models import Invitation
from trucewatch.talks.service import create_meeting

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "000_94fa457a95864067.txt"
OPERATOR = operator("cli:test")
THURSDAY = date(2017, 1, 26)


def _one(rows: list[Proposal], kind: str, **match: str) -> Proposal:
    found = [r for r in rows if r.kind == kind and all(
        _get(r.payload, path) == value for path, value in match.items())]
    assert len(found) == 1, (kind, match, [r.payload for r in rows if r.kind == kind])
    return found[0]


def _get(payload: dict, path: str) -> object:  # type: ignore[type-arg]
    value: object = payload
    for part in path.split("__"):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _entries(session: Session, kind: str) -> list[LogEntry]:
    return list(session.scalars(select(LogEntry).where(LogEntry.kind == kind)))


def test_accepting_the_seed_makes_records_citing_the_text(store: Store) -> None:
    raw = SEED.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    with store.session() as s:
        done = ingest_text(s, principal=OPERATOR, raw=raw, source="AFP wire", published=THURSDAY)
        assert done.text.sha256 == digest and done.text.pipeline["warning"] == ""
        assert [e.subject for e in _entries(s, "text.ingested")] == [f"text:{digest}"]
    with store.session() as s:
        rows = list_proposals(s, principal=OPERATOR)
        assert {r.status for r in rows} == {"pending"} and len(rows) == len(done.proposals)
        for slug in ("sergei-lavrov", "riyad-hijab", "riyad-naasan", "high-negotiations-committee"):
            row = accept_proposal(s, principal=OPERATOR,
                                  proposal_id=_one(rows, "actor", slug=slug).id)
            assert row.record == f"actor:{slug}"
        affiliation = _one(rows, "affiliation", person="riyad-hijab")
        accept_proposal(s, principal=OPERATOR, proposal_id=affiliation.id)
        create_meeting(s, principal=OPERATOR, data={
            "slug": "moscow-2017-01-27", "title": "Moscow briefing on Astana",
            "format": "briefing", "starts_on": "2017-01-27", "convenors": ["sergei-lavrov"]})
        invitation = _one(rows, "invitation", invitee__actor="riyad-hijab")
        reply = _one(rows, "reply", replied_by__actor="riyad-hijab")
        with pytest.raises(InvalidInput) as no_invitation:
            accept_proposal(s, principal=OPERATOR, proposal_id=reply.id)
        assert no_invitation.value.field == "invitation"
        with pytest.raises(InvalidInput) as no_meeting:
            accept_proposal(s, principal=OPERATOR, proposal_id=invitation.id)
        assert no_meeting.value.field == "meeting"
    with store.session() as s:
        accept_proposal(s, principal=OPERATOR, proposal_id=invitation.id,
                        meeting="moscow-2017-01-27")
        accepted_reply = accept_proposal(s, principal=OPERATOR, proposal_id=reply.id)
        made = s.scalars(select(Invitation)).one()
        assert made.capacity == "personal" and made.invitee is not None
        assert made.invitee.slug == "riyad-hijab" and made.sent_by is not None
        assert made.sent_by.slug == "sergei-lavrov" and made.status == "declined"
        assert made.source == f"sha256:{digest} (AFP wire)"
        assert made.replies[0].reported_by is not None
        assert made.replies[0].reported_by.slug == "riyad-naasan"
        assert "but declined" in made.replies[0].quote
        assert accepted_reply.record == f"reply:{made.replies[0].id}"
        accepted = _entries(s, "proposal.accepted")
        assert len(accepted) == 7 and all(digest in e.body for e in accepted)
        assert digest in _entries(s, "invitation.sent")[0].body
        rejected = reject_proposal(s, principal=OPERATOR, proposal_id=_one(
            rows, "actor", slug="kazakhstan").id, reason="a place here, not an actor")
        assert rejected.status == "rejected" and rejected.decided_by == "cli:test"
        with pytest.raises(Conflict):
            accept_proposal(s, principal=OPERATOR, proposal_id=rejected.id)
        assert log.verify(s) == []
    with store.session() as s, pytest.raises(Conflict) as again:
        ingest_text(s, principal=OPERATOR, raw=raw, source="again", published=THURSDAY)
    assert again.value.field == "file"


def test_an_officer_decides_but_needs_the_rule_of_the_record(store: Store) -> None:
    officer = Principal(actor="user:officer", organisation_id=1, user_id=1,
                        roles=frozenset({Role.GUARANTOR_OFFICER}))
    reporter = Principal(actor="user:reporter", organisation_id=1, user_id=2,
                         roles=frozenset({Role.REPORTER}))
    text = b"HNC coordinator Riyad Hijab declined an invitation to talks in Moscow on Friday.\n"
    with store.session() as s:
        with pytest.raises(PermissionDenied):
            ingest_text(s, principal=reporter, raw=text, source="t", published=THURSDAY)
        done = ingest_text(s, principal=officer, raw=text, source="t", published=THURSDAY)
        actor = next(p for p in done.proposals if p.kind == "actor")
        with pytest.raises(PermissionDenied) as denied:
            accept_proposal(s, principal=officer, proposal_id=actor.id)
        assert "actor.edit" in str(denied.value)
        event = next(p for p in done.proposals if p.kind == "event")
        assert accept_proposal(s, principal=officer, proposal_id=event.id).status == "accepted"


def test_imported_places_and_zones_resolve_and_a_report_is_filed(store: Store) -> None:
    with store.session() as s:
        truce = factories.truce(s)
        filer = factories.organisation(s, "example-monitor", org_type="ngo")
        count = import_places(s, principal=OPERATOR, source="barada.csv", content=(
            b"name,latitude,longitude,country\nWadi Barada,33.6167,36.1833,SY\n"))
        assert count == 1
        text = (b"Government forces shelled Wadi Barada on Monday, the monitor said.\n"
                b"An air strike hit Zone A on Tuesday.\n"
                b"Fighting was reported in Tripoli.\n")
        done = ingest_text(s, principal=OPERATOR, raw=text, source="monitor", published=THURSDAY)
        reports = [p for p in done.proposals if p.kind == "report"]
        by_category = {p.payload["category"]: p for p in reports}
        shelling = by_category["shelling"].payload
        assert shelling["places"][0]["place"]["source"] == "imported"
        assert shelling["places"][0]["place"]["name"] == "Wadi Barada"
        assert [d["from"] for d in shelling["dates"]] == ["2017-01-23"]
        assert shelling["mode"] == "reported"
        air = by_category["air_strike"].payload
        assert air["places"][0]["place"]["source"] == "zone"
        assert air["type"]["cameo"] == "195" and air["type"]["plover"] == "FIGHT"
        tripoli = [p for p in done.extraction.analysis.places if p.resolution.text == "Tripoli"]
        assert len(tripoli) == 1 and tripoli[0].resolution.ambiguous
        assert {c.country for c in tripoli[0].resolution.candidates} >= {"LY", "LB"}
        filed = accept_proposal(s, principal=OPERATOR, proposal_id=by_category["shelling"].id,
                                organisation=filer, truce=truce)
        assert filed.record.startswith("report:")
        assert [e.subject for e in _entries(s, "gazetteer.imported")] == ["gazetteer:barada.csv"]


def test_without_the_model_ingestion_is_rule_only_and_says_so(store: Store) -> None:
    text = b"HNC coordinator Riad Hijeb said on Friday that talks in Moscow were postponed.\n"
    with store.session() as s:
        factories.organisation(s, "hnc", org_type="political_body",
                               name="High Negotiations Committee", aliases=("HNC",))
        done = ingest_text(s, principal=OPERATOR, raw=text, source="t", published=THURSDAY,
                           use_model=False)
        assert done.text.pipeline["model"] == "rule-only"
        assert "no English model" in done.text.pipeline["warning"]
        mentions = {m.text: m.key for m in done.extraction.analysis.mentions}
        assert mentions["HNC"] == "hnc"
        assert "Riad Hijeb" in mentions
        assert [p.resolution.text for p in done.extraction.analysis.places] == ["Moscow"]
        assert [d.resolution.start for d in done.extraction.analysis.dates] == ["2017-01-20"]
