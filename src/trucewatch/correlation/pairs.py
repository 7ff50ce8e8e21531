"""Writing scored pairs as candidate links, with their log entries: a linked pair alone
(beside the incident change it made), the queued pairs of one match or pass together.

Queuing pairs changes nothing but the queue, so the pairs queued in one transaction are one
state change and one entry, as a batch of reports filed together is (docs/log.md): a single
pair is ``correlation.pair_queued`` (subject ``candidate:<id>``), several are
``correlation.pairs_queued`` (subject ``candidates:<first id>-<last id>``, a payload listing
each pair's candidate id, reports and score; the reasons are in the entry's row snapshots,
once), up to :data:`PAIRS_PER_ENTRY` pairs per entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from trucewatch.correlation.models import CandidateLink
from trucewatch.log import service as log
from trucewatch.log.state import core_row_state
from trucewatch.storage.base import utcnow

_CANDIDATES = cast(Table, CandidateLink.__table__)
PAIRS_PER_ENTRY = 1000  # bounds one entry's body (a pass may queue tens of thousands)


@dataclass(frozen=True)
class Queued:
    """A pair to queue for an officer: (lower id, higher id), its truce and its reasons."""

    pair: tuple[int, int]
    truce: int | None
    reason: dict[str, object]


def _payload(row: dict[str, Any], incident: int | None) -> dict[str, Any]:
    return {"candidate": row["id"], "reports": [row["report_a_id"], row["report_b_id"]],
            "score": row["score"], "reasons": row["reasons"], "incident": incident}


def _row(pair: tuple[int, int], truce: int | None, reason: dict[str, object], *, status: str,
         incident: int | None, actor: str, now: Any) -> dict[str, Any]:
    return {"report_a_id": pair[0], "report_b_id": pair[1], "truce_id": truce,
            "score": float(reason["score"]),  # type: ignore[arg-type]
            "reasons": reason, "status": status, "created_at": now, "created_by": actor,
            "decided_at": None, "decided_by": None, "decision_reason": "",
            "incident_id": incident}


def _insert(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows``, setting each one's id (a pair is unique, so ids map back by pair)."""
    returned = session.execute(insert(_CANDIDATES).returning(
        _CANDIDATES.c.id, _CANDIDATES.c.report_a_id, _CANDIDATES.c.report_b_id), rows)
    ids = {(a, b): i for i, a, b in returned}
    for row in rows:
        row["id"] = ids[(row["report_a_id"], row["report_b_id"])]


@dataclass(frozen=True)
class Linked:
    """A pair linked automatically into ``incident``: (lower id, higher id), its truce and
    its reasons."""

    pair: tuple[int, int]
    truce: int | None
    reason: dict[str, object]
    incident: int


def record_linked(session: Session, pair: tuple[int, int], *, truce: int | None,
                  reason: dict[str, object], incident: int, actor: str) -> None:
    """A pair linked automatically into ``incident``: its row and ``correlation.pair_linked``."""
    session.flush()  # the incident change first, as an ORM insert would
    log.record_many(session, actor=actor, entries=linked_entries(
        session, [Linked(pair, truce, reason, incident)], actor=actor))


def linked_entries(session: Session, linked: Sequence[Linked], *,
                   actor: str) -> list[log.PendingEntry]:
    """Pairs linked automatically: their rows inserted, and each one's
    ``correlation.pair_linked`` entry, in order, for the caller to append beside the
    incident changes (``joining.write``)."""
    if not linked:
        return []
    now = utcnow()
    rows = [_row(p.pair, p.truce, p.reason, status="linked", incident=p.incident, actor=actor,
                 now=now) for p in linked]
    _insert(session, rows)
    return [log.PendingEntry("correlation.pair_linked", f"candidate:{row['id']}",
                             _payload(row, p.incident), rows=(core_row_state(_CANDIDATES, row),))
            for p, row in zip(linked, rows, strict=True)]


def record_queued(session: Session, queued: Sequence[Queued], *, actor: str) -> None:
    """Pairs waiting for an officer: their rows and one entry per :data:`PAIRS_PER_ENTRY`."""
    if not queued:
        return
    session.flush()
    log.record_many(session, actor=actor, entries=queued_entries(session, queued, actor=actor))


def queued_entries(session: Session, queued: Sequence[Queued], *,
                   actor: str) -> list[log.PendingEntry]:
    """Pairs waiting for an officer: their rows inserted, and their entries (one per
    :data:`PAIRS_PER_ENTRY`) for the caller to append."""
    if not queued:
        return []
    now = utcnow()
    rows = [_row(q.pair, q.truce, q.reason, status="pending", incident=None, actor=actor,
                 now=now) for q in queued]
    _insert(session, rows)
    rows.sort(key=lambda r: r["id"])
    entries = []
    for begin in range(0, len(rows), PAIRS_PER_ENTRY):
        part = rows[begin:begin + PAIRS_PER_ENTRY]
        snapshots = tuple(core_row_state(_CANDIDATES, r) for r in part)
        if len(part) == 1:
            entries.append(log.PendingEntry("correlation.pair_queued", f"candidate:{part[0]['id']}",
                                            _payload(part[0], None), rows=snapshots))
            continue
        entries.append(log.PendingEntry(
            "correlation.pairs_queued", f"candidates:{part[0]['id']}-{part[-1]['id']}",
            {"candidates": [{"candidate": r["id"], "reports": [r["report_a_id"], r["report_b_id"]],
                             "score": r["score"]} for r in part]}, rows=snapshots))
    return entries
