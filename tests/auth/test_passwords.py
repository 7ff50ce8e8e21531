"""Passwords: argon2id hashes, the length policy, and one refusal for every failed sign-in."""

from __future__ import annotations

import time

import pytest
from sqlalchemy.orm import Session
from tests import factories

from trucewatch.auth.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    SIGN_IN_FAILED,
    authenticate,
    set_password,
)
from trucewatch.auth.principal import Role
from trucewatch.auth.service import create_user, deactivate_user, get_user, grant_role
from trucewatch.errors import InvalidInput, PermissionDenied
from trucewatch.log.models import LogEntry

GOOD = "correct horse battery staple"


@pytest.fixture
def user(session: Session) -> str:
    org = factories.organisation(session)
    create_user(session, username="rep", organisation=org, actor="test")
    grant_role(session, username="rep", role=Role.REPORTER, actor="test")
    set_password(session, username="rep", password=GOOD, actor="test")
    return "rep"


def test_the_hash_is_argon2id_and_salted(session: Session, user: str) -> None:
    first = get_user(session, user).password_hash
    assert first is not None and first.startswith("$argon2id$v=19$")
    set_password(session, username=user, password=GOOD, actor="test")
    assert get_user(session, user).password_hash != first  # a new salt each time


def test_sign_in_gives_the_users_principal(session: Session, user: str) -> None:
    principal = authenticate(session, username=user, password=GOOD)
    assert principal.actor == "user:rep" and principal.roles == {Role.REPORTER}


@pytest.mark.parametrize("username, password", [
    ("rep", "wrong horse battery staple"),
    ("rep", ""),
    ("rep", GOOD + "x" * MAX_LENGTH),
    ("nobody", GOOD),
    ("nobody", ""),
])
def test_every_failure_is_the_same_refusal(session: Session, user: str, username: str,
                                           password: str) -> None:
    with pytest.raises(PermissionDenied) as refused:
        authenticate(session, username=username, password=password)
    assert (refused.value.message, refused.value.field) == (SIGN_IN_FAILED, "credentials")


def test_no_password_and_deactivated_users_are_refused_alike(session: Session, user: str) -> None:
    create_user(session, username="nopass", organisation=get_user(session, user).organisation.slug,
                actor="test")
    for name in ("nopass",):
        with pytest.raises(PermissionDenied, match=SIGN_IN_FAILED):
            authenticate(session, username=name, password=GOOD)
    deactivate_user(session, username=user, actor="test")
    with pytest.raises(PermissionDenied, match=SIGN_IN_FAILED):
        authenticate(session, username=user, password=GOOD)


def test_an_unknown_user_costs_an_argon2_verify_too(session: Session, user: str) -> None:
    def cost(username: str) -> float:
        """The fastest of a few refusals: a stalled machine slows some, never all."""
        times = []
        for _ in range(4):
            start = time.perf_counter()
            with pytest.raises(PermissionDenied):
                authenticate(session, username=username, password="not the password at all")
            times.append(time.perf_counter() - start)
        return min(times)

    cost("nobody")  # the dummy hash is computed once, on first use
    known, unknown = cost(user), cost("nobody")
    # Both run one argon2 verification (about 0.1 s); a skipped one would be ~100 times faster.
    assert unknown > known / 5


def test_the_policy_names_the_field(session: Session, user: str) -> None:
    for bad in ("short", " " * (MIN_LENGTH + 1), "x" * (MAX_LENGTH + 1)):
        with pytest.raises(InvalidInput) as refused:
            set_password(session, username=user, password=bad, actor="test")
        assert refused.value.field == "password"


def test_the_log_records_the_change_never_the_password(session: Session, user: str) -> None:
    stored = get_user(session, user).password_hash
    assert stored is not None
    entries = session.query(LogEntry).filter(LogEntry.kind == "user.password_set").all()
    assert entries and all(GOOD not in e.body and stored not in e.body for e in entries)
    assert all(stored.split("$")[-1] not in e.body for e in session.query(LogEntry))
