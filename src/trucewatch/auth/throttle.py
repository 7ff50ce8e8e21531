"""The sign-in limit: failed sign-ins per username and per client address, in the database.

Every server process reads and writes the same ``sign_in_failures`` rows, so N processes
give an attacker no more attempts than one, and a restart clears nothing. A row holds a
keyed hash (HMAC-SHA256) of the lower-cased username or of the address, never the value.
Each write deletes the rows older than the window, so the table holds at most two rows per
password check of the last window.

A caller that wants the limit to hold under concurrent requests records the attempt with
:func:`failed` and commits *before* checking the password, then asks :func:`blocked` with
``besides=`` that attempt: of two concurrent attempts the later check sees both, so no
more than the limit get their password checked. A blocked attempt is :func:`withdrawn`,
a successful one cleared by :func:`succeeded`; a failed one stays as the failure.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from trucewatch.auth.models import SignInFailure
from trucewatch.errors import InvalidInput
from trucewatch.storage.base import utcnow


@dataclass(frozen=True)
class Limits:
    per_user: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)

    def __post_init__(self) -> None:
        if self.per_user < 1 or self.per_address < 1:
            raise InvalidInput("allow at least one failed sign-in", field="limits")
        if self.window <= timedelta(0):
            raise InvalidInput("the window must be longer than nothing", field="limits.window")


LIMITS = Limits()


@dataclass(frozen=True)
class Attempt:
    """The two rows one sign-in attempt wrote (its username's and its address's)."""

    user_row: int
    address_row: int


def user_key(key: bytes, username: str) -> str:
    return _keyed(key, "user", username.strip().lower())


def address_key(key: bytes, address: str) -> str:
    return _keyed(key, "address", client_network(address))


def client_network(address: str) -> str:
    """What the address limit counts by: an IPv4 address itself, an IPv6 address by its /64
    (one subscriber's block: counting single IPv6 addresses would give one client 2**64
    fresh counts). Anything else (e.g. "unknown") as it is."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _keyed(key: bytes, kind: str, value: str) -> str:
    if len(key) < 16:
        raise InvalidInput("the sign-in limit's key must be at least 16 bytes", field="key")
    # The kind is part of the message: a username that looks like an address is another key.
    return hmac.new(key, f"{kind}\0{value}".encode(), hashlib.sha256).hexdigest()


def _count(session: Session, key: str, since: datetime, besides: tuple[int, ...]) -> int:
    query = select(func.count()).select_from(SignInFailure).where(
        SignInFailure.key == key, SignInFailure.at > since)
    if besides:
        query = query.where(SignInFailure.id.not_in(besides))
    return int(session.scalar(query) or 0)


def blocked(session: Session, *, key: bytes, username: str, address: str,
            now: datetime | None = None, limits: Limits = LIMITS,
            besides: Attempt | None = None) -> bool:
    """Whether the username or the address has reached its limit of failures within the
    window (not counting the rows of ``besides``, the attempt being decided)."""
    since = (now or utcnow()) - limits.window
    own = (besides.user_row, besides.address_row) if besides else ()
    return (_count(session, user_key(key, username), since, own) >= limits.per_user
            or _count(session, address_key(key, address), since, own) >= limits.per_address)


def failed(session: Session, *, key: bytes, username: str, address: str,
           now: datetime | None = None, limits: Limits = LIMITS) -> Attempt:
    """Record a failed sign-in (or one whose password is about to be checked) against the
    username and the address, and delete the rows older than the window."""
    at = now or utcnow()
    session.execute(delete(SignInFailure).where(SignInFailure.at <= at - limits.window))
    user_row = SignInFailure(key=user_key(key, username), at=at)
    address_row = SignInFailure(key=address_key(key, address), at=at)
    session.add_all([user_row, address_row])
    session.flush()
    return Attempt(user_row=user_row.id, address_row=address_row.id)


def withdrawn(session: Session, *, attempt: Attempt) -> None:
    """Forget an attempt whose password was never checked (it was blocked)."""
    session.execute(delete(SignInFailure).where(
        SignInFailure.id.in_((attempt.user_row, attempt.address_row))))


def succeeded(session: Session, *, key: bytes, username: str,
              attempt: Attempt | None = None) -> None:
    """A sign-in succeeded: clear the username's failures, and this attempt's own row for
    the address (a success counts against nobody). Other failures from the address stay."""
    query = delete(SignInFailure).where(SignInFailure.key == user_key(key, username))
    if attempt is not None:
        query = delete(SignInFailure).where(or_(
            SignInFailure.key == user_key(key, username), SignInFailure.id == attempt.address_row))
    session.execute(query)
