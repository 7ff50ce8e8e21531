"""``backup`` and ``restore``: the store copied, restored into an empty one, and checked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from trucewatch.log.export import audit_database
from trucewatch.log.models import LogHead
from trucewatch.log.state import tracked_tables
from trucewatch.recovery.witnesses import Witness, check_witnesses
from trucewatch.storage import open_store
from trucewatch.storage.backup import BackupDone, backup, restore_into_empty

__all__ = ["BackupDone", "RestoreCheck", "backup", "restore"]


@dataclass
class RestoreCheck:
    """What the restored store holds, and whether it stands up to its log and the witnesses."""

    dialect: str
    log_size: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # the log audit's findings
    rollback: list[str] = field(default_factory=list)  # witnessed heads the store contradicts

    @property
    def ok(self) -> bool:
        return not self.problems and not self.rollback


def restore(src: Path, url: str, *, witnesses: Sequence[Witness] = ()) -> RestoreCheck:
    """Restore ``src`` into the empty store at ``url``, migrate it, audit it and compare it
    with the witnessed tree heads. The restored data stays whatever the verdict: it is
    what the backup held, and the report says what it lacks."""
    dialect = restore_into_empty(src, url)
    store = open_store(url)  # an older backup's schema is brought up to date here
    try:
        with store.session() as session:
            report = audit_database(session)
            head = session.get(LogHead, 1)
            check = RestoreCheck(dialect, log_size=head.size if head else 0)
            check.problems = [f"{p.where}: {p.message}" for p in report.problems]
            for table in tracked_tables():
                check.rows[table.name] = int(session.scalar(
                    select(func.count()).select_from(table)) or 0)
            check.rollback = check_witnesses(session, list(witnesses))
    finally:
        store.dispose()
    return check
