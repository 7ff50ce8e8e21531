"""Everything joint verification can do, in one place to import from.

The functions live in short modules: ``rounds`` (open, close, overdue, read),
``assessments`` (file and revise), ``decisions`` (the rule applied, signed decisions),
``investigations`` (tasking, progress, denials of access), ``measures`` (proposals and
signed votes) and ``publication``. The rule itself is the pure function ``rules.decide``.
"""

from __future__ import annotations

from trucewatch.verification.assessments import assessment_body, file_assessment
from trucewatch.verification.decisions import (
    check_round,
    current_assessments,
    get_round,
    sign_decision,
)
from trucewatch.verification.investigations import (
    denial_view,
    denials_by_party,
    get_investigation,
    investigation_view,
    investigations_of,
    list_denials,
    read_investigation,
    record_access_denial,
    task_investigation,
    update_investigation,
)
from trucewatch.verification.measures import (
    change_measure_status,
    get_measure,
    measure_view,
    measure_vote_body,
    measures_of,
    propose_measure,
    read_measure,
    vote_on_measure,
)
from trucewatch.verification.publication import (
    public_incident_view,
    publish_incident,
    published_incidents,
)
from trucewatch.verification.rounds import (
    close_round,
    latest_round,
    open_round,
    overdue_rounds,
    read_round,
    round_view,
    rounds_of_incident,
)

__all__ = [
    "assessment_body", "change_measure_status", "check_round", "close_round",
    "current_assessments", "denial_view", "denials_by_party", "file_assessment",
    "get_investigation", "get_measure", "get_round", "investigation_view", "investigations_of",
    "latest_round", "list_denials", "measure_view", "measure_vote_body", "measures_of",
    "open_round", "overdue_rounds", "propose_measure", "public_incident_view",
    "publish_incident", "published_incidents", "read_investigation", "read_measure",
    "read_round", "record_access_denial", "round_view",
    "rounds_of_incident", "sign_decision", "task_investigation", "update_investigation",
    "vote_on_measure",
]
