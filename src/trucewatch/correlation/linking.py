"""Join two reports into one incident through the incidents service (so the log records it):
an officer's confirmation (``queue.py``). Matching writes all the links of a match together,
as this would one by one (``joining.py``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from trucewatch.auth.principal import Principal
from trucewatch.errors import Conflict
from trucewatch.incidents.models import Incident
from trucewatch.incidents.service import create_incident, link_report
from trucewatch.incidents.workflow import LINKABLE
from trucewatch.reports.reading import incident_of

# Correlation acting on its own: the access rules grant this principal incident triage only
# (auth.policy.SYSTEM_GRANTS), never assessments, publication or reading sources.
SYSTEM = Principal(actor="system:correlation")


def _linkable(session: Session, incident_id: int) -> bool:
    incident = session.get(Incident, incident_id)
    return incident is not None and incident.status in LINKABLE


def join(session: Session, a: int, b: int, *, actor: str, principal: Principal | None,
         reason: str, strict: bool = False) -> int | None:
    """Put reports ``a`` and ``b`` in one incident: a new one if neither is in any, else the
    one that holds either. None (or Conflict when ``strict``) when they are in two
    different incidents or the incident is closed to links: an officer must decide."""
    ia, ib = incident_of(session, a), incident_of(session, b)
    if ia is not None and ia == ib:
        return ia
    if ia is None and ib is None:
        return create_incident(session, data={"reports": [a, b], "reason": reason},
                               actor=actor, principal=principal).id
    if ia is not None and ib is not None:
        if strict:
            raise Conflict(f"reports {a} and {b} are in incidents {ia} and {ib}: unlink one "
                           "of them first", field="candidate")
        return None
    holder, free = (ia, b) if ia is not None else (ib, a)
    assert holder is not None
    if not _linkable(session, holder):
        if strict:
            raise Conflict(f"incident {holder} no longer takes reports", field="candidate")
        return None
    link_report(session, incident_id=holder, report_id=free, actor=actor, reason=reason,
                principal=principal)
    return holder
