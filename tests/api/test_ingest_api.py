"""Ingestion through the API on both stores: a coordinator ingests the seed article and decides
on proposals; a reporter and the public are refused; bad input is a problem that changes nothing."""

from __future__ import annotations

from pathlib import Path

from tests.api.conftest import Api

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "000_94fa457a95864067.txt"


def test_a_coordinator_ingests_and_decides(api: Api) -> None:
    coordinator, officer = api.as_("un-coordinator"), api.as_("ru-officer")
    made = api.client.post("/api/v1/ingest", headers=coordinator, json={
        "text": SEED.read_text(), "source": "AFP", "published": "2017-01-26"})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["pipeline"]["warning"] == "" and body["conflicts"][0]["says"] == "prime minister"
    by_text = {p["payload"].get("class_description"): p for p in body["proposals"]
               if p["kind"] == "invitation"}
    heads = by_text["the past heads of the National Coalition"]
    assert heads["status"] == "pending" and heads["source_sha256"] == body["sha256"]
    listed = api.client.get("/api/v1/proposals?kind=invitation", headers=officer).json()
    assert heads["id"] in [p["id"] for p in listed]
    accepted = api.client.post(f"/api/v1/proposals/{heads['id']}/accept", headers=coordinator,
                               json={"meeting": "moscow-2017-01-27"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    invitation_id = int(accepted.json()["record"].split(":")[1])
    invitation = api.client.get(f"/api/v1/talks/invitations/{invitation_id}",
                                headers=coordinator).json()
    assert invitation["class_member_of"] == "national-coalition"
    assert invitation["source"].startswith(f"sha256:{body['sha256']}")
    again = api.client.post(f"/api/v1/proposals/{heads['id']}/accept", headers=coordinator,
                            json={"meeting": "moscow-2017-01-27"})
    assert again.status_code == 409
    event = next(p for p in body["proposals"] if p["kind"] == "event")
    rejected = api.client.post(f"/api/v1/proposals/{event['id']}/reject", headers=officer,
                               json={"reason": "a headline"})
    assert rejected.json()["status"] == "rejected" and rejected.json()["reason"] == "a headline"
    decided = api.client.get("/api/v1/proposals?status=rejected", headers=officer).json()
    assert [p["id"] for p in decided] == [event["id"]]


def test_others_are_refused_and_bad_input_changes_nothing(api: Api) -> None:
    reporter, coordinator = api.as_("gov-reporter"), api.as_("un-coordinator")
    text = {"text": "Lavrov said he had invited the HNC to talks in Moscow on Friday.",
            "published": "2017-01-26"}
    assert api.client.post("/api/v1/ingest", json=text).status_code in (401, 403)
    assert api.client.post("/api/v1/ingest", json=text, headers=reporter).status_code == 403
    assert api.client.get("/api/v1/proposals", headers=reporter).status_code == 403
    bad = api.client.post("/api/v1/ingest", headers=coordinator, json={"text": ""})
    assert bad.status_code == 422
    assert api.client.get("/api/v1/proposals", headers=coordinator).json() == []
    assert api.client.get("/api/v1/proposals/999", headers=coordinator).status_code == 404
    made = api.client.post("/api/v1/ingest", headers=coordinator, json=text)
    assert made.status_code == 201
    twice = api.client.post("/api/v1/ingest", headers=coordinator, json=text)
    assert twice.status_code == 409
    proposal = next(p for p in made.json()["proposals"] if p["kind"] == "invitation")
    assert proposal["payload"]["invitee"]["actor"] == "hnc"
    invitation = api.client.post(f"/api/v1/proposals/{proposal['id']}/accept",
                                 headers=coordinator, json={"meeting": "no-such-meeting"})
    assert invitation.status_code == 404
    assert api.client.get(f"/api/v1/proposals/{proposal['id']}",
                          headers=coordinator).json()["status"] == "pending"
