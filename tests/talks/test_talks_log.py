"""Talks rows are in the log like every other change: the audit finds a reply changed in SQL,
and a talks change without its entry cannot commit (on both stores)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from trucewatch.log.export import audit_database
from trucewatch.log.state import UnloggedChange
from trucewatch.storage import Store
from trucewatch.talks.models import Invitation


def test_the_demo_talks_audit_clean_and_an_sql_update_is_named(demo_store: Store) -> None:
    with demo_store.session() as s:
        assert audit_database(s).ok
        hijab = s.scalar(sa.select(Invitation.id).where(Invitation.note.like("%HNC added%")))
    with demo_store.engine.begin() as conn:  # someone turns the refusal into an acceptance
        conn.execute(sa.text("UPDATE invitations SET status = 'accepted' WHERE id = :id"),
                     {"id": hijab})
    with demo_store.session() as s:
        (problem,) = audit_database(s).problems
    assert problem.where == f"invitations {hijab} status" and problem.seq is not None


def test_a_talks_change_without_its_entry_cannot_commit(demo_store: Store) -> None:
    with pytest.raises(UnloggedChange), demo_store.session() as s:
        invitation = s.scalars(sa.select(Invitation)).first()
        assert invitation is not None
        invitation.status = "withdrawn"
    with demo_store.session() as s:
        assert "withdrawn" not in set(s.scalars(sa.select(Invitation.status)))
