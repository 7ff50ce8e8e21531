"""Schemathesis against the OpenAPI document: no operation answers with a server error (5xx),
whoever calls it.

The callers are every kind the system has (:data:`CALLERS`): a party's reporter, a
monitor's reporter, a press desk's reporter, the officer of each guarantor state, the
mediator's coordinator, the administrator, an observer, and the public. Two runs over every
operation, on the demo in SQLite, through the ASGI app (no network):

- fuzzing (the schema's examples, then ``MAX_EXAMPLES`` generated requests per operation):
  each request is sent as every caller;
- coverage (every boundary and negative case the schema defines, some hundreds per
  operation): each request is sent as one caller, picked from the request's own bytes, so
  every caller gets its share; with ``TRUCEWATCH_RELIABILITY=full``, as every caller.

The app is built at import (schemathesis reads its document then); each test points it at
its own copy of the demo, since the API takes the store from ``app.state`` per request.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.reliability.scale import scale
from trucewatch.app import create_app
from trucewatch.auth.principal import Role
from trucewatch.auth.service import create_user, grant_role
from trucewatch.auth.tokens import create_token
from trucewatch.config import load_settings
from trucewatch.correlation.matcher import Matcher
from trucewatch.demo.scenario import ROLES
from trucewatch.storage import open_store

# Bounded: the whole file stays within about two minutes on a loaded 2-core machine
# (docs/reliability.md); TRUCEWATCH_RELIABILITY=full runs more.
MAX_EXAMPLES = scale(3, 25)
EVERY_CALLER_IN_COVERAGE = bool(scale(0, 1))
TIMEOUT_S = 120  # the first ingest loads the language model; a loaded machine is slow

# Who calls: a demo user for each kind of caller, and an observer made for the test.
# None is the public (no Authorization header).
CALLERS: dict[str, str | None] = {
    "party reporter": "gov-reporter",
    "other party's reporter": "opp-reporter",
    "monitor": "jg-monitor",
    "press desk": "wire-desk",
    "guarantor officer (Russia)": "ru-officer",
    "guarantor officer (Turkey)": "tr-officer",
    "guarantor officer (Iran)": "ir-officer",
    "coordinator": "un-coordinator",
    "administrator": "admin",
    "observer": "schemathesis-observer",
    "public": None,
}

# Built on an empty store, which each test replaces (``callers``): no matcher runs on it.
# (One would fail on the empty store and log its traceback from a thread while the
# collection's imports are rewritten in the main one: CPython 3.11's ``ast`` keeps one
# recursion count for all threads, gh-106905, and the collection failed with "AST
# constructor recursion depth mismatch".)
APP = create_app(open_store("sqlite://"), load_settings({"TRUCEWATCH_CORRELATE_ON_FILING": "0"}))
fuzzed = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)
fuzzed.config.phases.update(phases=["examples", "fuzzing"])
covered = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)
covered.config.phases.update(phases=["coverage"])


def test_the_callers_cover_every_role() -> None:
    roles = {ROLES.get(u or "", "observer") for u in CALLERS.values() if u is not None}
    assert roles == {r.value for r in Role}
    assert None in CALLERS.values()


@pytest.fixture(scope="module")
def callers_template(sqlite_demo_template: Path,
                     tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The demo with an observer added and a token for every caller, made once per module."""
    path = tmp_path_factory.mktemp("schemathesis") / "demo.db"
    shutil.copy(sqlite_demo_template, path)
    store = open_store(f"sqlite:///{path}")
    headers: dict[str, str] = {}
    with store.session() as s:
        create_user(s, username="schemathesis-observer", organisation="example-wire",
                    display_name="Observer", actor="test")
        grant_role(s, username="schemathesis-observer", role=Role.OBSERVER, actor="test")
    with store.session() as s:
        for caller, username in CALLERS.items():
            if username is not None:
                token = create_token(s, username=username, name="schemathesis",
                                     ttl=timedelta(days=1), actor="test").token
                headers[caller] = f"Bearer {token}"
    store.dispose()
    return path, headers


@pytest.fixture
def callers(callers_template: tuple[Path, dict[str, str]], demo_keys: Path,
            tmp_path: Path) -> Iterator[dict[str, dict[str, str]]]:
    """A copy of the demo in the app's store; the headers of each caller."""
    template, tokens = callers_template
    path = tmp_path / "demo.db"
    shutil.copy(template, path)
    shutil.copytree(demo_keys, tmp_path / "trucewatch-keys", dirs_exist_ok=True)
    store = open_store(f"sqlite:///{path}")
    previous = APP.state.store, APP.state.settings, APP.state.matcher
    APP.state.store = store
    APP.state.settings = load_settings(dict(os.environ), max_attachment_bytes=str(64 * 1024))
    APP.state.matcher = Matcher(store)  # matching after filing on this store (woken by filings)
    yield {caller: ({"Authorization": tokens[caller]} if caller in tokens else {})
           for caller in CALLERS}
    APP.state.matcher.stop()
    APP.state.store, APP.state.settings, APP.state.matcher = previous
    store.dispose()


def _send(case: schemathesis.Case, caller: str, headers: dict[str, str]) -> None:
    response = case.call(headers=headers, timeout=TIMEOUT_S)
    try:
        case.validate_response(response, checks=[not_a_server_error])
    except Exception as exc:
        exc.add_note(f"as the {caller}")
        raise


@fuzzed.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_fuzzed(case: schemathesis.Case,
                                callers: dict[str, dict[str, str]]) -> None:
    for caller, headers in callers.items():
        _send(case, caller, headers)


def _one_caller(case: schemathesis.Case) -> str:
    """A caller picked from the request itself: the same request always goes to the same one."""
    request = repr((case.method, case.path_parameters, case.query, case.headers, case.body))
    digest = hashlib.sha256(request.encode()).digest()
    return list(CALLERS)[int.from_bytes(digest[:4], "big") % len(CALLERS)]


@covered.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_coverage(case: schemathesis.Case,
                                  callers: dict[str, dict[str, str]]) -> None:
    chosen = list(CALLERS) if EVERY_CALLER_IN_COVERAGE else [_one_caller(case)]
    for caller in chosen:
        _send(case, caller, callers[caller])
