"""Register the users of the mechanism (roles and credentials arrive with access control)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from trucewatch.actors.enums import ActorKind
from trucewatch.actors.service import find_actor
from trucewatch.auth.models import User, UserRole
from trucewatch.auth.principal import Principal, Role
from trucewatch.errors import Conflict, InvalidInput, NotFound
from trucewatch.log import service as log

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")


def create_user(session: Session, *, username: str, organisation: str, display_name: str = "",
                actor: str) -> User:
    if not USERNAME.match(username):
        raise InvalidInput("use 2–80 lower-case letters, digits, '.', '_' or '-'",
                           field="username")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"a user {username!r} exists already", field="username")
    org = find_actor(session, organisation, field="organisation", kind=ActorKind.ORGANISATION)
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


def principal_for(user: User) -> Principal:
    """The principal a signed-in (or impersonated, on the command line) user acts as."""
    return Principal(actor=f"user:{user.username}", organisation_id=user.organisation_id,
                     organisation_slug=user.organisation.slug, user_id=user.id,
                     roles=frozenset(Role(r.role) for r in user.roles))


def grant_role(session: Session, *, username: str, role: Role | str, actor: str) -> User:
    user = get_user(session, username)
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(f"{role!r} is not a role ({', '.join(r.value for r in Role)})",
                           field="role") from None
    if any(r.role == role.value for r in user.roles):
        raise Conflict(f"{username} is already {role.value}", field="role")
    user.roles.append(UserRole(role=role.value, granted_by=actor))
    session.flush()
    log.append(session, kind="user.role_granted", subject=f"user:{username}", actor=actor,
               payload={"username": username, "role": role.value})
    return user
