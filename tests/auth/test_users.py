"""User management: roles granted and revoked, deactivation, and who may do either."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests import factories

from trucewatch.auth.principal import Role, operator
from trucewatch.auth.service import (
    create_user,
    deactivate_user,
    get_user,
    grant_role,
    list_users,
    principal_for,
    revoke_role,
    user_view,
)
from trucewatch.errors import Conflict, InvalidInput, PermissionDenied
from trucewatch.log.models import LogEntry


@pytest.fixture
def org(session: Session) -> str:
    return factories.organisation(session)


def test_roles_are_granted_and_revoked_with_log_entries(session: Session, org: str) -> None:
    create_user(session, username="rep", organisation=org, actor="test")
    grant_role(session, username="rep", role="reporter", actor="test")
    grant_role(session, username="rep", role=Role.OBSERVER, actor="test")
    assert principal_for(get_user(session, "rep")).roles == {Role.REPORTER, Role.OBSERVER}
    revoke_role(session, username="rep", role="observer", actor="test")
    assert user_view(get_user(session, "rep"))["roles"] == ["reporter"]
    with pytest.raises(Conflict):
        revoke_role(session, username="rep", role="observer", actor="test")
    with pytest.raises(InvalidInput) as bad:
        revoke_role(session, username="rep", role="king", actor="test")
    assert bad.value.field == "role"
    kinds = [e.kind for e in session.scalars(select(LogEntry).where(
        LogEntry.subject == "user:rep").order_by(LogEntry.seq))]
    assert kinds == ["user.created", "user.role_granted", "user.role_granted",
                     "user.role_revoked"]


def test_a_deactivated_user_cannot_act(session: Session, org: str) -> None:
    create_user(session, username="rep", organisation=org, actor="test")
    deactivate_user(session, username="rep", actor="test")
    assert user_view(get_user(session, "rep"))["active"] is False
    with pytest.raises(PermissionDenied):
        principal_for(get_user(session, "rep"))
    with pytest.raises(Conflict):
        deactivate_user(session, username="rep", actor="test")


def test_only_administrators_manage_users_and_never_themselves(session: Session,
                                                               org: str) -> None:
    for name, role in (("admin", Role.ADMINISTRATOR), ("rep", Role.REPORTER)):
        create_user(session, username=name, organisation=org, actor="test")
        grant_role(session, username=name, role=role, actor="test")
    admin = principal_for(get_user(session, "admin"))
    rep = principal_for(get_user(session, "rep"))
    with pytest.raises(PermissionDenied):
        grant_role(session, username="rep", role="coordinator", actor=rep.actor, principal=rep)
    with pytest.raises(PermissionDenied):
        create_user(session, username="new", organisation=org, actor=rep.actor, principal=rep)
    with pytest.raises(PermissionDenied):
        list_users(session, principal=rep)
    with pytest.raises(PermissionDenied):  # no self-promotion
        grant_role(session, username="admin", role="guarantor_officer", actor=admin.actor,
                   principal=admin)
    with pytest.raises(PermissionDenied):
        deactivate_user(session, username="admin", actor=admin.actor, principal=admin)
    create_user(session, username="new", organisation=org, actor=admin.actor, principal=admin)
    grant_role(session, username="new", role="observer", actor=admin.actor, principal=admin)
    revoke_role(session, username="rep", role="reporter", actor=admin.actor, principal=admin)
    deactivate_user(session, username="rep", actor=admin.actor, principal=admin)
    assert [u.username for u in list_users(session, principal=admin)] == ["admin", "new", "rep"]
    assert list_users(session, principal=operator("cli:root"))
