"""Filing looks up less than it did (the caller's organisation and user from its principal,
every actor a batch names in one statement built once, the truces read once) and writes
exactly what it wrote: the same log entry, byte for byte, whichever way the filer is known."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from tests import factories

from trucewatch.actors.service import search_actors_many
from trucewatch.auth.tokens import create_token, resolve_token
from trucewatch.log.models import LogEntry
from trucewatch.reports import service
from trucewatch.reports.service import file_reports
from trucewatch.storage import Store

FROZEN = datetime(2026, 11, 29, 18, 0, 0, 123456, tzinfo=UTC)

GROUP = [
    factories.report(idempotency_key="same-1", alleged_actor="armed-opposition",
                     affected_actor="Syrian government"),
    factories.report(idempotency_key="same-2", occurred="2017-W04", truce=None, latitude=None,
                     longitude=None, casualties=[]),
    factories.report(idempotency_key="same-3", occurred="2017-02-03T04:05:00+03:00",
                     alleged_actor=" armed-opposition ",
                     casualties=[{"outcome": "injured", "group": "unknown", "best": 4}]),
]


def _filed_entry(store: Store, token: str, *, with_principal: bool) -> tuple[bytes, list[int]]:
    """File GROUP as gov-reporter, its filer known from the principal or looked up, and
    roll back: (the filing entry's body, the report ids)."""
    session = store.session_factory()
    try:
        principal = resolve_token(session, token)
        filed = file_reports(session, submissions=GROUP, organisation="syrian-government",
                             user="gov-reporter", actor=principal.actor,
                             principal=principal if with_principal else None)
        body = session.scalar(select(LogEntry.body).where(LogEntry.kind == "reports.filed"))
        assert body is not None
        return (body if isinstance(body, bytes) else body.encode()), [f.id for f in filed]
    finally:
        session.rollback()
        session.close()


# SQLite only: the two filings are rolled back so that both get the same ids, which a
# rolled-back transaction gives back on SQLite and not on PostgreSQL (its sequences).
@pytest.mark.parametrize("demo_db_url", ["sqlite"], indirect=True)
def test_a_filing_logs_the_same_bytes_whether_its_filer_is_known_or_looked_up(
        demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    with demo_store.session() as s:
        token = create_token(s, username="gov-reporter", name="test", ttl=timedelta(days=1),
                             actor="test").token
    monkeypatch.setattr("trucewatch.reports.service.utcnow", lambda: FROZEN)
    monkeypatch.setattr("trucewatch.log.service.utcnow", lambda: FROZEN)
    known, known_ids = _filed_entry(demo_store, token, with_principal=True)
    looked_up, looked_up_ids = _filed_entry(demo_store, token, with_principal=False)
    assert known_ids == looked_up_ids
    assert known == looked_up
    assert b'"filed_by":{"organisation":"syrian-government","user":"gov-reporter"}' in \
        known.replace(b" ", b"")


REFERENCES = ["armed-opposition", " armed-opposition ", "Syrian government",
              "SYRIAN  GOVERNMENT", "nobody at all", "", "   ", "syrian-government",
              "Jaysh al-Islam", "jaysh-al-islam"]


def test_the_actors_a_batch_names_resolve_as_search_actors_many_resolves_them(
        demo_store: Store) -> None:
    with demo_store.session() as s:
        ambiguous = factories.organisation(s, aliases=("The Twins",))
        factories.organisation(s, aliases=("The Twins",))
        refs = [*REFERENCES, "the twins", ambiguous]
        expected = {ref: [(a.id, a.slug, a.kind) for a in found]
                    for ref, found in search_actors_many(s, refs).items()}
        named = {ref: [(a.id, a.slug, a.kind) for a in found]
                 for ref, found in service._actors_named(s, refs).items()}
    assert named == expected
    assert len(named["the twins"]) == 2 and named["nobody at all"] == []
