"""Schemathesis against the OpenAPI document: no operation answers with a server error (5xx).

Every operation is tried with generated requests (``MAX_EXAMPLES`` each), once as a guarantor
officer and once as the public, on the demo in SQLite, through the ASGI app (no network).
The app is built at import (schemathesis reads its document then); each test points it at
its own copy of the demo, since the API takes the store from ``app.state`` per request.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from trucewatch.app import create_app
from trucewatch.auth.tokens import create_token
from trucewatch.config import load_settings
from trucewatch.storage import open_store

MAX_EXAMPLES = 10  # bounded: the whole run stays within a few minutes in CI

APP = create_app(open_store("sqlite://"))
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)


@pytest.fixture
def officer(sqlite_demo_template: Path, demo_keys: Path, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The demo in the app's store; the Authorization header of a guarantor officer."""
    path = tmp_path / "demo.db"
    shutil.copy(sqlite_demo_template, path)
    shutil.copytree(demo_keys, tmp_path / "trucewatch-keys", dirs_exist_ok=True)
    store = open_store(f"sqlite:///{path}")
    with store.session() as s:
        token = create_token(s, username="ru-officer", name="schemathesis",
                             ttl=timedelta(days=1), actor="test").token
    previous = APP.state.store, APP.state.settings
    APP.state.store = store
    APP.state.settings = load_settings(dict(os.environ), max_attachment_bytes=str(64 * 1024))
    yield {"Authorization": f"Bearer {token}"}
    APP.state.store, APP.state.settings = previous
    store.dispose()


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error(case: schemathesis.Case, officer: dict[str, str]) -> None:
    for headers in (officer, {}):
        response = case.call(headers=headers)
        case.validate_response(response, checks=[not_a_server_error])
