"""What every route depends on: one store session per request (one transaction) and the caller.

The session is committed after the handler returns and before the response is sent, so a
client never sees a success that was not stored; an error rolls the whole request back.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from trucewatch.auth.principal import PUBLIC, Principal
from trucewatch.auth.tokens import resolve_token
from trucewatch.config import Settings
from trucewatch.errors import PermissionDenied
from trucewatch.keys.signing import Keystore
from trucewatch.storage import Store

BEARER = "bearer"


class Unauthenticated(PermissionDenied):
    """No valid credentials: 401, with a ``WWW-Authenticate: Bearer`` challenge."""

    http_status = 401


def store_session(request: Request) -> Iterator[Session]:
    store: Store = request.app.state.store
    with store.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(store_session, scope="function")]


def principal(request: Request, session: SessionDep) -> Principal:
    """The caller: the user of ``Authorization: Bearer <token>``, or the public without one."""
    header = request.headers.get("authorization")
    if header is None:
        request.state.principal = PUBLIC
        return PUBLIC
    scheme, _, token = header.partition(" ")
    if scheme.lower() != BEARER or not token.strip():
        raise Unauthenticated("use Authorization: Bearer <token>", field="authorization")
    try:
        who = resolve_token(session, token.strip())
    except PermissionDenied as exc:
        raise Unauthenticated(exc.message, field="authorization") from None
    request.state.principal = who
    return who


PrincipalDep = Annotated[Principal, Depends(principal)]


def settings(request: Request) -> Settings:
    value: Settings = request.app.state.settings
    return value


SettingsDep = Annotated[Settings, Depends(settings)]


def keystore(request: Request) -> Keystore:
    """The server's keystore, for guarantors who let the server hold their signing key."""
    return Keystore(request.app.state.settings.keys_dir)


KeystoreDep = Annotated[Keystore, Depends(keystore)]


def username_of(who: Principal) -> str | None:
    return who.actor.removeprefix("user:") if who.actor.startswith("user:") else None
