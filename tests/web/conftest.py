"""Fixtures of the pages: the app over a demo store, a signed-in client, the data dir."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from trucewatch.demo.service import DEMO_PASSWORD
from trucewatch.storage import Store

SHARED_GEO = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "geo"


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Imported basemap files go to the test's own folder."""
    path = tmp_path / "trucewatch-data"
    monkeypatch.setenv("TRUCEWATCH_DATA_DIR", str(path))
    return path


def client_for(store: Store) -> TestClient:
    from trucewatch.app import create_app

    # https: the session cookie is Secure, and httpx sends it over https only.
    return TestClient(create_app(store), base_url="https://testserver")


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has a form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = DEMO_PASSWORD) -> None:
    page = client.get("/sign-in")
    answer = client.post("/sign-in", data={"csrf_token": csrf(page.text), "username": username,
                                           "password": password}, follow_redirects=False)
    assert answer.status_code == 303, answer.text


@pytest.fixture
def web(demo_store: Store) -> TestClient:
    return client_for(demo_store)


@pytest.fixture
def signed_in(demo_store: Store) -> Callable[[str], TestClient]:
    def make(username: str) -> TestClient:
        client = client_for(demo_store)
        sign_in(client, username)
        return client
    return make
