"""Users and API tokens: administrators manage users; a user creates its own tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from trucewatch.api.deps import PrincipalDep, SessionDep
from trucewatch.api.pagination import Cursor, Limit, Page, after, decode_cursor, page
from trucewatch.api.problems import COMMON
from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import PUBLIC, Role
from trucewatch.auth.service import (
    create_user,
    deactivate_user,
    get_user,
    grant_role,
    list_users,
    revoke_role,
    user_view,
)
from trucewatch.auth.tokens import create_token, list_tokens, revoke_token, token_view
from trucewatch.errors import PermissionDenied

router = APIRouter(tags=["users and tokens"], responses=COMMON)
CONFLICT: dict[int | str, dict[str, Any]] = {409: COMMON[422] | {"description": "Conflict"}}


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=80)
    organisation: str = Field(min_length=1, max_length=300)
    display_name: str = Field(default="", max_length=200)
    roles: list[Role] = Field(default_factory=list, max_length=5)


class RoleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    days: int = Field(default=90, ge=1, le=366)


@router.get("/me", response_model=dict[str, Any])
def me(session: SessionDep, who: PrincipalDep) -> dict[str, Any]:
    """Who the token acts as (the public without one)."""
    if who is PUBLIC or who.user_id is None:
        return {"actor": who.actor, "user": None, "organisation": None, "roles": []}
    return {"actor": who.actor, "user": user_view(get_user(session, who.actor[5:])),
            "organisation": who.organisation_slug, "roles": sorted(who.roles)}


@router.get("/users", response_model=Page[dict[str, Any]])
def users(request: Request, response: Response, session: SessionDep, who: PrincipalDep,
          limit: Limit = 50, cursor: Cursor = None) -> dict[str, Any]:
    """Every user (administrators)."""
    rows = after(list_users(session, principal=who), after_id=decode_cursor(cursor),
                 limit=limit, key=lambda u: u.id)
    return page(rows, limit=limit, key=lambda u: u.id, request=request, response=response,
                view=user_view)


@router.post("/users", status_code=201, response_model=dict[str, Any], responses=CONFLICT)
def add_user(body: UserIn, session: SessionDep, who: PrincipalDep,
             response: Response) -> dict[str, Any]:
    """Add a user of an organisation, with roles (administrators)."""
    require(who, Action.USER_MANAGE)
    user = create_user(session, username=body.username, organisation=body.organisation,
                       display_name=body.display_name, actor=who.actor, principal=who)
    for role in body.roles:
        user = grant_role(session, username=user.username, role=role, actor=who.actor,
                          principal=who)
    response.headers["Location"] = f"/api/v1/users/{user.username}"
    return user_view(user)


@router.get("/users/{username}", response_model=dict[str, Any])
def read_user(username: str, session: SessionDep, who: PrincipalDep) -> dict[str, Any]:
    """One user (the user itself, or an administrator)."""
    user = get_user(session, username)
    if who.user_id != user.id:
        require(who, Action.USER_MANAGE, organisation_id=user.organisation_id)
    return user_view(user)


@router.post("/users/{username}/roles", response_model=dict[str, Any], responses=CONFLICT)
def grant(username: str, body: RoleIn, session: SessionDep, who: PrincipalDep) -> dict[str, Any]:
    """Grant a role (administrators; nobody changes their own)."""
    return user_view(grant_role(session, username=username, role=body.role, actor=who.actor,
                                principal=who))


@router.delete("/users/{username}/roles/{role}", response_model=dict[str, Any],
               responses=CONFLICT)
def revoke(username: str, role: Role, session: SessionDep, who: PrincipalDep) -> dict[str, Any]:
    """Revoke a role (administrators)."""
    return user_view(revoke_role(session, username=username, role=role, actor=who.actor,
                                 principal=who))


@router.post("/users/{username}/deactivation", response_model=dict[str, Any],
             responses=CONFLICT)
def deactivate(username: str, session: SessionDep, who: PrincipalDep) -> dict[str, Any]:
    """Deactivate a user: its tokens stop working (administrators)."""
    return user_view(deactivate_user(session, username=username, actor=who.actor, principal=who))


@router.get("/users/{username}/tokens", response_model=list[dict[str, Any]])
def tokens(username: str, session: SessionDep, who: PrincipalDep) -> list[dict[str, Any]]:
    """A user's tokens, never their secrets (the user itself, or an administrator)."""
    if who.user_id is None:
        raise PermissionDenied("sign in to list tokens", field="authorization")
    return [token_view(t) for t in list_tokens(session, username=username, principal=who)]


@router.post("/users/{username}/tokens", status_code=201, response_model=dict[str, Any],
             responses=CONFLICT)
def new_token(username: str, body: TokenIn, session: SessionDep,
              who: PrincipalDep) -> dict[str, Any]:
    """Create a token for yourself; ``token`` is shown this once and never again."""
    if who.user_id is None:
        raise PermissionDenied("sign in to create a token", field="authorization")
    issued = create_token(session, username=username, name=body.name,
                          ttl=timedelta(days=body.days), actor=who.actor, principal=who)
    return {"id": issued.id, "username": issued.username, "name": issued.name,
            "token": issued.token,
            "expires_at": issued.expires_at.isoformat().replace("+00:00", "Z")}


@router.delete("/tokens/{token_id}", response_model=dict[str, Any], responses=CONFLICT)
def revoke_(token_id: int, session: SessionDep, who: PrincipalDep) -> dict[str, Any]:
    """Revoke a token (its user, or an administrator)."""
    if who.user_id is None:
        raise PermissionDenied("sign in to revoke a token", field="authorization")
    return token_view(revoke_token(session, token_id=token_id, actor=who.actor, principal=who))
