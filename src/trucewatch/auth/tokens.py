"""API tokens: random, shown once, stored as SHA-256, with an expiry, revocable.

A token acts as its user with that user's roles. Only the user itself (or the operator
on the server) creates one: a token made by someone else would let its maker act as
the user. Revoking and listing other users' tokens is user management.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, select, update
from sqlalchemy.orm import Session

from trucewatch.actors.models import Actor
from trucewatch.auth.models import ApiToken, User, UserRole
from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal, Role
from trucewatch.auth.service import get_user
from trucewatch.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from trucewatch.log import service as log
from trucewatch.storage.base import utcnow

PREFIX = "twt_"  # recognisable in a leaked file or a secret scanner's rules
MAX_TTL = timedelta(days=366)
MAX_NAME = 120
LAST_USE_STEP = timedelta(minutes=1)  # how stale ``last_used_at`` may be
TOKEN_REFUSED = "invalid, expired or revoked token"
_NO_HASH = "0" * 64  # compared against when no row matches, so a miss costs what a hit does


@dataclass(frozen=True)
class IssuedToken:
    """A new token: ``token`` is the secret, shown this once and never stored."""

    id: int
    username: str
    name: str
    token: str
    expires_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, *, username: str, name: str, ttl: timedelta, actor: str,
                 principal: Principal | None = None, now: datetime | None = None) -> IssuedToken:
    user = get_user(session, username)
    if principal is not None and not principal.is_operator and principal.user_id != user.id:
        raise PermissionDenied("a token is created by its own user (or the operator)",
                               field="username")
    if not user.is_active:
        raise Conflict(f"{username} is deactivated", field="username")
    if not name.strip() or len(name) > MAX_NAME:
        raise InvalidInput(f"name the token (1–{MAX_NAME} characters), e.g. after the machine "
                           "that uses it", field="name")
    if not timedelta(0) < ttl <= MAX_TTL:
        raise InvalidInput(f"a token lives more than 0 seconds and at most {MAX_TTL.days} days",
                           field="ttl")
    now = now or utcnow()
    secret = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name.strip(), token_hash=token_hash(secret),
                   created_at=now, expires_at=now + ttl)
    session.add(row)
    session.flush()
    log.append(session, kind="token.created", subject=f"user:{username}", actor=actor,
               payload={"username": username, "token": row.id, "name": row.name,
                        "expires_at": _iso(row.expires_at)})
    return IssuedToken(row.id, username, row.name, secret, row.expires_at)


def resolve_token(session: Session, token: str, *, now: datetime | None = None) -> Principal:
    """The principal a token acts as; one refusal for unknown, expired, revoked or inactive."""
    now = now or utcnow()
    digest = token_hash(token)
    # One Core query built once, the roles joined (a row a role; the hash is unique): every
    # API request with a token runs it, and the ORM's objects cost seven times the query.
    found = session.execute(_RESOLVED, {"digest": digest}).all()
    row = found[0] if found else None
    same = hmac.compare_digest(row.token_hash if row is not None else _NO_HASH, digest)
    valid = (same and row is not None and row.is_active and row.revoked_at is None
             and now < row.expires_at)
    if not valid or row is None:
        raise PermissionDenied(TOKEN_REFUSED, field="token")
    if row.last_used_at is None or now - row.last_used_at >= LAST_USE_STEP:
        # A Core update: last use is bookkeeping, not a change of the mechanism's state;
        # written at most once a step, so that reading is not a write on every request.
        session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
    # as principal_for(user) gives it
    return Principal(actor=f"user:{row.username}", organisation_id=row.organisation_id,
                     organisation_slug=row.slug, user_id=row.user_id,
                     roles=frozenset(Role(r.role) for r in found if r.role is not None))


def _resolved_query() -> Select[Any]:
    tokens, users = cast(Table, ApiToken.__table__), cast(Table, User.__table__)
    roles, actors = cast(Table, UserRole.__table__), cast(Table, Actor.__table__)
    return (select(tokens.c.id, tokens.c.token_hash, tokens.c.expires_at, tokens.c.revoked_at,
                   tokens.c.last_used_at, users.c.id.label("user_id"), users.c.username,
                   users.c.is_active, users.c.organisation_id, actors.c.slug, roles.c.role)
            .join_from(tokens, users, users.c.id == tokens.c.user_id)
            .join(actors, actors.c.id == users.c.organisation_id)
            .outerjoin(roles, roles.c.user_id == users.c.id)
            .where(tokens.c.token_hash == bindparam("digest")))


_RESOLVED = _resolved_query()


def revoke_token(session: Session, *, token_id: int, actor: str,
                 principal: Principal | None = None, now: datetime | None = None) -> ApiToken:
    row = _get(session, token_id)
    user = session.get(User, row.user_id)
    assert user is not None  # a foreign key
    if principal is not None and principal.user_id != user.id:
        require(principal, Action.USER_MANAGE, organisation_id=user.organisation_id)
    if row.revoked_at is not None:
        raise Conflict(f"token {token_id} is revoked already", field="token")
    row.revoked_at = now or utcnow()
    session.flush()
    log.append(session, kind="token.revoked", subject=f"user:{user.username}", actor=actor,
               payload={"username": user.username, "token": row.id})
    return row


def list_tokens(session: Session, *, username: str,
                principal: Principal | None = None) -> list[ApiToken]:
    user = get_user(session, username)
    if principal is not None and principal.user_id != user.id:
        require(principal, Action.USER_MANAGE, organisation_id=user.organisation_id)
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                .order_by(ApiToken.id)))


def _get(session: Session, token_id: int) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(f"no token {token_id}", field="token")
    return row


def token_view(row: ApiToken, *, now: datetime | None = None) -> dict[str, Any]:
    """A token as listed: never the secret, never its hash."""
    now = now or utcnow()
    state = ("revoked" if row.revoked_at is not None
             else "expired" if row.expires_at <= now else "active")
    return {"id": row.id, "name": row.name, "state": state,
            "created_at": _iso(row.created_at), "expires_at": _iso(row.expires_at),
            "revoked_at": _iso(row.revoked_at), "last_used_at": _iso(row.last_used_at)}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None
