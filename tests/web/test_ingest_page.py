"""The ingest page: a coordinator pastes the seed article and decides on its proposals; a
reporter is refused; the public is sent to sign in. On both stores."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from tests.web.conftest import csrf

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "000_94fa457a95864067.txt"
Client = Callable[[str], TestClient]


def _forms(html: str, action: str) -> list[str]:
    return re.findall(rf'action="(/ingest/proposals/\d+/{action})"', html)


def test_a_coordinator_pastes_a_text_and_decides(signed_in: Client) -> None:
    coordinator = signed_in("un-coordinator")
    page = coordinator.get("/ingest")
    assert page.status_code == 200 and "No proposals." in page.text
    assert 'href="/ingest"' in page.text
    made = coordinator.post("/ingest", data={"csrf_token": csrf(page.text),
                                             "text": SEED.read_text(), "published": "2017-01-26",
                                             "source": "AFP wire"})
    assert made.status_code == 200
    assert re.search(r"\d+ proposals from AFP wire\.", made.text)
    assert "HNC coordinator Riyad Hijab had &#34;received a personal invitation&#34;" in made.text \
        or "HNC coordinator Riyad Hijab had &quot;received a personal invitation&quot;" in made.text
    assert "NOT invitation [036]" in made.text
    accepts, rejects = _forms(made.text, "accept"), _forms(made.text, "reject")
    assert len(accepts) == len(rejects) > 10
    event = re.search(r'#(\d+) event</bdi>', made.text)
    assert event is not None
    accepted = coordinator.post(f"/ingest/proposals/{event.group(1)}/accept",
                                data={"csrf_token": csrf(made.text)})
    assert f"Proposal {event.group(1)} accepted: event:{event.group(1)}." in accepted.text
    rejected = coordinator.post(rejects[-1], data={"csrf_token": csrf(accepted.text),
                                                   "reason": "noise"})
    assert re.search(r"Proposal \d+ rejected\.", rejected.text)
    decided = coordinator.get("/ingest?status=rejected").text
    assert "noise" in decided and "un-coordinator" in decided
    again = coordinator.post(f"/ingest/proposals/{event.group(1)}/accept",
                             data={"csrf_token": csrf(decided)})
    assert "accepted already" in again.text
    empty = coordinator.post("/ingest", data={"csrf_token": csrf(again.text), "text": " "})
    assert "Paste a text or choose a file." in empty.text


def test_an_upload_and_who_may(signed_in: Client, web: TestClient) -> None:
    officer = signed_in("ru-officer")
    page = officer.get("/ingest")
    html = b"<html><body><p>Advertisement</p><p>Turkey shelled Afrin on Monday.</p></body></html>"
    made = officer.post("/ingest", data={"csrf_token": csrf(page.text), "published": "2017-01-26"},
                        files={"file": ("afrin.html", html, "text/html")})
    assert "proposals from afrin.html." in made.text and "Turkey shelled Afrin" in made.text
    reporter = signed_in("gov-reporter")
    refused = reporter.get("/ingest")
    assert refused.status_code == 403
    assert 'href="/ingest"' not in reporter.get("/").text
    assert web.get("/ingest", follow_redirects=False).headers["location"] == "/sign-in"
