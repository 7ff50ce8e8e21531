"""API tokens: shown once, stored as SHA-256, refused once expired, revoked or deactivated."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests import factories

from trucewatch.auth.models import ApiToken
from trucewatch.auth.principal import Role
from trucewatch.auth.service import create_user, deactivate_user, get_user, grant_role, principal_for
from trucewatch.auth.tokens import (
    PREFIX,
    TOKEN_REFUSED,
    create_token,
    list_tokens,
    resolve_token,
    revoke_token,
    token_view,
)
from trucewatch.errors import Conflict, InvalidInput, PermissionDenied
from trucewatch.log.models import LogEntry
from trucewatch.storage import Store

NOW = datetime(2017, 2, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def org(session: Session) -> str:
    org = factories.organisation(session)
    for name in ("rep", "other"):
        create_user(session, username=name, organisation=org, actor="test")
        grant_role(session, username=name, role=Role.REPORTER, actor="test")
    return org


def test_a_token_is_shown_once_and_only_its_hash_is_kept(session: Session, org: str) -> None:
    issued = create_token(session, username="rep", name="laptop", ttl=30 * DAY, actor="test",
                          now=NOW)
    assert issued.token.startswith(PREFIX) and len(issued.token) > len(PREFIX) + 40
    assert issued.expires_at == NOW + 30 * DAY
    row = session.get(ApiToken, issued.id)
    assert row is not None and issued.token not in row.token_hash
    assert row.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    listed = [token_view(t, now=NOW) for t in list_tokens(session, username="rep")]
    assert listed == [{"id": issued.id, "name": "laptop", "state": "active",
                       "created_at": "2017-02-01T12:00:00Z", "expires_at": "2017-03-03T12:00:00Z",
                       "revoked_at": None, "last_used_at": None}]
    bodies = " ".join(e.body for e in session.scalars(select(LogEntry)))
    assert issued.token not in bodies and row.token_hash not in bodies
    again = create_token(session, username="rep", name="phone", ttl=DAY, actor="test", now=NOW)
    assert again.token != issued.token


def test_a_token_acts_as_its_user_until_it_expires(session: Session, org: str) -> None:
    issued = create_token(session, username="rep", name="cli", ttl=DAY, actor="test", now=NOW)
    principal = resolve_token(session, issued.token, now=NOW + DAY - timedelta(seconds=1))
    assert principal == principal_for(get_user(session, "rep"))
    assert session.get(ApiToken, issued.id).last_used_at is not None  # type: ignore[union-attr]
    with pytest.raises(PermissionDenied, match=TOKEN_REFUSED):
        resolve_token(session, issued.token, now=NOW + DAY)


@pytest.mark.parametrize("token", ["", PREFIX, PREFIX + "x" * 43, "not a token at all"])
def test_unknown_tokens_get_the_same_refusal(session: Session, org: str, token: str) -> None:
    create_token(session, username="rep", name="cli", ttl=DAY, actor="test", now=NOW)
    with pytest.raises(PermissionDenied) as refused:
        resolve_token(session, token, now=NOW)
    assert (refused.value.message, refused.value.field) == (TOKEN_REFUSED, "token")


def test_revoked_tokens_and_deactivated_users_are_refused(session: Session, org: str) -> None:
    first = create_token(session, username="rep", name="a", ttl=DAY, actor="test", now=NOW)
    second = create_token(session, username="rep", name="b", ttl=DAY, actor="test", now=NOW)
    revoke_token(session, token_id=first.id, actor="test")
    with pytest.raises(PermissionDenied, match=TOKEN_REFUSED):
        resolve_token(session, first.token, now=NOW)
    with pytest.raises(Conflict):
        revoke_token(session, token_id=first.id, actor="test")
    assert resolve_token(session, second.token, now=NOW).actor == "user:rep"
    deactivate_user(session, username="rep", actor="test")
    with pytest.raises(PermissionDenied, match=TOKEN_REFUSED):
        resolve_token(session, second.token, now=NOW)
    with pytest.raises(Conflict):
        create_token(session, username="rep", name="c", ttl=DAY, actor="test", now=NOW)
    kinds = [e.kind for e in session.scalars(select(LogEntry).where(
        LogEntry.subject == "user:rep").order_by(LogEntry.seq))]
    assert kinds[-4:] == ["token.created", "token.created", "token.revoked", "user.deactivated"]


def test_only_the_user_itself_creates_its_tokens(session: Session, org: str) -> None:
    other = principal_for(get_user(session, "other"))
    with pytest.raises(PermissionDenied):
        create_token(session, username="rep", name="x", ttl=DAY, actor=other.actor,
                     principal=other)
    mine = create_token(session, username="other", name="x", ttl=DAY, actor=other.actor,
                        principal=other, now=NOW)
    with pytest.raises(PermissionDenied):
        list_tokens(session, username="rep", principal=other)
    assert [t.id for t in list_tokens(session, username="other", principal=other)] == [mine.id]
    rep = principal_for(get_user(session, "rep"))
    with pytest.raises(PermissionDenied):
        revoke_token(session, token_id=mine.id, actor=rep.actor, principal=rep)
    revoke_token(session, token_id=mine.id, actor=other.actor, principal=other)


@pytest.mark.parametrize("name, ttl, field", [
    ("", DAY, "name"), ("x" * 121, DAY, "name"),
    ("cli", timedelta(0), "ttl"), ("cli", timedelta(days=367), "ttl"),
])
def test_bad_token_requests_name_the_field(session: Session, org: str, name: str,
                                           ttl: timedelta, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        create_token(session, username="rep", name=name, ttl=ttl, actor="test")
    assert refused.value.field == field


def test_a_token_carries_every_role_of_its_user(store: Store) -> None:
    roles = {Role.REPORTER, Role.OBSERVER, Role.COORDINATOR}
    with store.session() as s:
        org = factories.organisation(s)
        create_user(s, username="multi", organisation=org, actor="test")
        for role in roles:
            grant_role(s, username="multi", role=role, actor="test")
        issued = create_token(s, username="multi", name="cli", ttl=DAY, actor="test", now=NOW)
    with store.session() as s:  # nothing loaded yet: the token, user and roles in one query
        who = resolve_token(s, issued.token, now=NOW)
        assert who == principal_for(get_user(s, "multi"))
    assert who.roles == roles and who.organisation_slug == org
