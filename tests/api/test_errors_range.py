"""Numbers the database cannot hold are the request's fault (422), never a server error."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from trucewatch.app import create_app
from trucewatch.storage import Store


@pytest.mark.parametrize("path", ["/api/v1/rounds/9223372036854775808",
                                  "/api/v1/reports/99999999999999999999999",
                                  "/api/v1/incidents/9223372036854775808"])
def test_huge_ids_are_refused_as_input(store: Store, path: str) -> None:
    response = TestClient(create_app(store)).get(path)
    assert response.status_code in (404, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
