"""The real app over HTTP (starlette's TestClient) on the demo, with a token for each demo user."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from trucewatch.app import create_app
from trucewatch.auth.tokens import create_token
from trucewatch.config import load_settings
from trucewatch.storage import Store


def token_for(store: Store, username: str) -> str:
    with store.session() as s:
        return create_token(s, username=username, name="api test", ttl=timedelta(days=1),
                            actor="test").token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Api:
    """A client and the demo users' Authorization headers."""

    def __init__(self, client: TestClient, store: Store) -> None:
        self.client, self.store = client, store
        self._headers: dict[str, dict[str, str]] = {}

    def as_(self, username: str) -> dict[str, str]:
        if username not in self._headers:
            self._headers[username] = bearer(token_for(self.store, username))
        return self._headers[username]


@pytest.fixture
def api(demo_store: Store) -> Iterator[Api]:
    # Matching after filing off: these tests build incidents by hand from what they file
    # (tests/correlation/test_filing.py turns it on).
    settings = load_settings(max_attachment_bytes=str(64 * 1024), correlate_on_filing="0")
    with TestClient(create_app(demo_store, settings)) as client:
        yield Api(client, demo_store)
