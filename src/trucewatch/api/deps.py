"""What every route depends on: one store session per request (one transaction) and the caller.

The session is committed after the handler returns and before the response is sent, so a
client never sees a success that was not stored; an error rolls the whole request back.

The dependencies are ``async`` and touch the database from a worker thread only when they
must: each trip between the event loop and the thread pool cost a request a wake-up of
both and a turn of the GIL (the public's incident page went from four trips to one). A
session is opened in the event loop (no I/O until its first query); a request without a
token is the public at once; a read that ends its transaction itself (:func:`finish`)
leaves nothing to do afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

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


async def store_session(request: Request) -> AsyncIterator[Session]:
    """``Store.session()`` for one request: committed after the handler, rolled back on an
    error, closed either way; the commit and the rollback run in a worker thread, shielded
    from cancellation (a connection, and on SQLite the write turn, is never left behind)."""
    store: Store = request.app.state.store
    session = store.session_factory()
    try:
        yield session
    except BaseException:
        with anyio.CancelScope(shield=True):
            await _end(session, commit=False)
        raise
    with anyio.CancelScope(shield=True):
        await _end(session, commit=True)


async def _end(session: Session, *, commit: bool) -> None:
    if not session.in_transaction():  # nothing read or written, or finished already
        session.close()
        return
    await run_in_threadpool(_commit_or_roll_back, session, commit)


def _commit_or_roll_back(session: Session, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def finish(session: Session) -> None:
    """Commit the request's transaction now, in the handler's thread: for a read, which then
    hands its connection back before its answer is encoded (and needs no trip afterwards)."""
    session.commit()


SessionDep = Annotated[Session, Depends(store_session, scope="function")]


async def principal(request: Request, session: SessionDep) -> Principal:
    """The caller: the user of ``Authorization: Bearer <token>``, or the public without one.

    A token is looked up by its SHA-256 (``auth.tokens.resolve_token``), in a worker thread."""
    header = request.headers.get("authorization")
    if header is None:
        request.state.principal = PUBLIC
        return PUBLIC
    scheme, _, token = header.partition(" ")
    if scheme.lower() != BEARER or not token.strip():
        raise Unauthenticated("use Authorization: Bearer <token>", field="authorization")
    try:
        who = await run_in_threadpool(resolve_token, session, token.strip())
    except PermissionDenied as exc:
        raise Unauthenticated(exc.message, field="authorization") from None
    request.state.principal = who
    return who


PrincipalDep = Annotated[Principal, Depends(principal)]


async def settings(request: Request) -> Settings:
    value: Settings = request.app.state.settings
    return value


SettingsDep = Annotated[Settings, Depends(settings)]


async def keystore(request: Request) -> Keystore:
    """The server's keystore, for guarantors who let the server hold their signing key."""
    return Keystore(request.app.state.settings.keys_dir)


KeystoreDep = Annotated[Keystore, Depends(keystore)]
