"""Migration 0014 gives a database of the revision before it the incident list's covering
indexes, keeps its incidents and links, and takes the indexes back on downgrade; the pages
of a category and the linked reports are read through them (SQLite's plan says so)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from tests.migrations import empty_database

from trucewatch.storage import open_store
from trucewatch.storage.engine import make_engine
from trucewatch.storage.migrate import alembic_config, current_revision, upgrade

BEFORE = str(ScriptDirectory.from_config(alembic_config()).get_revision("0014").down_revision)
ADDED = {"incidents": {"ix_incidents_category_id_occurred",
                       "ix_incidents_published_category_id_occurred"},
         "incident_links": {"ix_incident_links_incident_unlinked_report"}}
REPLACED = {"incidents": {"ix_incidents_category_id"},
            "incident_links": {"ix_incident_links_incident_id"}}


def test_upgrade_adds_the_covering_indexes_and_keeps_rows_downgrade_restores(db_url: str) -> None:
    with empty_database(db_url) as url:  # db_url's own is migrated already
        engine = make_engine(url)
        upgrade(engine, BEFORE)
        with engine.begin() as conn:
            _one_incident_with_a_link(conn)
        assert _indexes(engine) >= _flat(REPLACED) and not _indexes(engine) & _flat(ADDED)
        engine.dispose()
        store = open_store(url)
        try:
            assert _indexes(store.engine) >= _flat(ADDED)
            assert not _indexes(store.engine) & _flat(REPLACED)
            with store.engine.connect() as conn:
                assert conn.execute(sa.text(
                    "SELECT incident_id, report_id FROM incident_links")).one() == (1, 1)
            command.downgrade(alembic_config(store.engine), BEFORE)
            assert current_revision(store.engine) == BEFORE
            assert _indexes(store.engine) >= _flat(REPLACED)
            assert not _indexes(store.engine) & _flat(ADDED)
        finally:
            store.dispose()


def test_sqlite_reads_a_category_page_and_its_links_through_the_indexes(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'plan.db'}")
    try:
        with store.engine.connect() as conn:
            page = _plan(conn, "SELECT id FROM incidents WHERE category = 'shelling' AND id > 0 "
                               "AND occurred_end > '2017-02-01' AND occurred_start < '2017-03-16' "
                               "AND published_at IS NOT NULL ORDER BY id LIMIT 51")
            links = _plan(conn, "SELECT report_id FROM incident_links WHERE incident_id = 1 "
                                "AND unlinked_at IS NULL")
        assert "ix_incidents_published_category_id_occurred" in page and "TEMP B-TREE" not in page
        assert "COVERING INDEX ix_incident_links_incident_unlinked_report" in links
    finally:
        store.dispose()


def _plan(conn: sa.Connection, sql: str) -> str:
    return " ".join(str(row[3]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))


def _one_incident_with_a_link(conn: sa.Connection) -> None:
    conn.execute(sa.text(
        "INSERT INTO actors (id, slug, kind, organisation_type, description, created_at) "
        "VALUES (1, 'joint-group', 'organisation', 'monitor', '', '2017-01-01 00:00:00')"))
    conn.execute(sa.text(
        "INSERT INTO reports (id, filed_by_org_id, idempotency_key, fingerprint, source_kind, "
        "source_description, occurred_start, occurred_end, time_precision, place_name, "
        "category, narrative, synthetic, received_at) VALUES (1, 1, 'k', :fp, 'monitor', '', "
        "'2017-01-02 00:00:00', '2017-01-03 00:00:00', 'day', 'Douma', 'shelling', '', false, "
        "'2017-01-02 00:00:00')"), {"fp": "0" * 64})
    conn.execute(sa.text(
        "INSERT INTO incidents (id, title, status, occurred_start, occurred_end, "
        "time_precision, place_name, category, created_at, version) VALUES (1, 't', 'open', "
        "'2017-01-02 00:00:00', '2017-01-03 00:00:00', 'day', 'Douma', 'shelling', "
        "'2017-01-02 00:00:00', 1)"))
    conn.execute(sa.text(
        "INSERT INTO incident_links (incident_id, report_id, linked_at, linked_by, link_reason) "
        "VALUES (1, 1, '2017-01-02 00:00:00', 'test', '')"))


def _indexes(engine: sa.Engine) -> set[str]:
    inspector = sa.inspect(engine)
    return {str(i["name"]) for table in ADDED for i in inspector.get_indexes(table)}


def _flat(names: dict[str, set[str]]) -> set[str]:
    return set().union(*names.values())
