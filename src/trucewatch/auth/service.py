"""The users of the mechanism: register them, grant and revoke their roles, deactivate them.

Passwords are in :mod:`trucewatch.auth.passwords`, API tokens in :mod:`trucewatch.auth.tokens`.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trucewatch.actors.enums import ActorKind
from trucewatch.actors.service import find_actor
from trucewatch.auth.models import User, UserRole
from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal, Role
from trucewatch.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from trucewatch.log import service as log

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")


def create_user(session: Session, *, username: str, organisation: str, display_name: str = "",
                actor: str, principal: Principal | None = None) -> User:
    if not USERNAME.match(username):
        raise InvalidInput("use 2–80 lower-case letters, digits, '.', '_' or '-'",
                           field="username")
    org = find_actor(session, organisation, field="organisation", kind=ActorKind.ORGANISATION)
    if principal is not None:
        require(principal, Action.USER_MANAGE, organisation_id=org.id)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"a user {username!r} exists already", field="username")
    user = User(username=username, organisation_id=org.id, display_name=display_name)
    session.add(user)
    session.flush()
    log.append(session, kind="user.created", subject=f"user:{username}", actor=actor,
               payload={"username": username, "organisation": org.slug,
                        "display_name": display_name})
    return user


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}", field="user")
    return user


def list_users(session: Session, *, principal: Principal | None = None) -> list[User]:
    if principal is not None:
        require(principal, Action.USER_MANAGE)
    return list(session.scalars(select(User).order_by(User.username)))


def principal_for(user: User) -> Principal:
    """The principal a signed-in (or impersonated, on the command line) user acts as."""
    if not user.is_active:
        raise PermissionDenied(f"{user.username} is deactivated", field="user")
    return Principal(actor=f"user:{user.username}", organisation_id=user.organisation_id,
                     organisation_slug=user.organisation.slug, user_id=user.id,
                     roles=frozenset(Role(r.role) for r in user.roles))


def _managed(session: Session, username: str, principal: Principal | None) -> User:
    """The user to change, if ``principal`` may manage it; nobody changes their own roles."""
    user = get_user(session, username)
    if principal is not None:
        require(principal, Action.USER_MANAGE, organisation_id=user.organisation_id)
        if principal.user_id == user.id:
            raise PermissionDenied("an administrator cannot change their own roles or standing",
                                   field="username")
    return user


def _role(value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a role ({', '.join(r.value for r in Role)})",
                           field="role") from None


def grant_role(session: Session, *, username: str, role: Role | str, actor: str,
               principal: Principal | None = None) -> User:
    user = _managed(session, username, principal)
    role = _role(role)
    if any(r.role == role.value for r in user.roles):
        raise Conflict(f"{username} is already {role.value}", field="role")
    user.roles.append(UserRole(role=role.value, granted_by=actor))
    session.flush()
    log.append(session, kind="user.role_granted", subject=f"user:{username}", actor=actor,
               payload={"username": username, "role": role.value})
    return user


def revoke_role(session: Session, *, username: str, role: Role | str, actor: str,
                principal: Principal | None = None) -> User:
    user = _managed(session, username, principal)
    role = _role(role)
    held = next((r for r in user.roles if r.role == role.value), None)
    if held is None:
        raise Conflict(f"{username} is not {role.value}", field="role")
    user.roles.remove(held)
    session.flush()
    log.append(session, kind="user.role_revoked", subject=f"user:{username}", actor=actor,
               payload={"username": username, "role": role.value})
    return user


def deactivate_user(session: Session, *, username: str, actor: str,
                    principal: Principal | None = None) -> User:
    """Stop a user from signing in or using tokens; the user and its history stay."""
    user = _managed(session, username, principal)
    if not user.is_active:
        raise Conflict(f"{username} is deactivated already", field="username")
    user.is_active = False
    session.flush()
    log.append(session, kind="user.deactivated", subject=f"user:{username}", actor=actor,
               payload={"username": username})
    return user


def user_view(user: User) -> dict[str, Any]:
    return {"username": user.username, "organisation": user.organisation.slug,
            "display_name": user.display_name, "active": user.is_active,
            "roles": [r.role for r in user.roles],
            "has_password": user.password_hash is not None}
