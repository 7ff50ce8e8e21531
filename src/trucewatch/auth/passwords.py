"""Passwords: argon2id hashes, a length policy, and a sign-in that fails the same way every time.

A wrong password, an unknown user, a user without a password and a deactivated user
all raise the same :class:`PermissionDenied` after the same argon2 work, so neither
the message nor the time taken tells whether a username exists.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from trucewatch.auth.models import User
from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal
from trucewatch.auth.service import get_user, principal_for
from trucewatch.errors import InvalidInput, PermissionDenied
from trucewatch.log import service as log

MIN_LENGTH = 12
MAX_LENGTH = 1024  # argon2 hashes any length; a cap keeps a request from costing minutes
SIGN_IN_FAILED = "unknown user or wrong password"

# argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 0.1 s a sign-in on
# a small server. Each hash records its parameters, so raising them later still verifies old ones.
HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


@cache
def _dummy_hash() -> str:
    """A hash to verify against when there is no real one, so every failure costs the same."""
    return HASHER.hash("trucewatch: no such user, no such password")


def check_policy(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"use at least {MIN_LENGTH} characters", field="password")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"use at most {MAX_LENGTH} characters", field="password")
    if not password.strip():
        raise InvalidInput("a password cannot be only spaces", field="password")


def hash_password(password: str) -> str:
    check_policy(password)
    return HASHER.hash(password)


def set_password(session: Session, *, username: str, password: str, actor: str,
                 principal: Principal | None = None) -> User:
    """Set a user's password: the user itself, or whoever may manage users. The log records
    that it changed, never the password or its hash."""
    user = get_user(session, username)
    if principal is not None and principal.user_id != user.id:
        require(principal, Action.USER_MANAGE, organisation_id=user.organisation_id)
    user.password_hash = hash_password(password)
    session.flush()
    log.append(session, kind="user.password_set", subject=f"user:{username}", actor=actor,
               payload={"username": username, "by_self": principal is not None
                        and principal.user_id == user.id})
    return user


def _verify(stored: str, password: str) -> bool:
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(session: Session, *, username: str, password: str) -> Principal:
    """The principal of a user signing in; one generic refusal for every way it can fail."""
    user = session.scalar(select(User).where(User.username == username))
    stored = user.password_hash if user is not None else None
    # Verify even when there is nothing to verify against, so a miss takes as long as a hit.
    matches = _verify(stored if stored is not None else _dummy_hash(), password[:MAX_LENGTH])
    too_long = len(password) > MAX_LENGTH  # never a match: no stored password is this long
    if user is None or stored is None or not matches or too_long or not user.is_active:
        raise PermissionDenied(SIGN_IN_FAILED, field="credentials")
    return principal_for(user)
