"""Load, the bounded quick version: 8 clients send the mixed workload of ``bench/load.py`` to
the real server for 10 s, on SQLite and on PostgreSQL. No request fails, every acknowledged
report is stored exactly once under the id acknowledged, nothing is stored twice, every
assessment answered 201 is stored, and the log audits clean. The full run (1, 8 and 64
clients on 20,000 incidents) is ``bench/load.py`` (docs/reliability.md)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.reliability.load import (
    OFFICER,
    REPORTER,
    Server,
    Workload,
    before,
    check,
    issue_token,
    run_level,
    setup_round,
    summary,
)
from trucewatch.keys.signing import Keystore
from trucewatch.log.export import audit_database
from trucewatch.storage import open_store

CLIENTS = 8
SECONDS = 10.0


def test_mixed_load_loses_nothing_and_stores_nothing_twice(demo_db_url: str,
                                                           tmp_path: Path) -> None:
    store = open_store(demo_db_url)
    round_id = setup_round(store, Keystore(Path(os.environ["TRUCEWATCH_KEYS_DIR"])))
    work = Workload(reporter_token=issue_token(store, REPORTER),
                    officer_token=issue_token(store, OFFICER), round_id=round_id,
                    last_incident=before(store).last_incident, prefix="load-ci")
    was = before(store)
    store.dispose()
    server = Server(demo_db_url, tmp_path / "server.log")
    server.start()
    try:
        level = run_level(server.base, work, CLIENTS, SECONDS, seed=20170123, timeout=60)
    finally:
        server.stop()
    print(summary(level))
    assert all(k.ok > 0 for k in level.kinds.values()), summary(level)  # every kind was tried

    store = open_store(demo_db_url)
    try:
        checks = check(store, work, [level], was)
        assert all(checks.values()), [name for name, ok in checks.items() if not ok] + [
            summary(level), (tmp_path / "server.log").read_text()[-2000:]]
        with store.session() as s:
            audit = audit_database(s)  # every table row against the log, as `log verify`
        assert audit.ok, audit.problems[:5]
    finally:
        store.dispose()
