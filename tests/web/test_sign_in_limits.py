"""The sign-in limit over HTTP, held by the store: two applications on one store stand for
two server processes, and neither gives an attacker more attempts than one would. Both
stores; the clock is set on each application's throttle, nothing sleeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.web.conftest import client_for, csrf

from trucewatch.auth.models import SignInFailure
from trucewatch.demo.service import DEMO_PASSWORD
from trucewatch.storage import Store

T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
WRONG = "not-the-password"
ADDRESS = "testclient"  # what Starlette's TestClient gives as the client's address


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _processes(store: Store) -> tuple[TestClient, TestClient, Clock]:
    clock = Clock()
    clients = client_for(store), client_for(store)
    for client in clients:
        client.app.state.sign_in_throttle.clock = clock  # type: ignore[attr-defined]
    return clients[0], clients[1], clock


def _post(client: TestClient, username: str, password: str) -> int:
    token = csrf(client.get("/sign-in").text)
    answer = client.post("/sign-in", data={"csrf_token": token, "username": username,
                                           "password": password}, follow_redirects=False)
    if answer.status_code == 429:
        assert "Too many failed sign-ins. Wait a quarter of an hour and try again." in answer.text
    if answer.status_code == 401:
        assert "Unknown user or wrong password." in answer.text
    return answer.status_code


def _rows(store: Store) -> list[SignInFailure]:
    with store.session() as s:
        return list(s.scalars(select(SignInFailure)))


def test_the_username_limit_holds_across_two_processes(demo_store: Store) -> None:
    a, b, _ = _processes(demo_store)
    assert [_post(a if i % 2 else b, "ru-officer", WRONG) for i in range(5)] == [401] * 5
    assert _post(a, "ru-officer", DEMO_PASSWORD) == 429
    assert _post(b, "ru-officer", DEMO_PASSWORD) == 429  # even the right password waits
    assert _post(b, "admin", DEMO_PASSWORD) == 303  # another user from the same address


def test_the_address_limit_holds_across_two_processes(demo_store: Store) -> None:
    a, b, _ = _processes(demo_store)
    for i in range(20):  # a username each: only the address's count reaches its limit
        assert _post(a if i % 2 else b, f"guess-{i}", WRONG) == 401
    assert _post(a, "admin", DEMO_PASSWORD) == 429
    assert _post(b, "admin", DEMO_PASSWORD) == 429


def test_the_limit_ends_with_the_window_and_old_rows_go(demo_store: Store) -> None:
    a, b, clock = _processes(demo_store)
    for _ in range(5):
        _post(a, "ru-officer", WRONG)
    clock.now = T0 + timedelta(minutes=14, seconds=59)
    assert _post(b, "ru-officer", DEMO_PASSWORD) == 429
    assert len(_rows(demo_store)) == 10  # a blocked attempt writes nothing
    clock.now = T0 + timedelta(minutes=15)
    assert _post(b, "ru-officer", WRONG) == 401  # this write prunes the five failures
    assert [r.at for r in _rows(demo_store)] == [clock.now] * 2
    assert _post(a, "ru-officer", DEMO_PASSWORD) == 303


def test_a_success_clears_the_usernames_failures(demo_store: Store) -> None:
    a, b, _ = _processes(demo_store)
    for _ in range(4):
        assert _post(a, "ru-officer", WRONG) == 401
    assert _post(b, "ru-officer", DEMO_PASSWORD) == 303
    assert len(_rows(demo_store)) == 4  # the address's four failures stay
    for _ in range(5):
        assert _post(b, "ru-officer", WRONG) == 401  # five more, as after no failure
    assert _post(a, "ru-officer", DEMO_PASSWORD) == 429


def test_the_table_names_no_username_and_no_address(demo_store: Store) -> None:
    a, _, _ = _processes(demo_store)
    _post(a, "ru-officer", WRONG)
    _post(a, "Somebody.Unknown", WRONG)
    keys = [r.key for r in _rows(demo_store)]
    assert len(keys) == 4 and len(set(keys)) == 3
    for key in keys:
        for clear in ("ru-officer", "somebody.unknown", "Somebody.Unknown", ADDRESS):
            assert clear not in key
