"""Talks through the API on both stores: the Moscow matrix read by the public, a coordinator
recording a round, and problems (404, 422, 403) for bad input that change nothing."""

from __future__ import annotations

from tests.api.conftest import Api

MOSCOW = "/api/v1/talks/meetings/moscow-2017-01-27"


def test_the_public_reads_the_moscow_matrix(api: Api) -> None:
    matrix = api.client.get(f"{MOSCOW}/matrix")
    assert matrix.status_code == 200, matrix.text
    rows = {r["organisation"]: r for r in matrix.json()["organisations"]}
    assert rows["hnc"]["invited_as_body"] == []
    assert [(m["person"], m["status"]) for m in rows["hnc"]["members_invited_personally"]] == [
        ("riyad-hijab", "declined")]
    assert rows["national-coalition"]["replied"] == "declined"
    meetings = api.client.get("/api/v1/talks/meetings").json()
    assert [m["slug"] for m in meetings] == ["astana-2017-01", "moscow-2017-01-27"]
    history = api.client.get("/api/v1/talks/actors/riyad-hijab/history").json()
    assert history["meetings"][0]["invitations"][0]["status"] == "declined"
    assert api.client.get("/api/v1/talks/timeline?truce=syria-2016-12-30").json()[0][
        "date"] == "2017-01-23"


def test_a_coordinator_records_and_others_are_refused(api: Api) -> None:
    coordinator, officer = api.as_("un-coordinator"), api.as_("ru-officer")
    meeting = {"slug": "astana-2017-02", "title": "Astana talks (second round)",
               "format": "proximity", "starts_on": "2017-02-15", "ends_on": "2017-02-16",
               "convenors": ["russia", "turkey", "iran"], "truce": "syria-2016-12-30"}
    refused = api.client.post("/api/v1/talks/meetings", json=meeting, headers=officer)
    assert refused.status_code == 403
    made = api.client.post("/api/v1/talks/meetings", json=meeting, headers=coordinator)
    assert made.status_code == 201, made.text
    assert made.headers["Location"] == "/api/v1/talks/meetings/astana-2017-02"
    assert api.client.get("/api/v1/talks/meetings/astana-2017-02").status_code == 404
    assert api.client.get("/api/v1/talks/meetings/astana-2017-02",
                          headers=officer).status_code == 200
    sent = api.client.post("/api/v1/talks/meetings/astana-2017-02/invitations",
                           headers=coordinator, json={"capacity": "organisation",
                                                      "invitee": "armed-opposition",
                                                      "sent_on": "2017-02-01"})
    assert sent.status_code == 201, sent.text
    replied = api.client.post(f"/api/v1/talks/invitations/{sent.json()['id']}/replies",
                              headers=coordinator,
                              json={"status": "accepted", "replied_on": "2017-02-03"})
    assert replied.status_code == 201 and replied.json()["status"] == "accepted"
    changed = api.client.patch("/api/v1/talks/meetings/astana-2017-02", headers=coordinator,
                               json={"venue": "Astana"})
    assert changed.json()["venue"] == "Astana"
    assert api.client.post("/api/v1/talks/meetings/astana-2017-02/publish",
                           headers=coordinator).status_code == 200
    assert api.client.get("/api/v1/talks/meetings/astana-2017-02").status_code == 200


def test_bad_input_is_a_problem_and_changes_nothing(api: Api) -> None:
    coordinator = api.as_("un-coordinator")
    before = api.client.get(MOSCOW).json()
    missing = api.client.post("/api/v1/talks/invitations/999/replies", headers=coordinator,
                              json={"status": "declined", "replied_on": "2017-01-26"})
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    early = api.client.post("/api/v1/talks/invitations/1/replies", headers=coordinator,
                            json={"status": "declined", "replied_on": "2017-01-24"})
    assert early.status_code == 422 and "replied_on" in early.text
    stranger = api.client.post(f"{MOSCOW}/invitations", headers=coordinator, json={
        "capacity": "representative", "invitee": "riyad-hijab",
        "represents": "national-coalition", "sent_on": "2017-01-25"})
    assert stranger.status_code == 422 and "represents" in stranger.text
    assert api.client.get(MOSCOW).json() == before
