"""The talks pages over HTTP on both stores: the public reads the Moscow participation matrix;
a coordinator records a meeting with the forms (no JavaScript); bad input changes nothing."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from tests.web.conftest import csrf

Client = Callable[[str], TestClient]


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def _matrix_row(page: str, organisation: str) -> str:
    """The text of the participation matrix's row of ``organisation``."""
    row = re.search(rf'<tr><td><a href="/talks/actors/{organisation}">.*?</tr>', page, re.S)
    assert row is not None, organisation
    return _text(row.group(0))


def test_the_public_reads_meetings_matrix_and_history(web: TestClient) -> None:
    listing = web.get("/talks")
    assert listing.status_code == 200
    assert "Lavrov's meeting with the Syrian political opposition" in html.unescape(listing.text)
    assert "<script" not in listing.text and "<form" not in listing.text.split("</header>")[1]
    page = web.get("/talks/moscow-2017-01-27")
    assert page.status_code == 200
    cells = _matrix_row(page.text, "hnc")
    assert "members invited, the body not" in cells and "not invited" in cells
    assert "riyad-hijab (declined), coordinator" in cells
    coalition = _matrix_row(page.text, "national-coalition")
    assert "anas-al-abdah (declined), head" in coalition
    assert "past heads of the National Coalition (declined)" in coalition
    assert " declined no" in coalition  # replied: declined; attended: no
    assert "no invitation has yet been sent to the High Negotiations Committee" in html.unescape(
        page.text)
    history = web.get("/talks/actors/hnc")
    assert history.status_code == 200 and "Astana talks on Syria" in history.text
    assert web.get("/talks/no-such-meeting").status_code == 404


def test_a_coordinator_records_a_meeting_with_the_forms(signed_in: Client, web: TestClient) -> None:
    coordinator = signed_in("un-coordinator")
    page = coordinator.get("/talks")
    answer = coordinator.post("/talks", data={
        "csrf_token": csrf(page.text), "slug": "astana-2017-02", "title": "Astana, second round",
        "format": "proximity", "starts_on": "2017-02-15", "ends_on": "2017-02-16",
        "convenors": "russia, turkey, iran", "venue": "Astana"})
    assert answer.status_code == 200 and "Meeting astana-2017-02 recorded." in answer.text
    assert web.get("/talks/astana-2017-02").status_code == 404  # not published yet
    meeting = coordinator.get("/talks/astana-2017-02")
    token = csrf(meeting.text)
    answer = coordinator.post("/talks/astana-2017-02/invitations", data={
        "csrf_token": token, "capacity": "organisation", "invitee": "armed-opposition",
        "sent_on": "2017-02-01"})
    assert "recorded." in answer.text
    found = re.search(r'<option value="(\d+)">#\d+ Syrian armed opposition', answer.text)
    assert found is not None
    invitation = found.group(1)
    early = coordinator.post("/talks/astana-2017-02/replies", data={
        "csrf_token": token, "invitation": invitation, "status": "accepted",
        "replied_on": "2017-01-30"})
    assert "replied_on: invitation" in html.unescape(early.text)
    assert "<strong>pending</strong>" in early.text  # nothing changed
    answer = coordinator.post("/talks/astana-2017-02/replies", data={
        "csrf_token": token, "invitation": invitation, "status": "accepted",
        "replied_on": "2017-02-03", "replied_by": "armed-opposition"})
    assert "accepted." in answer.text
    answer = coordinator.post("/talks/astana-2017-02/publish", data={"csrf_token": token})
    assert "published." in answer.text
    public = web.get("/talks/astana-2017-02")
    assert public.status_code == 200 and "<form" not in public.text.split("</header>")[1]


def test_others_may_not_record_talks(signed_in: Client) -> None:
    officer = signed_in("ru-officer")
    page = officer.get("/talks/moscow-2017-01-27")
    assert 'action="/talks/moscow-2017-01-27/invitations"' not in page.text
    answer = officer.post("/talks/moscow-2017-01-27/invitations", data={
        "csrf_token": csrf(page.text), "capacity": "organisation", "invitee": "hnc"})
    assert "may not talks.edit" in html.unescape(answer.text)
    assert "High Negotiations Committee, as a body" not in officer.get("/talks/moscow-2017-01-27").text
