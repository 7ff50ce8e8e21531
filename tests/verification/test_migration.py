"""Schema 0003 on a database that already holds 0002 verification rows."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from trucewatch.storage import open_store
from trucewatch.storage.engine import make_engine
from trucewatch.storage.migrate import upgrade


def test_upgrading_0002_files_old_denials_under_their_incidents_truce(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine, "0002")
    with engine.begin() as conn:
        for sql in (
            "INSERT INTO actors (id, slug, kind, description, created_at) VALUES "
            "(1, 'gov', 'organisation', '', '2017-01-01 00:00:00')",
            "INSERT INTO truces (id, slug, name, starts_at, terms, rule_kind, created_at) VALUES "
            "(7, 't', 'T', '2016-12-29 22:00:00', '', 'unanimity', '2017-01-01 00:00:00')",
            "INSERT INTO incidents (id, truce_id, title, status, occurred_start, occurred_end, "
            "time_precision, place_name, category, created_at, version) VALUES (3, 7, 'x', "
            "'open', '2017-01-02 00:00:00', '2017-01-03 00:00:00', 'day', '', 'shelling', "
            "'2017-01-04 00:00:00', 1)",
            "INSERT INTO access_denials (id, incident_id, denied_by_actor_id, kind, occurred_at, "
            "place_name, description, recorded_by, recorded_at) VALUES (1, 3, 1, 'access', "
            "'2017-01-05 00:00:00', '', '', 'x', '2017-01-05 00:00:00')",
        ):
            conn.execute(sa.text(sql))
    engine.dispose()
    store = open_store(url)
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT truce_id FROM access_denials")).scalar() == 7
        assert conn.execute(sa.text("SELECT count(*) FROM decision_signatures")).scalar() == 0
    store.dispose()
