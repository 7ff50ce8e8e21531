"""The sign-in limit's domain functions on both stores: counts per username and per address
within the window, success clears the username, old rows pruned, keys that name nobody,
and concurrent attempts that cannot pass the limit."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from trucewatch.auth import throttle
from trucewatch.auth.models import SignInFailure
from trucewatch.auth.throttle import Limits
from trucewatch.errors import InvalidInput
from trucewatch.log.state import tracked_tables
from trucewatch.storage import Store
from trucewatch.web.throttle import SignInThrottle

KEY = b"k" * 32
T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
LIMITS = Limits(per_user=3, per_address=5, window=timedelta(minutes=15))


def _fail(store: Store, username: str, address: str, at: datetime) -> throttle.Attempt:
    with store.session() as s:
        return throttle.failed(s, key=KEY, username=username, address=address, now=at,
                               limits=LIMITS)


def _blocked(store: Store, username: str, address: str, at: datetime) -> bool:
    with store.session() as s:
        return throttle.blocked(s, key=KEY, username=username, address=address, now=at,
                                limits=LIMITS)


def _rows(store: Store) -> list[SignInFailure]:
    with store.session() as s:
        return list(s.scalars(select(SignInFailure).order_by(SignInFailure.id)))


def test_the_username_is_blocked_at_its_limit_whatever_its_case(store: Store) -> None:
    for i in range(3):
        assert not _blocked(store, "ru-officer", "10.0.0.1", T0)
        _fail(store, "RU-Officer" if i else "ru-officer", f"10.0.0.{i + 1}", T0)
    assert _blocked(store, "ru-officer", "10.0.0.9", T0)  # from any address
    assert not _blocked(store, "admin", "10.0.0.9", T0)


def test_the_address_is_blocked_at_its_limit_for_every_username(store: Store) -> None:
    for i in range(5):
        assert not _blocked(store, "someone-new", "10.0.0.1", T0)
        _fail(store, f"user-{i}", "10.0.0.1", T0)
    assert _blocked(store, "someone-new", "10.0.0.1", T0)
    assert not _blocked(store, "someone-new", "10.0.0.2", T0)


def test_ipv6_addresses_count_by_their_64_block(store: Store) -> None:
    """One subscriber's /64 holds 2**64 addresses: each may not get a count of its own."""
    for i in range(5):
        _fail(store, f"user-{i}", f"2001:db8:1:2::{i + 1:x}", T0)
    assert _blocked(store, "someone-new", "2001:db8:1:2:ffff:ffff:ffff:ffff", T0)
    assert not _blocked(store, "someone-new", "2001:db8:1:3::1", T0)  # the next /64


@pytest.mark.parametrize("address, network", [
    ("10.0.0.1", "10.0.0.1"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
    ("::ffff:10.0.0.1", "10.0.0.1"),  # IPv4 seen through an IPv6 socket
    ("unknown", "unknown"),
])
def test_client_network(address: str, network: str) -> None:
    assert throttle.client_network(address) == network


def test_failures_expire_with_the_window(store: Store) -> None:
    for _ in range(3):
        _fail(store, "ru-officer", "10.0.0.1", T0)
    assert _blocked(store, "ru-officer", "10.0.0.1", T0 + timedelta(minutes=14, seconds=59))
    assert not _blocked(store, "ru-officer", "10.0.0.1", T0 + timedelta(minutes=15))


def test_success_clears_the_username_and_its_own_address_row_only(store: Store) -> None:
    for _ in range(2):
        _fail(store, "ru-officer", "10.0.0.1", T0)
    _fail(store, "admin", "10.0.0.1", T0)
    attempt = _fail(store, "ru-officer", "10.0.0.1", T0)
    with store.session() as s:
        throttle.succeeded(s, key=KEY, username="RU-officer", attempt=attempt)
    with store.session() as s:
        left = {r.key for r in s.scalars(select(SignInFailure))}
        counts = {key: n for key, n in s.execute(
            select(SignInFailure.key, func.count()).group_by(SignInFailure.key))}
    assert throttle.user_key(KEY, "ru-officer") not in left
    assert counts == {throttle.user_key(KEY, "admin"): 1,
                      throttle.address_key(KEY, "10.0.0.1"): 3}  # the earlier failures stay


def test_each_write_prunes_rows_older_than_the_window(store: Store) -> None:
    for i in range(4):
        _fail(store, f"user-{i}", f"10.0.0.{i}", T0)
    assert len(_rows(store)) == 8
    _fail(store, "user-9", "10.0.0.9", T0 + timedelta(minutes=15))
    rows = _rows(store)
    assert [r.at for r in rows] == [T0 + timedelta(minutes=15)] * 2
    assert {r.key for r in rows} == {throttle.user_key(KEY, "user-9"),
                                     throttle.address_key(KEY, "10.0.0.9")}


def test_the_stored_keys_name_no_username_and_no_address(store: Store) -> None:
    _fail(store, "ru-officer", "192.0.2.77", T0)
    _fail(store, "192.0.2.77", "ru-officer", T0)  # a username that looks like an address
    keys = [r.key for r in _rows(store)]
    assert len(set(keys)) == 4 and all(len(k) == 64 for k in keys)
    for key in keys:
        assert "ru-officer" not in key and "192.0.2.77" not in key and "officer" not in key
    assert throttle.user_key(b"another key, 32 bytes long......", "ru-officer") not in keys


def test_a_withdrawn_attempt_counts_for_nothing(store: Store) -> None:
    attempt = _fail(store, "ru-officer", "10.0.0.1", T0)
    with store.session() as s:
        throttle.withdrawn(s, attempt=attempt)
    assert _rows(store) == []


def test_the_log_does_not_track_the_failures(store: Store) -> None:
    assert "sign_in_failures" not in {t.name for t in tracked_tables()}
    _fail(store, "ru-officer", "10.0.0.1", T0)  # commits: no log entry is asked for


def test_bad_limits_and_short_keys_are_refused() -> None:
    with pytest.raises(InvalidInput, match="at least one"):
        Limits(per_user=0)
    with pytest.raises(InvalidInput, match="window"):
        Limits(window=timedelta(0))
    with pytest.raises(InvalidInput, match="16 bytes"):
        throttle.user_key(b"short", "ru-officer")


def test_concurrent_attempts_never_pass_the_limit(store: Store, tmp_path: Path) -> None:
    """Twelve attempts at once on one username, through two throttles (two processes):
    at most the limit get to check a password, and the blocked ones leave no row."""
    limits = Limits(per_user=3, per_address=100)
    gates = [SignInThrottle(tmp_path / "keys", limits=limits, clock=lambda: T0)
             for _ in range(2)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        attempts = list(pool.map(lambda i: gates[i % 2].begin(store, "ru-officer", f"10.0.0.{i}"),
                                 range(12)))
    passed = [a for a in attempts if a is not None]
    assert 1 <= len(passed) <= 3
    assert len(_rows(store)) == 2 * len(passed)
    while (late := gates[0].begin(store, "ru-officer", "10.0.1.1")) is not None:
        passed.append(late)  # a race can block too many, never let too many through
    assert len(passed) == 3
