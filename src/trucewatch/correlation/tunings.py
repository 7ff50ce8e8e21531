"""Each truce's tuning: stored as the values that differ from the defaults, changed with a log entry."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal
from trucewatch.correlation.models import CorrelationSettings
from trucewatch.correlation.tuning import DEFAULT, Tuning, tuning_from
from trucewatch.log import service as log
from trucewatch.storage.base import utcnow
from trucewatch.truces.service import get_truce


def tunings_for(session: Session, truce_ids: Iterable[int | None]) -> dict[int | None, Tuning]:
    """The tuning of each truce (the defaults for reports under no truce)."""
    ids = set(truce_ids)
    stored = {row.truce_id: row.tuning for row in session.scalars(
        select(CorrelationSettings).where(CorrelationSettings.truce_id.in_(
            [i for i in ids if i is not None])))}
    out: dict[int | None, Tuning] = {i: tuning_from(stored[i]) if i in stored else DEFAULT
                                     for i in ids}
    return out or {None: DEFAULT}


def get_tuning(session: Session, *, truce: str) -> Tuning:
    return tunings_for(session, [get_truce(session, truce).id])[get_truce(session, truce).id]


def set_tuning(session: Session, *, truce: str, values: dict[str, Any], actor: str,
               principal: Principal | None = None) -> Tuning:
    """Change some of a truce's weights or thresholds; the others keep their values."""
    if principal is not None:
        require(principal, Action.CORRELATION_REVIEW)
    truce_row = get_truce(session, truce)
    log.lock(session)
    row = session.get(CorrelationSettings, truce_row.id)
    current = tuning_from(row.tuning) if row is not None else DEFAULT
    tuned = tuning_from(values, base=current)
    differing = {k: v for k, v in tuned.as_dict().items() if DEFAULT.as_dict()[k] != v}
    if row is None:
        row = CorrelationSettings(truce_id=truce_row.id, tuning=differing, changed_by=actor)
        session.add(row)
    else:
        row.tuning, row.changed_by, row.changed_at = differing, actor, utcnow()
    session.flush()
    log.append(session, kind="correlation.tuned", subject=f"truce:{truce_row.slug}", actor=actor,
               payload={"truce": truce_row.slug, "tuning": tuned.as_dict()})
    return tuned
